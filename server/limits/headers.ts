// OpenAI's rate-limit headers for a refused take: x-ratelimit-{limit,remaining,reset}-
// {requests,tokens} for the tightest window of each kind, and Retry-After in seconds.
import type { TakeResult } from './counter.ts';
import type { LimitedTake } from './limiter.ts';

/** OpenAI's duration format: "1s", "6m0s", "0.5s". */
export function formatReset(ms: number): string {
  if (ms < 1000) return `${Math.max(ms, 0) / 1000}s`;
  const s = Math.ceil(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}

export function rateLimitHeaders(items: LimitedTake[], result: TakeResult) {
  const headers: Record<string, string> = {};
  let breached = items[0]!;
  let retryAfterMs = 0;
  for (const kind of ['requests', 'tokens'] as const) {
    let tightest: { item: LimitedTake; remaining: number; resetMs: number } | null = null;
    items.forEach((item, n) => {
      if (item.kind !== kind) return;
      const w = result.windows[n]!;
      const remaining = Math.max(0, item.limit - w.used);
      if (!tightest || remaining < tightest.remaining) tightest = { item, remaining, resetMs: w.resetMs };
      const full = w.used + Math.max(item.amount, 0) > item.limit || (item.amount <= 0 && w.used >= item.limit);
      if (full && w.resetMs >= retryAfterMs) {
        retryAfterMs = w.resetMs;
        breached = item;
      }
    });
    if (!tightest) continue;
    const t = tightest as { item: LimitedTake; remaining: number; resetMs: number };
    headers[`x-ratelimit-limit-${kind}`] = String(t.item.limit);
    headers[`x-ratelimit-remaining-${kind}`] = String(t.remaining);
    headers[`x-ratelimit-reset-${kind}`] = formatReset(t.resetMs);
  }
  headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
  return { headers, retryAfterMs: Math.max(retryAfterMs, 1000), breached };
}
