// Exact cost of calls billed in units other than tokens (images, TTS characters, STT
// seconds, rerank searches), from the `extra` prices of a model. Like costOf, the product
// is taken exactly — unit price × quantity, plus the per-request price, times the group
// multiplier — and rounded once, half up. A function returns null when the model has no
// price in that unit, so the caller can fall back to tokens.
import { divRound } from './money.ts';
import type { PriceEntry, PriceExtra } from './pricing.ts';

const PPM = 1_000_000n;
const PER_M = 1_000_000n;

/** A nano-USD amount from PriceExtra (a decimal string of whole nano-USD); malformed means unpriced. */
function nano(amount: string | undefined): bigint | null {
  return typeof amount === 'string' && /^\d+$/.test(amount) ? BigInt(amount) : null;
}

/** round((unit × quantity / per + perRequest) × multiplier), with one rounding. */
function unitCost(unit: bigint, quantity: bigint, per: bigint, price: PriceEntry, multiplierPpm: number): bigint {
  const perRequest = price.perRequest ?? 0n;
  return divRound((unit * quantity + perRequest * per) * BigInt(multiplierPpm), per * PPM);
}

/** Price of one image: `"<size>|<quality>"`, then `"<size>"`, then `"*"`. */
export function imageUnitPrice(extra: PriceExtra, size: string, quality: string): bigint | null {
  const table = extra.image;
  if (!table) return null;
  return nano(table[`${size}|${quality}`]) ?? nano(table[size]) ?? nano(table['*']);
}

/** The dearest image price of a model: the reservation for an image whose size or quality is not known yet. */
export function maxImageUnitPrice(extra: PriceExtra): bigint | null {
  let max: bigint | null = null;
  for (const amount of Object.values(extra.image ?? {})) {
    const n = nano(amount);
    if (n !== null && (max === null || n > max)) max = n;
  }
  return max;
}

export function imagesCost(unitPrice: bigint, n: number, price: PriceEntry, multiplierPpm: number): bigint {
  return unitCost(unitPrice, BigInt(n), 1n, price, multiplierPpm);
}

/** Text-to-speech: per input character (Unicode code points), priced per 1M characters. */
export function ttsCost(chars: number, price: PriceEntry, multiplierPpm: number): bigint | null {
  const perM = nano(price.extra.tts_per_m_chars);
  return perM === null ? null : unitCost(perM, BigInt(chars), PER_M, price, multiplierPpm);
}

/**
 * Whole seconds billed for an audio duration: rounded to the nearest second (half up), as
 * OpenAI bills Whisper, and at least one second for any audio at all.
 */
export function billedSeconds(durationMs: number): number {
  if (!(durationMs > 0)) return 0;
  return Math.max(1, Number(divRound(BigInt(Math.round(durationMs)), 1000n)));
}

/** Speech-to-text: per second of audio, priced per minute. */
export function sttCost(durationMs: number, price: PriceEntry, multiplierPpm: number): bigint | null {
  const perMinute = nano(price.extra.stt_per_minute);
  return perMinute === null ? null : unitCost(perMinute, BigInt(billedSeconds(durationMs)), 60n, price, multiplierPpm);
}

/** Rerank: per search (one query against up to 100 documents). */
export function searchCost(searches: number, price: PriceEntry, multiplierPpm: number): bigint | null {
  const per = nano(price.extra.per_search);
  return per === null ? null : unitCost(per, BigInt(searches), 1n, price, multiplierPpm);
}
