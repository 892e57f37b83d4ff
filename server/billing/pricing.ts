// Cost of one token-priced call from metered usage and a price row (other units are in
// unit-pricing.ts). Prices are nano-USD per 1M tokens; the sum is taken exactly and
// rounded once, half up, at the end:
//   cost = round( (Σ units_k × price_k + per_request × 1e6) × multiplier_ppm / 1e12 )
import type { MeteredUsage } from '../relay/protocols/openai/types.ts';
import { divRound, INT8_MAX } from './money.ts';

/**
 * Prices in other units, stored in `prices.extra` (jsonb). Amounts are nano-USD as decimal
 * strings (JSON has no bigint).
 */
export interface PriceExtra {
  /** Output tokens reserved when a request gives no max_tokens. */
  default_max_tokens?: number;
  /** Per image, keyed `"<size>|<quality>"` (e.g. `"1024x1024|standard"`), `"<size>"` or `"*"`. */
  image?: Record<string, string>;
  /** Text-to-speech, per 1M input characters. */
  tts_per_m_chars?: string;
  /** Speech-to-text, per minute of audio (billed per second, rounded once). */
  stt_per_minute?: string;
  /** Rerank, per search (one query against its documents). */
  per_search?: string;
  /**
   * Long-context tier: above `threshold` prompt tokens these per-1M prices apply to the
   * whole call. Cache prices default to the tier's input price when absent.
   */
  long_context?: LongContextTier;
}

export interface LongContextTier {
  threshold: number;
  input: string;
  output: string;
  cache_read?: string;
  cache_write_5m?: string;
  cache_write_1h?: string;
}

export interface PriceEntry {
  model: string;
  input: bigint;
  output: bigint;
  cacheRead: bigint | null;
  cacheWrite5m: bigint | null;
  cacheWrite1h: bigint | null;
  perRequest: bigint | null;
  /** Output tokens reserved when a request gives no max_tokens. */
  defaultMaxTokens: number;
  extra: PriceExtra;
}

/** Per-1M token rates in effect for one call. */
interface Rates {
  input: bigint;
  output: bigint;
  cacheRead: bigint;
  write5m: bigint;
  write1h: bigint;
}

const PER_M = 1_000_000n;
const PPM = 1_000_000n;
const ONE_X = 1_000_000;

/** The token rates for a call with `promptTokens` prompt tokens (long-context tier above its threshold). */
export function ratesFor(price: PriceEntry, promptTokens: number): Rates {
  const lc = price.extra.long_context;
  if (lc && promptTokens > lc.threshold) {
    const input = BigInt(lc.input);
    const write5m = lc.cache_write_5m !== undefined ? BigInt(lc.cache_write_5m) : input;
    return {
      input,
      output: BigInt(lc.output),
      cacheRead: lc.cache_read !== undefined ? BigInt(lc.cache_read) : input,
      write5m,
      write1h: lc.cache_write_1h !== undefined ? BigInt(lc.cache_write_1h) : write5m,
    };
  }
  const write5m = price.cacheWrite5m ?? price.input;
  return { input: price.input, output: price.output, cacheRead: price.cacheRead ?? price.input, write5m, write1h: price.cacheWrite1h ?? write5m };
}

/** Σ(tokens × per-1M price) plus the per-request price, times the group multiplier, rounded once. */
function settle(tokensTimesPerM: bigint, price: PriceEntry, multiplierPpm: number): bigint {
  const perRequest = (price.perRequest ?? 0n) * PER_M;
  return divRound((tokensTimesPerM + perRequest) * BigInt(multiplierPpm), PER_M * PPM);
}

/** Token-priced call. Reasoning tokens are part of `output` and billed there, once. */
export function costOf(usage: MeteredUsage, price: PriceEntry, multiplierPpm = ONE_X): bigint {
  const r = ratesFor(price, usage.input + usage.cacheRead + usage.cacheWrite);
  const tokens =
    BigInt(usage.input) * r.input +
    BigInt(usage.output) * r.output +
    BigInt(usage.cacheRead) * r.cacheRead +
    BigInt(Math.max(0, usage.cacheWrite - usage.cacheWrite1h)) * r.write5m +
    BigInt(usage.cacheWrite1h) * r.write1h;
  return settle(tokens, price, multiplierPpm);
}

/** A token count for the worst case: fractions round up, NaN and negatives are 0, +Infinity is 2^53. */
function worstTokens(n: number): bigint {
  if (Number.isNaN(n) || n <= 0) return 0n;
  return BigInt(Number.isFinite(n) ? Math.ceil(n) : Number.MAX_SAFE_INTEGER);
}

/**
 * Worst-case cost reserved before calling upstream: every prompt token at the dearest input
 * rate. Capped at int8's maximum: no balance or budget can cover more, so a bigger worst
 * case simply fails as insufficient (and never reaches Postgres as an out-of-range number).
 */
export function reserveOf(promptTokens: number, maxTokens: number, price: PriceEntry, multiplierPpm = ONE_X): bigint {
  const r = ratesFor(price, promptTokens);
  let worstInput = r.input;
  for (const x of [r.cacheRead, r.write5m, r.write1h]) if (x > worstInput) worstInput = x;
  const amount = settle(worstTokens(promptTokens) * worstInput + worstTokens(maxTokens) * r.output, price, multiplierPpm);
  return amount > INT8_MAX ? INT8_MAX : amount;
}
