// A small fixed-bucket latency histogram, stored per rollup row so percentiles can be
// merged across any set of rows by adding bucket counts.

/** Upper bounds in ms of every bucket but the last (which is everything slower). */
export const LATENCY_BOUNDS_MS = [50, 100, 250, 500, 1000, 2000, 4000, 8000, 15000, 30000, 60000, 120000] as const;
export const LATENCY_BUCKETS = LATENCY_BOUNDS_MS.length + 1;

/** SQL for `int8[]` bucket counts of `column` over a group (used by the rollup trigger). */
export function histogramSql(column: string): string {
  const parts: string[] = [];
  let prev: number | null = null;
  for (const b of LATENCY_BOUNDS_MS) {
    parts.push(`count(*) FILTER (WHERE ${column} ${prev === null ? '' : `> ${prev} AND ${column} `}<= ${b})`);
    prev = b;
  }
  parts.push(`count(*) FILTER (WHERE ${column} > ${prev})`);
  return `ARRAY[${parts.join(', ')}]::int8[]`;
}

/** The q-quantile (0..1) in ms, interpolated inside its bucket; null without data. */
export function quantile(hist: ReadonlyArray<number>, q: number): number | null {
  const total = hist.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < LATENCY_BUCKETS; i++) {
    const n = hist[i] ?? 0;
    if (n > 0 && seen + n >= rank) {
      const lo = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!;
      // The open last bucket has no upper bound: report its lower bound.
      if (i === LATENCY_BOUNDS_MS.length) return lo;
      const hi = LATENCY_BOUNDS_MS[i]!;
      return Math.round(lo + ((rank - seen) / n) * (hi - lo));
    }
    seen += n;
  }
  return LATENCY_BOUNDS_MS.at(-1)!;
}
