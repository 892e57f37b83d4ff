// Failover: walk the candidate channels (already in priority/weight order) until one
// answers 2xx, within the configured retry count. A 429 cools that key and an auth error
// disables it, then the next key of the same channel is tried; a 5xx, timeout or
// connection failure counts against the channel's health and moves to the next channel;
// a refused request (400, 404, 413, 422, …) is final. A key is never tried twice and a
// channel disabled meanwhile is skipped. Every attempt is recorded on the call, with why.
import { mappedModel } from '../state/model-names.ts';
import type { Gateway } from '../context.ts';
import { noteChannelError, noteKeyInvalid, noteRateLimited, noteSuccess } from '../routing/outcomes.ts';
import { routingSettings } from '../routing/settings.ts';
import type { ChannelEntry } from '../state/types.ts';
import type { Call } from './call.ts';
import { RelayError } from './errors.ts';
import type { ChannelTarget, UpstreamRequest } from './providers/types.ts';
import { nextKeyAt, PIN_HEADER, pickKey, pinnedChannel } from './select-channel.ts';
import { type Attempt, classifyFailure, retryAfterMs, sendUpstream, upstreamError, upstreamMessage } from './upstream.ts';

export async function tryChannels<C>(
  gw: Gateway,
  call: Call,
  request: Request,
  channels: ChannelEntry[],
  prepare: (channel: ChannelEntry, target: ChannelTarget, upstreamModel: string) => { ctx: C; build: () => Promise<UpstreamRequest> | UpstreamRequest },
): Promise<{ ctx: C; attempt: Attempt }> {
  const s = routingSettings(gw.store);
  const maxAttempts = s.retries + 1;
  const pinned = pinnedChannel(gw.store, call.principal!, request.headers.get(PIN_HEADER), call.model);
  let lastError: RelayError | null = null;
  let coolingUntil = 0;
  const tried = new Set<number>();

  channels: for (const channel of pinned ? [pinned] : channels) {
    while (call.attempts.length < maxAttempts) {
      if (channel.status !== 1) continue channels;
      const key = pickKey(channel, Date.now(), tried, s.keyRotation);
      if (!key) {
        const at = nextKeyAt(channel);
        if (at > Date.now() && (!coolingUntil || at < coolingUntil)) coolingUntil = at;
        continue channels;
      }
      tried.add(key.id);
      const started = performance.now();
      call.channel = channel;
      call.upstreamModel = mappedModel(channel.mapping, call.model);
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
          noteSuccess(gw, s, channel, call.model, key);
          return { ctx, attempt };
        }
        const text = await res.text().catch(() => '');
        const message = channel.provider.chat?.error?.(res.status, text).message ?? upstreamMessage(res.status, text);
        lastError = upstreamError(res.status, message);
        switch (classifyFailure(res.status, text)) {
          case 'client':
            record(res.status, message);
            throw lastError;
          case 'rate_limit': {
            const ms = noteRateLimited(gw, s, channel, key, retryAfterMs(res.headers));
            record(res.status, ms ? `key cooled ${Math.ceil(ms / 1000)} s: ${message}` : message);
            continue;
          }
          case 'key_invalid':
            noteKeyInvalid(gw, channel, key, message);
            record(res.status, `key disabled: ${message}`);
            continue;
          case 'server':
            noteChannelError(gw, s, channel, call.model, message);
            record(res.status, message);
            continue channels;
        }
      } catch (e) {
        if (e === lastError) throw e;
        const err = e instanceof RelayError ? e : new RelayError(502, `Upstream failed: ${(e as Error).message}`, 'upstream_error', 'upstream_error');
        record(err.status, err.message);
        lastError = err;
        // The client left, or the gateway could not build the request for this input: final.
        if (err.status === 499 || err.status === 400) throw err;
        noteChannelError(gw, s, channel, call.model, err.message);
        continue channels;
      }
    }
    break;
  }
  if (lastError) throw lastError;
  if (coolingUntil) {
    const secs = Math.max(1, Math.ceil((coolingUntil - Date.now()) / 1000));
    throw new RelayError(429, `Every upstream key for model "${call.model}" is cooling down; retry in ${secs} s.`, 'rate_limit_error', 'upstream_keys_cooling', { 'retry-after': String(secs) });
  }
  throw new RelayError(503, `No usable upstream key for model "${call.model}".`, 'upstream_error', 'no_available_key');
}
