// Values as Postgres stores them in text, and as array literals for `unnest($1::text::T[])`
// (the call-log rows and their rollups go in as one typed array per column).

/**
 * Postgres text cannot hold NUL or unpaired surrogates; one such string from a client or an
 * upstream (a model name, an error message, a user agent) would fail the whole batch, and
 * every batch after it. Strip NUL and replace lone surrogates with U+FFFD (a pair is fine).
 */
export const pgText = (s: string): string => (s.includes('\u0000') || !s.isWellFormed() ? s.replaceAll('\u0000', '').toWellFormed() : s);

/** One value inside a Postgres array literal: NULL, a bare number or boolean, else a quoted string. */
export function arrayElement(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  const s = pgText(typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : JSON.stringify(v));
  return s.includes('"') || s.includes('\\') ? `"${s.replace(/["\\]/g, '\\$&')}"` : `"${s}"`;
}

/** A one-dimensional Postgres array literal. */
export const arrayLiteral = (values: readonly unknown[]): string => `{${values.map(arrayElement).join(',')}}`;
