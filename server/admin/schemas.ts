// Input schemas shared by the admin router, the CLI and the console.
import * as v from 'valibot';
import { INT8_MAX, usdToNano } from '../billing/money.ts';

export { Id, int4, INT4_MAX, INT4_MIN, ModelList, noNul, Text, TextRecord } from '../util/fields.ts';
import { Id, int4, INT4_MAX, ModelList, Text, TextRecord } from '../util/fields.ts';

/** A bigserial (int8) row id: digits, as a string or a number; the API hands them out as strings. */
export const BigId = (what: string) => v.pipe(
  v.union([v.string(), v.number()]),
  v.transform(String),
  v.regex(/^\d+$/, `must be ${what}`),
  // Validations after a failed one still run (valibot): parse only what the regex passed.
  v.check((s) => !/^\d{19,}$/.test(s) || BigInt(s) <= INT8_MAX, `must be ${what}`),
);

export const UsdAmount = v.pipe(
  v.union([v.string(), v.number()]),
  v.transform(String),
  v.regex(/^\d+(\.\d{1,9})?$/, 'must be a non-negative USD amount with at most 9 decimals'),
  // In nano-USD it must fit int8 (balances, budgets, prices). Runs even when the regex failed.
  v.check((s) => !/^\d+(\.\d{1,9})?$/.test(s) || usdToNano(s) <= INT8_MAX, 'must be at most 9223372036.854775807'),
);

// The channel inputs live with the channels (server/channels/inputs.ts).
export { ChannelCreate } from '../channels/inputs.ts';

// Account schemas (users, keys, tokens, sign-in) live in server/admin/account-schemas.ts.

/** Per-1M-token prices in USD: shared by list prices, long-context tiers and the fallback price. */
export const TokenPriceFields = {
  inputUsdPerM: UsdAmount,
  /** Absent for models that produce no output tokens (embeddings, rerank): 0. */
  outputUsdPerM: v.optional(UsdAmount, '0'),
  cacheReadUsdPerM: v.optional(UsdAmount),
  cacheWrite5mUsdPerM: v.optional(UsdAmount),
  cacheWrite1hUsdPerM: v.optional(UsdAmount),
};

export const PriceSet = v.object({
  model: v.pipe(Text, v.trim(), v.nonEmpty('model is required')),
  ...TokenPriceFields,
  perRequestUsd: v.optional(UsdAmount),
});
