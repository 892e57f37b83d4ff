// Timestamps and time zones as AI Proxy reads them (core/controller/utils/utils.go): an
// integer whose digit count says its unit — up to 10 seconds, 13 milliseconds, 16
// microseconds, else nanoseconds — so FastGPT's `Date.getTime()` and Unix seconds both work.
import { ApiError } from './envelope.ts';

export function parseTimestamp(raw: string | null, name: string): Date | undefined {
  if (raw === null || raw === '') return undefined;
  if (!/^\d{1,19}$/.test(raw)) throw new ApiError(400, `${name} must be a Unix timestamp (seconds or milliseconds), got "${raw}"`);
  const digits = raw.length;
  const n = BigInt(raw);
  const ms = digits <= 10 ? n * 1000n : digits <= 13 ? n : digits <= 16 ? n / 1000n : n / 1_000_000n;
  const d = new Date(Number(ms));
  if (Number.isNaN(d.getTime())) throw new ApiError(400, `${name} is out of range`);
  return d;
}

/** An IANA zone Postgres and Intl both know; AI Proxy's default is the server's local zone. */
export function parseTimezone(raw: string | null): string {
  const tz = raw?.trim() || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw new ApiError(400, `timezone must be an IANA time zone such as Asia/Shanghai, got "${raw}"`);
  }
  return tz;
}
