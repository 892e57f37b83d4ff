// What an upstream attempt's outcome does to routing state: key cooldowns and disables,
// the channel × model circuit breaker, the channel's health window, and auto-disabling
// past the error threshold.
import type { RoutingDeps } from './deps.ts';
import type { ChannelEntry, PoolKey } from '../state/types.ts';
import { setChannelStatus } from './channel-status.ts';
import type { RoutingSettings } from './settings.ts';

export function noteSuccess(gw: RoutingDeps, s: RoutingSettings, channel: ChannelEntry, model: string, key: PoolKey): void {
  gw.routing.keys.succeeded(key);
  gw.routing.health.record(channel.id, model, true, s.healthWindowMs);
  if (gw.routing.breakers.success(channel.id, model)) breakerClosed(gw, channel, model);
}

/** A breaker probe passed: the breaker closes and the window counts a success. */
export function noteProbeSuccess(gw: RoutingDeps, s: RoutingSettings, channel: ChannelEntry, model: string): void {
  gw.routing.health.record(channel.id, model, true, s.healthWindowMs);
  if (gw.routing.breakers.success(channel.id, model)) breakerClosed(gw, channel, model);
}

/** A 429: cool the key; returns the cooldown in ms. */
export function noteRateLimited(gw: RoutingDeps, s: RoutingSettings, channel: ChannelEntry, key: PoolKey, retryAfterMs: number | null): number {
  return gw.routing.keys.coolDown(channel, key, retryAfterMs, s);
}

/** An auth or quota error: that key is out of rotation, with the reason; the others keep working. */
export function noteKeyInvalid(gw: RoutingDeps, channel: ChannelEntry, key: PoolKey, reason: string): void {
  if (gw.routing.keys.disable(channel, key, reason)) {
    gw.log.warn('upstream key disabled', { channel_id: channel.id, key_id: key.id, reason });
  }
}

/**
 * Every usable key of the channel answered 429 or an auth/quota error for this call: the
 * channel could not serve it. Counts against the breaker (not the health window, which
 * measures the channel's own failures).
 */
export function noteChannelUnavailable(gw: RoutingDeps, s: RoutingSettings, channel: ChannelEntry, model: string, message: string): void {
  breakerFailure(gw, s, channel, model, message);
}

/** A 5xx, timeout or connection failure: counts against the breaker and the channel × model window. */
export function noteChannelError(gw: RoutingDeps, s: RoutingSettings, channel: ChannelEntry, model: string, message: string): void {
  breakerFailure(gw, s, channel, model, message);
  const { total, errors } = gw.routing.health.record(channel.id, model, false, s.healthWindowMs);
  if (channel.status !== 1 || total < s.healthMinRequests || errors / total < s.healthErrorRate) return;
  const pct = Math.round((errors / total) * 100);
  const reason = `auto-disabled: ${pct}% errors (${errors}/${total}) on "${model}" within ${Math.round(s.healthWindowMs / 1000)} s; last: ${message.slice(0, 300)}`;
  gw.routing.trippedModel.set(channel.id, model);
  // setChannelStatus takes the snapshot's entry out of routing synchronously; the row
  // and the event follow off the hot path.
  setChannelStatus(gw, channel.id, { status: 3, reason, source: 'health', onlyFrom: [1] })
    .catch((e) => gw.log.error('cannot persist channel auto-disable', { channel_id: channel.id, error: e }));
  channel.status = 3;
}

function breakerFailure(gw: RoutingDeps, s: RoutingSettings, channel: ChannelEntry, model: string, message: string): void {
  const effect = gw.routing.breakers.failure(channel.id, model, s, message);
  if (effect === 'opened') {
    gw.log.warn('circuit breaker opened', { channel_id: channel.id, model, reason: message.slice(0, 300) });
    gw.events.emit('channel.breaker', { channelId: channel.id, name: channel.name, model, state: 'open', reason: message.slice(0, 300), at: new Date() });
  }
}

function breakerClosed(gw: RoutingDeps, channel: ChannelEntry, model: string): void {
  gw.log.info('circuit breaker closed', { channel_id: channel.id, model });
  gw.events.emit('channel.breaker', { channelId: channel.id, name: channel.name, model, state: 'closed', reason: null, at: new Date() });
}
