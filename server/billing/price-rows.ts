// A price row (from `prices`, `channel_prices` or the fallback setting) → the in-memory
// PriceEntry the relay prices calls with.
import type { PriceEntry, PriceExtra } from './pricing.ts';

/** Output tokens reserved when a request gives no max_tokens and the price sets no default. */
export const DEFAULT_MAX_TOKENS = 4096;

export interface PriceRow {
  model: string;
  input: bigint;
  output: bigint;
  cache_read: bigint | null;
  cache_write_5m: bigint | null;
  cache_write_1h: bigint | null;
  per_request: bigint | null;
  extra: Record<string, unknown> | null;
}

export function priceEntryOf(p: PriceRow): PriceEntry {
  const extra = (p.extra ?? {}) as PriceExtra;
  return {
    model: p.model, input: p.input, output: p.output, cacheRead: p.cache_read, cacheWrite5m: p.cache_write_5m,
    cacheWrite1h: p.cache_write_1h, perRequest: p.per_request,
    defaultMaxTokens: typeof extra.default_max_tokens === 'number' ? extra.default_max_tokens : DEFAULT_MAX_TOKENS,
    extra,
  };
}
