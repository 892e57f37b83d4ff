// Price edges, one per unit, to the nano-USD: cached tokens, cache writes (5 min / 1 h),
// reasoning, per-request, long-context tier, group multiplier and rounding, images, TTS,
// STT and rerank searches; and the reservation is never below the cost it covers.
import { describe, expect, test } from 'bun:test';
import { DEFAULT_PRICES } from '../../db/prices/default-prices.ts';
import { usdToNano } from '../../server/billing/money.ts';
import { priceEntryOf } from '../../server/billing/price-rows.ts';
import { costOf, type PriceEntry, type PriceExtra, reserveOf } from '../../server/billing/pricing.ts';
import { defaultPriceRow } from '../../server/billing/seed-prices.ts';
import { billedSeconds, imagesCost, imageUnitPrice, searchCost, sttCost, ttsCost } from '../../server/billing/unit-pricing.ts';
import type { MeteredUsage } from '../../server/relay/protocols/openai/types.ts';

const usd = (s: string) => usdToNano(s);

/** Claude Sonnet-like: $3 in, $15 out, $0.30 cache read, $3.75 / $6 cache writes (5 min / 1 h). */
function sonnet(extra: PriceExtra = {}, over: Partial<PriceEntry> = {}): PriceEntry {
  return {
    model: 'sonnet', input: usd('3'), output: usd('15'), cacheRead: usd('0.3'), cacheWrite5m: usd('3.75'), cacheWrite1h: usd('6'),
    perRequest: null, defaultMaxTokens: 4096, extra, ...over,
  };
}

const use = (u: Partial<MeteredUsage>): MeteredUsage => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, reasoning: 0, ...u });

describe('token prices', () => {
  test('cached tokens are billed at the cache-read price, not as input', () => {
    // 1000 × $3/M + 9000 × $0.30/M = $0.0057
    expect(costOf(use({ input: 1000, cacheRead: 9000 }), sonnet())).toBe(5_700_000n);
    // A model without a cache-read price bills cached tokens as input: never free.
    expect(costOf(use({ input: 1000, cacheRead: 9000 }), sonnet({}, { cacheRead: null }))).toBe(30_000_000n);
  });

  test('cache writes: the 1-hour part at its price, the rest at the 5-minute price', () => {
    // 100 × $3 + 2000 × $3.75 + 1000 × $6, per 1M = $0.0138
    expect(costOf(use({ input: 100, cacheWrite: 3000, cacheWrite1h: 1000 }), sonnet())).toBe(13_800_000n);
    // Without a 1-hour price, 1-hour writes fall back to the 5-minute price; without that, to input.
    expect(costOf(use({ input: 100, cacheWrite: 3000, cacheWrite1h: 1000 }), sonnet({}, { cacheWrite1h: null }))).toBe(11_550_000n);
    expect(costOf(use({ cacheWrite: 1000 }), sonnet({}, { cacheWrite5m: null, cacheWrite1h: null }))).toBe(3_000_000n);
  });

  test('reasoning tokens are part of output and billed once', () => {
    // 10 × $3 + 500 × $15 per 1M; the 400 reasoning tokens are inside the 500.
    expect(costOf(use({ input: 10, output: 500, reasoning: 400 }), sonnet())).toBe(7_530_000n);
    expect(costOf(use({ input: 10, output: 500, reasoning: 0 }), sonnet())).toBe(7_530_000n);
  });

  test('per-request price is added to every call, with or without tokens', () => {
    const p = sonnet({}, { perRequest: usd('0.01') });
    expect(costOf(use({}), p)).toBe(10_000_000n);
    expect(costOf(use({ input: 1000 }), p)).toBe(13_000_000n);
  });

  test('long-context tier applies to the whole call above the threshold, cached tokens counted in the prompt', () => {
    const p = sonnet({ long_context: { threshold: 200_000, input: String(usd('6')), output: String(usd('22.5')), cache_read: String(usd('0.6')) } });
    expect(costOf(use({ input: 200_000, output: 1000 }), p)).toBe(615_000_000n); // at the threshold: normal rates
    expect(costOf(use({ input: 250_000, output: 1000 }), p)).toBe(1_522_500_000n);
    // 150K fresh + 60K cached = 210K prompt: long tier, cache read at the tier's own price.
    expect(costOf(use({ input: 150_000, cacheRead: 60_000 }), p)).toBe(936_000_000n);
  });

  test('group multiplier applies on top and the sum is rounded once, half away from zero', () => {
    const p = sonnet({}, { input: usd('0.15'), output: usd('0.6') });
    expect(costOf(use({ input: 1 }), p, 800_000)).toBe(120n); // 150 nano × 0.8
    const odd = (n: bigint) => sonnet({}, { input: n });
    expect(costOf(use({ input: 1 }), odd(2_500_000n))).toBe(3n); // 2.5 → 3
    expect(costOf(use({ input: 1 }), odd(2_499_999n))).toBe(2n);
    expect(costOf(use({ input: 1 }), odd(2_500_001n))).toBe(3n);
    // Rounded once: 3 tokens at 0.4 nano each is 1.2 → 1, not 3 × round(0.4) = 0.
    expect(costOf(use({ input: 3 }), odd(400_000n))).toBe(1n);
  });

  test('the reservation covers any split of the same prompt and up to max_tokens of output', () => {
    const p = sonnet({}, { perRequest: usd('0.001') });
    const reserved = reserveOf(1000, 500, p);
    expect(reserved).toBe(14_500_000n); // 1000 × $6 (dearest input rate) + 500 × $15 + $0.001
    for (const u of [use({ input: 1000, output: 500 }), use({ cacheWrite: 1000, cacheWrite1h: 1000, output: 500 }), use({ cacheRead: 1000, output: 500 })]) {
      expect(costOf(u, p)).toBeLessThanOrEqual(reserved);
    }
    const lc = sonnet({ long_context: { threshold: 100, input: String(usd('6')), output: String(usd('30')) } });
    expect(reserveOf(1000, 10, lc)).toBe(6_300_000n); // long tier: 1000 × $6 + 10 × $30
    expect(costOf(use({ input: 1000, output: 10 }), lc)).toBeLessThanOrEqual(reserveOf(1000, 10, lc));
  });
});

describe('other units (server/billing/unit-pricing.ts)', () => {
  const dalle = sonnet({ image: { '1024x1024|hd': String(usd('0.08')), '1024x1024': String(usd('0.04')), '*': String(usd('0.12')) } }, { input: 0n, output: 0n });

  test('images: by size and quality, then size, then "*"; per image, times the multiplier', () => {
    expect(imageUnitPrice(dalle.extra, '1024x1024', 'hd')).toBe(80_000_000n);
    expect(imageUnitPrice(dalle.extra, '1024x1024', 'standard')).toBe(40_000_000n);
    expect(imageUnitPrice(dalle.extra, '1792x1024', 'hd')).toBe(120_000_000n);
    expect(imageUnitPrice(sonnet().extra, '1024x1024', 'hd')).toBeNull();
    expect(imagesCost(80_000_000n, 3, dalle, 1_000_000)).toBe(240_000_000n);
    expect(imagesCost(80_000_000n, 3, dalle, 800_000)).toBe(192_000_000n);
  });

  test('TTS: per input character, priced per 1M characters', () => {
    const tts = sonnet({ tts_per_m_chars: String(usd('15')) });
    expect(ttsCost(1234, tts, 1_000_000)).toBe(18_510_000n);
    expect(ttsCost(1234, sonnet(), 1_000_000)).toBeNull();
  });

  test('STT: per second of audio (nearest second, at least one), priced per minute', () => {
    const whisper = sonnet({ stt_per_minute: String(usd('0.006')) });
    expect(billedSeconds(61_400)).toBe(61);
    expect(sttCost(61_400, whisper, 1_000_000)).toBe(6_100_000n); // 61 s × $0.006 / 60
    expect(sttCost(200, whisper, 1_000_000)).toBe(100_000n); // a fraction of a second bills one second
    expect(sttCost(61_400, sonnet(), 1_000_000)).toBeNull();
  });

  test('rerank: per search, plus the per-request price', () => {
    const rerank = sonnet({ per_search: String(usd('0.002')) }, { perRequest: usd('0.0001') });
    expect(searchCost(5, rerank, 1_000_000)).toBe(10_100_000n);
  });
});

describe('default price table', () => {
  test('every entry converts to exact nano-USD and names its source and date', () => {
    const models = new Set<string>();
    for (const p of DEFAULT_PRICES) {
      expect(models.has(p.model)).toBe(false);
      models.add(p.model);
      expect(p.source).toMatch(/^https:\/\//);
      expect(p.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const entry = priceEntryOf(defaultPriceRow(p));
      expect(entry.input).toBe(usdToNano(p.input));
    }
    for (const vendor of ['OpenAI', 'Anthropic', 'Google', 'DeepSeek', 'Alibaba Qwen', 'ByteDance Doubao', 'Zhipu', 'Moonshot', 'Mistral', 'xAI']) {
      expect(DEFAULT_PRICES.some((p) => p.vendor === vendor)).toBe(true);
    }
    // The Gemini 2.5 Pro long-context tier survives the conversion.
    const pro = priceEntryOf(defaultPriceRow(DEFAULT_PRICES.find((p) => p.model === 'gemini-2.5-pro')!));
    expect(costOf(use({ input: 300_000 }), pro)).toBe(750_000_000n); // 300K × $2.50
  });
});
