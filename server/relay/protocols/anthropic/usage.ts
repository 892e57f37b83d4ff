// Anthropic usage → MeteredUsage. Anthropic's input_tokens already EXCLUDES cache reads
// and cache writes, so it maps straight to `input`; no subtraction.
import type { MeteredUsage } from '../openai/types.ts';
import { asRecord, count } from '../shared/json.ts';

export function meterAnthropicUsage(raw: unknown): MeteredUsage | null {
  const u = asRecord(raw);
  if (typeof u.input_tokens !== 'number' && typeof u.output_tokens !== 'number') return null;
  const breakdown = asRecord(u.cache_creation);
  const write5m = count(breakdown.ephemeral_5m_input_tokens);
  const write1h = count(breakdown.ephemeral_1h_input_tokens);
  return {
    input: count(u.input_tokens),
    output: count(u.output_tokens),
    cacheRead: count(u.cache_read_input_tokens),
    // The total is authoritative; the breakdown only says how much of it has a 1h TTL.
    cacheWrite: count(u.cache_creation_input_tokens) || write5m + write1h,
    cacheWrite1h: write1h,
    reasoning: 0,
  };
}

/** Stream usage arrives in pieces (message_start, then message_delta); later values win. */
export function mergeUsage(prev: MeteredUsage | null, raw: unknown): MeteredUsage | null {
  const u = asRecord(raw);
  const next = meterAnthropicUsage(raw);
  if (!prev) return next;
  if (!next) return prev;
  return {
    input: 'input_tokens' in u ? next.input : prev.input,
    output: 'output_tokens' in u ? next.output : prev.output,
    cacheRead: 'cache_read_input_tokens' in u ? next.cacheRead : prev.cacheRead,
    cacheWrite: 'cache_creation_input_tokens' in u ? next.cacheWrite : prev.cacheWrite,
    cacheWrite1h: 'cache_creation' in u ? next.cacheWrite1h : prev.cacheWrite1h,
    reasoning: 0,
  };
}
