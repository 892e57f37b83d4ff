// Coerce raw driver values to JS types. The three drivers disagree: mysql2 returns BIGINT and
// DECIMAL as strings, postgres.js returns int8/numeric as strings, bun:sqlite returns bigint.
import { toFraction, roundHalfUp } from './money.ts';

export type Row = Record<string, unknown>;

export function asBigInt(v: unknown, fallback = 0n): bigint {
  if (v === null || v === undefined || v === '') return fallback;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  try {
    return roundHalfUp(toFraction(typeof v === 'string' ? v : typeof v === 'number' ? v : String(v))).value;
  } catch {
    return fallback;
  }
}

export function asInt(v: unknown, fallback = 0): number {
  if (v === null || v === undefined || v === '') return fallback;
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : fallback;
  const n = Number(asBigInt(v, BigInt(fallback)));
  return Number.isFinite(n) ? n : fallback;
}

export function asStr(v: unknown, fallback = ''): string {
  if (v === null || v === undefined) return fallback;
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  return String(v);
}

export function asBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v === '1' || v.toLowerCase() === 'true' || v.toLowerCase() === 't';
  if (v instanceof Uint8Array) return v.length > 0 && v[0] === 1;
  return v !== null && v !== undefined && asBigInt(v) !== 0n;
}

/** A unix-seconds column as a Date, or null for 0 / -1 / missing ("never"). */
export function asUnixDate(v: unknown): Date | null {
  const s = asBigInt(v, 0n);
  return s > 0n ? new Date(Number(s) * 1000) : null;
}

/** Split a One API list column (comma or newline separated): trimmed, no empties, no duplicates. */
export function splitList(v: unknown, separators: RegExp = /[,\n]/): string[] {
  const seen = new Set<string>();
  for (const part of asStr(v).split(separators)) {
    const item = part.trim();
    if (item) seen.add(item);
  }
  return [...seen];
}

/** Parse a JSON object column; '' and null are empty, anything unreadable is null. */
export function parseJsonObject(v: unknown): Record<string, unknown> | null {
  const text = asStr(v).trim();
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
