// Money is an integer count of nano-USD: $1 = 1_000_000_000. It is a bigint everywhere
// it is computed, and never passes through a float.

export const NANO_PER_USD = 1_000_000_000n;

/** The largest amount a Postgres int8 column (balances, budgets, leases, costs) can hold. */
export const INT8_MAX = 9_223_372_036_854_775_807n;

/** Parse a decimal USD string ("12.5", "0.000002") into nano-USD exactly; more than 9 decimals is an error. */
export function usdToNano(usd: string | number): bigint {
  const s = typeof usd === 'number' ? numberToPlainString(usd) : usd.trim();
  const m = /^(-)?(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (!m[2] && !m[3])) throw new Error(`not a decimal amount: ${JSON.stringify(usd)}`);
  const frac = m[3] ?? '';
  if (frac.length > 9 && /[1-9]/.test(frac.slice(9))) throw new Error(`more precision than 1 nano-USD: ${s}`);
  const nano = BigInt(m[2] || '0') * NANO_PER_USD + BigInt((frac.slice(0, 9) + '000000000').slice(0, 9));
  return m[1] ? -nano : nano;
}

/** Format nano-USD as a USD decimal string without trailing zeros beyond cents ("1.50", "0.000002"). */
export function nanoToUsd(nano: bigint): string {
  const neg = nano < 0n;
  const abs = neg ? -nano : nano;
  const whole = abs / NANO_PER_USD;
  let frac = (abs % NANO_PER_USD).toString().padStart(9, '0').replace(/0+$/, '');
  if (frac.length < 2) frac = frac.padEnd(2, '0');
  return `${neg ? '-' : ''}${whole}.${frac}`;
}

/** Integer division rounding half away from zero. */
export function divRound(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= (d < 0n ? -d : d)) return (n < 0n) !== (d < 0n) ? q - 1n : q + 1n;
  return q;
}

function numberToPlainString(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite amount: ${n}`);
  // toFixed avoids exponent notation; 9 decimals is the unit.
  return n.toFixed(9);
}
