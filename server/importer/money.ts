// Exact money conversions. One API counts in integer quota (500 000 = $1 by default) and stores
// ratios and channel balances as floats; Switchboard counts integer nano-USD. Every conversion goes
// through decimal text and bigint fractions, so no float multiplication ever touches a balance.

export const NANO_PER_USD = 1_000_000_000n;
/** Ratio 1 = $0.002 per 1K tokens = $2 per 1M tokens. */
export const NANO_PER_M_AT_RATIO_ONE = 2_000_000_000n;
export const PPM = 1_000_000n;
export const DEFAULT_QUOTA_PER_UNIT = '500000';

/** An exact rational number; den is always positive. */
export interface Fraction {
  num: bigint;
  den: bigint;
}

export interface Converted {
  value: bigint;
  /** False when the result had to be rounded (half away from zero). */
  exact: boolean;
}

/** Parse decimal text (`12`, `-0.075`, `1e-07`, `2.5E3`) into an exact fraction. */
export function parseDecimal(text: string): Fraction {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m || !((m[2] ?? '') + (m[3] ?? ''))) throw new RangeError('not a decimal number');
  const sign = m[1] === '-' ? -1n : 1n;
  const frac = m[3] ?? '';
  const exp = Number(m[4] ?? '0') - frac.length;
  let num = sign * BigInt((m[2] ?? '') + frac || '0');
  let den = 1n;
  if (exp >= 0) num *= 10n ** BigInt(exp);
  else den = 10n ** BigInt(-exp);
  return { num, den };
}

/** A number, bigint or decimal string as an exact fraction. Floats go through their shortest
 * round-trip text, which is exactly what Go wrote into the JSON or the column. */
export function toFraction(v: unknown): Fraction {
  if (typeof v === 'bigint') return { num: v, den: 1n };
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError('not a finite number');
    return parseDecimal(String(v));
  }
  if (typeof v === 'string') return parseDecimal(v);
  throw new RangeError('not a number');
}

export function multiply(a: Fraction, b: Fraction): Fraction {
  return { num: a.num * b.num, den: a.den * b.den };
}

/** Round num/den to an integer, halves away from zero. */
export function roundHalfUp(f: Fraction): Converted {
  const { num, den } = f;
  const q = num / den;
  const r = num % den;
  if (r === 0n) return { value: q, exact: true };
  const twice = (r < 0n ? -r : r) * 2n;
  const away = twice >= den ? (num < 0n ? -1n : 1n) : 0n;
  return { value: q + away, exact: false };
}

/** `quota × 1e9 / QuotaPerUnit`: with the default 500 000 this is exactly quota × 2000. */
export function quotaToNano(quota: bigint, quotaPerUnit: Fraction): Converted {
  return roundHalfUp({ num: quota * NANO_PER_USD * quotaPerUnit.den, den: quotaPerUnit.num });
}

export function usdToNano(usd: unknown): Converted {
  return roundHalfUp(multiply(toFraction(usd), { num: NANO_PER_USD, den: 1n }));
}

/** Scale a fraction by an integer factor and round: ratios → nano per 1M, multipliers → ppm. */
export function scaleRound(f: Fraction, factor: bigint): Converted {
  return roundHalfUp(multiply(f, { num: factor, den: 1n }));
}
