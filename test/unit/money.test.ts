import { describe, expect, test } from 'bun:test';
import { divRound, nanoToUsd, usdToNano } from '../../server/billing/money.ts';
import { costOf, type PriceEntry, reserveOf } from '../../server/billing/pricing.ts';

describe('money', () => {
  test('USD strings convert to nano-USD exactly', () => {
    expect(usdToNano('1')).toBe(1_000_000_000n);
    expect(usdToNano('0.15')).toBe(150_000_000n);
    expect(usdToNano('0.000000001')).toBe(1n);
    expect(usdToNano('12345678.123456789')).toBe(12_345_678_123_456_789n);
    expect(usdToNano('.5')).toBe(500_000_000n);
    expect(usdToNano(0.1 + 0.2)).toBe(300_000_000n);
    expect(() => usdToNano('0.0000000001')).toThrow(/precision/);
    expect(() => usdToNano('1e3')).toThrow();
    expect(() => usdToNano('abc')).toThrow();
  });

  test('nano-USD formats back without losing digits', () => {
    expect(nanoToUsd(1_000_000_000n)).toBe('1.00');
    expect(nanoToUsd(4650n)).toBe('0.00000465');
    expect(nanoToUsd(-1_500_000_000n)).toBe('-1.50');
    expect(usdToNano(nanoToUsd(987_654_321_123n))).toBe(987_654_321_123n);
  });

  test('divRound rounds half away from zero', () => {
    expect(divRound(5n, 2n)).toBe(3n);
    expect(divRound(4n, 3n)).toBe(1n);
    expect(divRound(-5n, 2n)).toBe(-3n);
    expect(divRound(10n, 5n)).toBe(2n);
  });
});

describe('pricing', () => {
  const price: PriceEntry = {
    model: 'm', input: usdToNano('2.5'), output: usdToNano('10'), cacheRead: usdToNano('1.25'),
    cacheWrite5m: usdToNano('3.125'), cacheWrite1h: usdToNano('5'), perRequest: null, defaultMaxTokens: 4096, extra: {},
  };
  const zero = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, reasoning: 0 };

  test('each token kind is billed at its own price', () => {
    expect(costOf({ ...zero, input: 1_000_000 }, price)).toBe(2_500_000_000n);
    expect(costOf({ ...zero, output: 1_000 }, price)).toBe(10_000_000n);
    expect(costOf({ ...zero, cacheRead: 1_000_000 }, price)).toBe(1_250_000_000n);
    expect(costOf({ ...zero, cacheWrite: 1_000_000 }, price)).toBe(3_125_000_000n);
    expect(costOf({ ...zero, cacheWrite: 1_000_000, cacheWrite1h: 1_000_000 }, price)).toBe(5_000_000_000n);
    // 1h writes are part of the cache-write total, billed at their own price.
    expect(costOf({ ...zero, cacheWrite: 3_000_000, cacheWrite1h: 1_000_000 }, price)).toBe(2n * 3_125_000_000n + 5_000_000_000n);
  });

  test('rounding happens once, on the total', () => {
    // $0.15/M: one token is 150 nano exactly; $0.075/M input: 75 nano; 1 token at $0.0375/M is 37.5 → 38.
    const cheap: PriceEntry = { ...price, input: usdToNano('0.0375'), output: usdToNano('0.0375') };
    expect(costOf({ ...zero, input: 1 }, cheap)).toBe(38n);
    expect(costOf({ ...zero, input: 1, output: 1 }, cheap)).toBe(75n);
  });

  test('per-request price and group multiplier', () => {
    const flat: PriceEntry = { ...price, perRequest: usdToNano('0.01') };
    expect(costOf(zero, flat)).toBe(10_000_000n);
    expect(costOf({ ...zero, input: 1_000_000 }, price, 800_000)).toBe(2_000_000_000n);
  });

  test('missing cache prices fall back to the input price', () => {
    const plain: PriceEntry = { ...price, cacheRead: null, cacheWrite5m: null, cacheWrite1h: null };
    expect(costOf({ ...zero, cacheRead: 1000, cacheWrite: 2000, cacheWrite1h: 1000 }, plain)).toBe(7_500_000n);
  });

  test('the reservation covers the worst case of the same tokens', () => {
    const r = reserveOf(1000, 500, price);
    expect(r).toBeGreaterThanOrEqual(costOf({ ...zero, input: 1000, output: 500 }, price));
    expect(r).toBeGreaterThanOrEqual(costOf({ ...zero, cacheWrite: 1000, cacheWrite1h: 1000, output: 500 }, price));
  });
});
