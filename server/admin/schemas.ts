// Input schemas shared by the admin router, the CLI and the console.
import * as v from 'valibot';

export const UsdAmount = v.pipe(
  v.union([v.string(), v.number()]),
  v.transform(String),
  v.regex(/^\d+(\.\d{1,9})?$/, 'must be a non-negative USD amount with at most 9 decimals'),
);

export const ModelList = v.pipe(
  v.union([v.string(), v.array(v.string())]),
  v.transform((x) => [...new Set((Array.isArray(x) ? x : x.split(',')).map((s) => s.trim()).filter(Boolean))]),
);

export const ChannelCreate = v.object({
  name: v.pipe(v.string(), v.trim(), v.nonEmpty('name is required')),
  type: v.pipe(v.number(), v.integer(), v.minValue(1)),
  baseUrl: v.optional(v.pipe(v.string(), v.trim(), v.check((s) => s === '' || /^https?:\/\/[^\s]+$/.test(s), 'must be an http(s) URL')), ''),
  /** Upstream keys, one per line. */
  key: v.pipe(v.string(), v.trim(), v.nonEmpty('at least one key is required')),
  models: v.pipe(ModelList, v.minLength(1, 'at least one model is required')),
  priority: v.optional(v.pipe(v.number(), v.integer()), 0),
  weight: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 1),
  mapping: v.optional(v.record(v.string(), v.string()), {}),
  groups: v.optional(ModelList, ['default']),
  config: v.optional(v.record(v.string(), v.string()), {}),
});

// Account schemas (users, keys, tokens, sign-in) live in server/auth/schemas.ts.

/** Per-1M-token prices in USD: shared by list prices, long-context tiers and the fallback price. */
export const TokenPriceFields = {
  inputUsdPerM: UsdAmount,
  outputUsdPerM: UsdAmount,
  cacheReadUsdPerM: v.optional(UsdAmount),
  cacheWrite5mUsdPerM: v.optional(UsdAmount),
  cacheWrite1hUsdPerM: v.optional(UsdAmount),
};

export const PriceSet = v.object({
  model: v.pipe(v.string(), v.trim(), v.nonEmpty('model is required')),
  ...TokenPriceFields,
  perRequestUsd: v.optional(UsdAmount),
});
