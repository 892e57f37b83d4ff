// Failover: walk the candidate channels (already in priority/weight order), one upstream
// key each, until one answers 2xx. Retryable failures (connect errors, timeouts, 429, 5xx)
// move on; anything else is final. Every attempt is recorded on the call.
import type { Gateway } from '../context.ts';
import type { ChannelEntry } from '../state/types.ts';
import type { Call } from './call.ts';
import { RelayError } from './errors.ts';
import type { ChannelTarget, UpstreamRequest } from './providers/types.ts';
import { pickKey } from './select-channel.ts';
import { type Attempt, sendUpstream, upstreamError, upstreamMessage } from './upstream.ts';

const MAX_ATTEMPTS = 3;
const retryable = (status: number) => status === 429 || status >= 500;

export async function tryChannels<C>(
  gw: Gateway,
  call: Call,
  request: Request,
  channels: ChannelEntry[],
  prepare: (channel: ChannelEntry, target: ChannelTarget, upstreamModel: string) => { ctx: C; build: () => Promise<UpstreamRequest> | UpstreamRequest },
): Promise<{ ctx: C; attempt: Attempt }> {
  let lastError: RelayError | null = null;
  const tried = new Set<number>();
  for (const channel of channels) {
    if (call.attempts.length >= MAX_ATTEMPTS) break;
    const key = pickKey(channel, Date.now(), tried);
    if (!key) continue;
    tried.add(key.id);
    const started = performance.now();
    call.channel = channel;
    call.upstreamModel = channel.mapping[call.model] ?? call.model;
    const target: ChannelTarget = { id: channel.id, type: channel.type, baseUrl: channel.baseUrl, key: key.key, config: channel.config };
    const record = (status: number, error?: string) =>
      call.attempts.push({ channel_id: channel.id, key_id: key.id, status, ...(error ? { error: error.slice(0, 300) } : {}), ms: Math.round(performance.now() - started) });
    try {
      const { ctx, build } = prepare(channel, target, call.upstreamModel);
      const upstreamReq = await build();
      call.upstreamStart = performance.now();
      const attempt = await sendUpstream(upstreamReq, request.signal, gw.config.firstByteTimeoutMs);
      call.upstreamHeaders = performance.now();
      const res = attempt.response;
      if (res.ok) {
        record(res.status);
        return { ctx, attempt };
      }
      const text = await res.text().catch(() => '');
      const message = channel.provider.chat?.error?.(res.status, text).message ?? upstreamMessage(res.status, text);
      lastError = upstreamError(res.status, message);
      record(res.status, message);
      if (!retryable(res.status)) break;
    } catch (e) {
      const err = e instanceof RelayError ? e : new RelayError(502, `Upstream failed: ${(e as Error).message}`, 'upstream_error', 'upstream_error');
      record(err.status, err.message);
      lastError = err;
      // A request the gateway could not even build for this channel (bad input) is final.
      if (err.status === 499 || err.status === 400) break;
    }
  }
  throw lastError ?? new RelayError(503, `No usable upstream key for model "${call.model}".`, 'upstream_error', 'no_available_key');
}
