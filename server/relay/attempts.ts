// Failover: walk every candidate channel, across all priority tiers, until one answers 2xx,
// a final (client) error comes back, or the call's failover deadline passes
// (`failoverDeadlineMs`, measured from the call's arrival: no new attempt starts after it).
// Attempts are bounded by distinct channel × key pairs — a key is never tried twice in a
// call — with `retries` only as a backstop. Candidates whose circuit breaker is open go
// after every closed one (skipped while a closed one remains, tried last rather than
// failing the call). A 429 cools that key and an auth error disables it, then the next key
// of the same channel is tried; a 5xx, timeout or connection failure counts against the
// channel's breaker and health and moves to the next channel; a refused request (400, 404,
// 413, 422, …) is final. A channel disabled meanwhile is skipped. Every attempt is
// recorded on the call, with why.
import { mappedModel } from '../state/model-names.ts';
import type { Gateway } from '../context.ts';
import { noteChannelError, noteChannelUnavailable, noteKeyInvalid, noteRateLimited, noteSuccess } from '../routing/outcomes.ts';
import { routingSettings } from '../routing/settings.ts';
import type { Pin } from '../routing/affinity.ts';
import type { ChannelEntry, PoolKey } from '../state/types.ts';
import type { Call } from './call.ts';
import { readErrorText } from './protocols/shared/upstream-bounds.ts';
import { credentialsOf } from '../state/secret-scrubber.ts';
import { RelayError } from './protocols/openai/errors.ts';
import type { ChannelTarget, UpstreamRequest } from './providers/types.ts';
import { affinityOrder, breakerOrder, nextKeyAt, pickKey, pinHeader, pinnedChannel } from './select-channel.ts';
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
  const deadline = call.t0 + s.failoverDeadlineMs;
  const pinned = pinnedChannel(gw.store, call.principal!, pinHeader(request.headers, call.principal!), call.model);
  let lastError: RelayError | null = null;
  let coolingUntil = 0;
  let outOfTime = false;
  const tried = new Set<number>();
  let order = pinned ? [pinned] : breakerOrder(gw.routing.breakers, channels, call.model);
  // Cache affinity (docs/routing.md): the conversation's pinned channel and key go first
  // while they may serve; failover, breakers, disables and weight 0 still win.
  const affinityKey = !pinned && call.conversation && s.affinityTtlMs > 0 ? `${call.principal!.user.id}:${call.model}:${call.conversation}` : null;
  let pin: Pin | null = null;
  let pinnedKey: PoolKey | null = null;
  let renewing = false;
  if (affinityKey) {
    pin = await gw.routing.affinity.get(affinityKey);
    // Once per TTL the pin takes its chance in the weighted order like a new conversation
    // (the channel's weight budget); it keeps its key if the draw keeps its channel.
    renewing = pin !== null && Date.now() - pin.since >= s.affinityTtlMs;
    if (pin && (!renewing || order[0]?.id === pin.channelId)) {
      const a = affinityOrder(gw.routing.breakers, order, call.model, pin);
      order = a.channels;
      pinnedKey = a.key;
    }
  }

  channels: for (const channel of order) {
    // Why this call's keys of this channel failed with 429s or key errors (null: none did).
    let keyFailure: string | null = null;
    for (;;) {
      if (channel.status !== 1) break;
      if (call.attempts.length >= maxAttempts) break channels;
      if (call.attempts.length > 0 && performance.now() >= deadline) {
        outOfTime = true;
        break channels;
      }
      const key = pinnedKey && channel.id === pin!.channelId && !tried.has(pinnedKey.id) && pinnedKey.status === 1 ? pinnedKey : pickKey(channel, Date.now(), tried, s.keyRotation);
      if (!key) {
        const at = nextKeyAt(channel);
        if (at > Date.now() && (!coolingUntil || at < coolingUntil)) coolingUntil = at;
        break;
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
          gw.routing.latency.record(channel.id, call.model, call.upstreamHeaders - call.upstreamStart);
          if (affinityKey) {
            const kept = pin !== null && pin.channelId === channel.id && pin.keyId === key.id;
            call.affinity = !pin ? 'miss' : kept ? 'hit' : 'broken';
            const now = Date.now();
            gw.routing.affinity.set(affinityKey, { channelId: channel.id, keyId: key.id, since: kept && !renewing ? pin!.since : now }, s.affinityTtlMs, now);
          }
          return { ctx, attempt };
        }
        const text = gw.secrets.scrub(await readErrorText(res), credentialsOf(upstreamReq));
        const message = channel.provider.chat?.errorMessage?.(res.status, text).message ?? upstreamMessage(res.status, text);
        lastError = upstreamError(res.status, message);
        switch (classifyFailure(res.status, text)) {
          case 'client':
            record(res.status, message);
            throw lastError;
          case 'rate_limit': {
            const ms = noteRateLimited(gw, s, channel, key, retryAfterMs(res.headers));
            record(res.status, ms ? `key cooled ${Math.ceil(ms / 1000)} s: ${message}` : message);
            keyFailure = message;
            continue;
          }
          case 'key_invalid':
            noteKeyInvalid(gw, channel, key, message);
            record(res.status, `key disabled: ${message}`);
            keyFailure = message;
            continue;
          case 'server':
            noteChannelError(gw, s, channel, call.model, message);
            record(res.status, message);
            continue channels;
        }
      } catch (e) {
        if (e === lastError) throw e;
        const err: RelayError = e instanceof RelayError ? e : new RelayError(502, `Upstream failed: ${(e as Error).message}`, 'upstream_error', 'upstream_error');
        record(err.status, err.message);
        lastError = err;
        // The client left, or the gateway could not build the request for this input: final.
        if (err.status === 499 || err.status === 400) throw err;
        noteChannelError(gw, s, channel, call.model, err.message);
        continue channels;
      }
    }
    if (keyFailure !== null) noteChannelUnavailable(gw, s, channel, call.model, keyFailure);
  }
  if (affinityKey) call.affinity = pin ? 'broken' : 'miss';
  if (outOfTime) gw.log.warn('failover deadline reached', { request_id: call.requestId, model: call.model, attempts: call.attempts.length, deadline_ms: s.failoverDeadlineMs });
  if (lastError) throw lastError;
  if (coolingUntil) {
    const secs = Math.max(1, Math.ceil((coolingUntil - Date.now()) / 1000));
    throw new RelayError(429, `Every upstream key for model "${call.model}" is cooling down; retry in ${secs} s.`, 'rate_limit_error', 'upstream_keys_cooling', { 'retry-after': String(secs) });
  }
  throw new RelayError(503, `No usable upstream key for model "${call.model}".`, 'upstream_error', 'no_available_key');
}
