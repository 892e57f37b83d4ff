// Input schemas shared by the admin router, the CLI and the console.
import * as v from 'valibot';
import { INT8_MAX, usdToNano } from '../billing/money.ts';

// Every value must fit the column it is stored in or compared with: past the range, Postgres
// refuses it and the call would be a 500 instead of a 400 naming the field.
export const INT4_MIN = -2_147_483_648;
export const INT4_MAX = 2_147_483_647;

/** An integer that fits a Postgres int4 column, within [min, max]. */
export const int4 = (min = INT4_MIN, max = INT4_MAX) => v.pipe(
  v.number('must be a number'),
  v.integer('must be an integer'),
  v.minValue(min, `must be at least ${min}`),
  v.maxValue(max, `must be at most ${max}`),
);

/** A serial (int4) row id. */
export const Id = v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(1, 'must be a positive id'), v.maxValue(INT4_MAX, `must be at most ${INT4_MAX}`));

/** A bigserial (int8) row id: digits, as a string or a number; the API hands them out as strings. */
export const BigId = (what: string) => v.pipe(
  v.union([v.string(), v.number()]),
  v.transform(String),
  v.regex(/^\d+$/, `must be ${what}`),
  // Validations after a failed one still run (valibot): parse only what the regex passed.
  v.check((s) => !/^\d{19,}$/.test(s) || BigInt(s) <= INT8_MAX, `must be ${what}`),
);

/** Postgres text (and jsonb) cannot hold U+0000. */
export const noNul = v.check((s: string) => !s.includes('\u0000'), 'must not contain NUL (\\u0000) characters');

/** A string with no NUL: everything admin inputs store in text columns. */
export const Text = v.pipe(v.string(), noNul);

/** String keys and values with no NUL (jsonb maps: mappings, config, headers). */
export const TextRecord = v.record(Text, Text);

export const UsdAmount = v.pipe(
  v.union([v.string(), v.number()]),
  v.transform(String),
  v.regex(/^\d+(\.\d{1,9})?$/, 'must be a non-negative USD amount with at most 9 decimals'),
  // In nano-USD it must fit int8 (balances, budgets, prices). Runs even when the regex failed.
  v.check((s) => !/^\d+(\.\d{1,9})?$/.test(s) || usdToNano(s) <= INT8_MAX, 'must be at most 9223372036.854775807'),
);

export const ModelList = v.pipe(
  v.union([v.string(), v.array(v.string())]),
  v.transform((x) => [...new Set((Array.isArray(x) ? x : x.split(',')).map((s) => s.trim()).filter(Boolean))]),
  v.check((xs) => xs.every((s) => !s.includes('\u0000')), 'must not contain NUL (\\u0000) characters'),
);

export const ChannelCreate = v.object({
  name: v.pipe(Text, v.trim(), v.nonEmpty('name is required')),
  type: int4(1),
  baseUrl: v.optional(v.pipe(Text, v.trim(), v.check((s) => s === '' || /^https?:\/\/[^\s]+$/.test(s), 'must be an http(s) URL')), ''),
  /** Upstream keys, one per line. */
  /** One key per line; may be empty only for a vendor that takes no key (Ollama). */
  key: v.optional(v.pipe(Text, v.trim()), ''),
  models: v.pipe(ModelList, v.minLength(1, 'at least one model is required')),
  priority: v.optional(int4(), 0),
  weight: v.optional(int4(0), 1),
  mapping: v.optional(TextRecord, {}),
  groups: v.optional(ModelList, ['default']),
  config: v.optional(TextRecord, {}),
});

// Account schemas (users, keys, tokens, sign-in) live in server/auth/schemas.ts.

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
