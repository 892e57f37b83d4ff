import { describe, expect, test } from 'bun:test';
import { parseDecimal, quotaToNano, roundHalfUp, scaleRound, toFraction, usdToNano } from '../../server/importer/money.ts';

describe('money', () => {
  test('parseDecimal reads plain, negative and exponent forms exactly', () => {
    expect(parseDecimal('12.34')).toEqual({ num: 1234n, den: 100n });
    expect(parseDecimal('-0.075')).toEqual({ num: -75n, den: 1000n });
    expect(parseDecimal('1e-07')).toEqual({ num: 1n, den: 10_000_000n });
    expect(parseDecimal('2.5E3')).toEqual({ num: 2500n, den: 1n });
    expect(() => parseDecimal('abc')).toThrow();
    expect(() => parseDecimal('.')).toThrow();
  });

  test('default QuotaPerUnit converts quota × 2000 exactly, also beyond 2^53', () => {
    const qpu = toFraction('500000');
    expect(quotaToNano(500_000n, qpu)).toEqual({ value: 1_000_000_000n, exact: true });
    expect(quotaToNano(1n, qpu)).toEqual({ value: 2000n, exact: true });
    expect(quotaToNano(9_007_199_254_740_993n, qpu)).toEqual({ value: 18_014_398_509_481_986_000n, exact: true });
  });

  test('an odd QuotaPerUnit rounds half away from zero and says so', () => {
    const qpu = toFraction('300000');
    expect(quotaToNano(1n, qpu)).toEqual({ value: 3333n, exact: false });
    expect(quotaToNano(2n, qpu)).toEqual({ value: 6667n, exact: false });
    expect(quotaToNano(-2n, qpu)).toEqual({ value: -6667n, exact: false });
    expect(quotaToNano(3n, qpu)).toEqual({ value: 10000n, exact: true });
    expect(roundHalfUp({ num: 5n, den: 2n })).toEqual({ value: 3n, exact: false });
    expect(roundHalfUp({ num: -5n, den: 2n })).toEqual({ value: -3n, exact: false });
  });

  test('USD floats go through their decimal text, not float multiplication', () => {
    expect(usdToNano(12.34)).toEqual({ value: 12_340_000_000n, exact: true });
    expect(usdToNano(0.1 + 0.2)).toEqual({ value: 300_000_000n, exact: false });
    expect(usdToNano('0.000000001')).toEqual({ value: 1n, exact: true });
    expect(usdToNano(1.005)).toEqual({ value: 1_005_000_000n, exact: true });
    expect(1.005 * 1e9).not.toBe(1_005_000_000); // why the decimal path exists
  });

  test('ratios → nano per 1M tokens', () => {
    expect(scaleRound(toFraction(0.075), 2_000_000_000n)).toEqual({ value: 150_000_000n, exact: true });
    expect(scaleRound(toFraction(1e-7), 2_000_000_000n)).toEqual({ value: 200n, exact: true });
  });
});
