// Unit prices (images, TTS characters, STT seconds, searches) are exact integers, rounded
// once, with the per-request price and the group multiplier folded in.
import { describe, expect, test } from 'bun:test';
import type { PriceEntry } from '../../../server/billing/pricing.ts';
import { billedSeconds, imagesCost, imageUnitPrice, maxImageUnitPrice, searchCost, sttCost, ttsCost } from '../../../server/billing/unit-pricing.ts';
import { wavDurationMs } from '../../../server/relay/endpoints/wav.ts';
import { wavSilence } from './helpers.ts';

const price = (extra: PriceEntry['extra'], perRequest: bigint | null = null): PriceEntry => ({
  model: 'm', input: 0n, output: 0n, cacheRead: null, cacheWrite5m: null, cacheWrite1h: null, perRequest, defaultMaxTokens: 4096, extra,
});
const X1 = 1_000_000;

describe('image prices', () => {
  const extra = { image: { '1024x1024|hd': '80000000', '1024x1024': '40000000', '*': '100000000', broken: '1.5' } };
  test('size|quality, then size, then *', () => {
    expect(imageUnitPrice(extra, '1024x1024', 'hd')).toBe(80_000_000n);
    expect(imageUnitPrice(extra, '1024x1024', 'standard')).toBe(40_000_000n);
    expect(imageUnitPrice(extra, '512x512', 'standard')).toBe(100_000_000n);
    expect(imageUnitPrice({}, '1024x1024', 'hd')).toBeNull();
  });
  test('malformed amounts are ignored; the dearest price bounds a reservation', () => {
    expect(imageUnitPrice({ image: { broken: '1.5' } }, 'broken', 'x')).toBeNull();
    expect(maxImageUnitPrice(extra)).toBe(100_000_000n);
  });
  test('n images, multiplier and per-request price, one rounding', () => {
    expect(imagesCost(80_000_000n, 3, price(extra), X1)).toBe(240_000_000n);
    // 1.5× of (3 × 0.08 $ + 0.000000333 $) = 360_000_000 + 499.5 → 360_000_500
    expect(imagesCost(80_000_000n, 3, price(extra, 333n), 1_500_000)).toBe(360_000_500n);
  });
});

test('TTS: per character of a per-1M-character price', () => {
  const p = price({ tts_per_m_chars: '15000000000' });
  expect(ttsCost(11, p, X1)).toBe(165_000n);
  // 0.3× of 15 000 nano-USD = 4 500 per char; 1 char.
  expect(ttsCost(1, p, 300_000)).toBe(4_500n);
  // $0.000001/M chars × 1 char = 0.000001 nano → rounds to 0.
  expect(ttsCost(1, price({ tts_per_m_chars: '1000' }), X1)).toBe(0n);
  expect(ttsCost(1, price({}), X1)).toBeNull();
});

describe('STT', () => {
  test('seconds are rounded to the nearest second, at least one', () => {
    expect(billedSeconds(0)).toBe(0);
    expect(billedSeconds(200)).toBe(1);
    expect(billedSeconds(1_499)).toBe(1);
    expect(billedSeconds(1_500)).toBe(2);
    expect(billedSeconds(2_500)).toBe(3);
  });
  test('per second of a per-minute price', () => {
    const p = price({ stt_per_minute: '6000000' });
    expect(sttCost(1_000, p, X1)).toBe(100_000n);
    expect(sttCost(61_000, p, X1)).toBe(6_100_000n);
    // $0.000000007/min × 1 s = 0.1166… nano → 0; with a 10× group: 1.166… → 1.
    expect(sttCost(1_000, price({ stt_per_minute: '7' }), X1)).toBe(0n);
    expect(sttCost(1_000, price({ stt_per_minute: '7' }), 10_000_000)).toBe(1n);
    expect(sttCost(1_000, price({}), X1)).toBeNull();
  });
  test('WAV duration from the header', () => {
    expect(wavDurationMs(wavSilence(1))).toBe(1_000);
    expect(wavDurationMs(wavSilence(0.25, 8_000))).toBe(250);
    expect(wavDurationMs(new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0, 0, 0]))).toBeNull();
    // A streamed WAV with a placeholder data size counts the bytes actually there.
    const streamed = wavSilence(1);
    new DataView(streamed.buffer).setUint32(40, 0xffffffff, true);
    expect(wavDurationMs(streamed)).toBe(1_000);
  });
});

test('rerank: per search', () => {
  expect(searchCost(2, price({ per_search: '2000000' }), X1)).toBe(4_000_000n);
  expect(searchCost(1, price({}), X1)).toBeNull();
});
