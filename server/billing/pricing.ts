// Cost of one call from metered usage and a price row. Prices are nano-USD per 1M
// tokens; the sum is taken exactly and rounded once, half up, at the end:
//   cost = round( (Σ tokens_k × price_k + per_request × 1e6) × multiplier_ppm / 1e12 )
import type { MeteredUsage } from '../relay/protocol/openai-types.ts';
import { divRound } from './money.ts';

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
  /** Long-context tier: above `threshold` prompt tokens these per-1M prices apply to the whole call. */
  long_context?: { threshold: number; input: string; output: string; cache_read?: string };
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

const PER_M = 1_000_000n;
const PPM = 1_000_000n;

export function costOf(usage: MeteredUsage, price: PriceEntry, multiplierPpm = 1_000_000): bigint {
  const cacheRead = price.cacheRead ?? price.input;
  const write5m = price.cacheWrite5m ?? price.input;
  const write1h = price.cacheWrite1h ?? write5m;
  const tokens =
    BigInt(usage.input) * price.input +
    BigInt(usage.output) * price.output +
    BigInt(usage.cacheRead) * cacheRead +
    BigInt(Math.max(0, usage.cacheWrite - usage.cacheWrite1h)) * write5m +
    BigInt(usage.cacheWrite1h) * write1h;
  const perRequest = (price.perRequest ?? 0n) * PER_M;
  return divRound((tokens + perRequest) * BigInt(multiplierPpm), PER_M * PPM);
}

/** Worst-case cost reserved before calling upstream. */
export function reserveOf(promptTokens: number, maxTokens: number, price: PriceEntry, multiplierPpm = 1_000_000): bigint {
  const worstInput = price.cacheWrite1h && price.cacheWrite1h > price.input ? price.cacheWrite1h : price.input;
  const usage: MeteredUsage = { input: 0, output: maxTokens, cacheRead: 0, cacheWrite: promptTokens, cacheWrite1h: promptTokens, reasoning: 0 };
  return costOf(usage, { ...price, cacheWrite1h: worstInput }, multiplierPpm);
}
