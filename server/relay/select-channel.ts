// Channel selection: highest priority tier first; inside a tier, a weighted random
// order (Efraimidis–Spirakis), so weight really counts and failover walks the rest —
// or, opted in per model or group, ranked by latency or cost price with weight breaking ties.
import type { Pin } from '../routing/affinity.ts';
import type { Gateway } from '../context.ts';
import type { Breakers } from '../routing/breaker.ts';
import { routingSettings } from '../routing/settings.ts';
import type { Store } from '../state/store.ts';
import type { ChannelEntry, PoolKey } from '../state/types.ts';
import type { KeyHolder } from './auth.ts';
import { RelayError } from './protocols/openai/errors.ts';

export interface SelectOptions {
  /** Groups the caller may use (the owner's group, narrowed by the key). */
  groups: string[];
  /** Limit to these channel types (`X-AI-Provider`). */
  types?: Set<number> | null;
  random?: () => number;
  /** Ranking inside a tier, lowest first (latency or cost); the weighted order breaks ties. */
  rank?: ((c: ChannelEntry) => number) | null;
}

export function candidates(store: Store, model: string, opts: SelectOptions): ChannelEntry[] {
  const tiers = store.routes(model);
  if (!tiers) return [];
  const rnd = opts.random ?? Math.random;
  const out: ChannelEntry[] = [];
  for (const tier of tiers) {
    const eligible = tier.channels.filter((c) =>
      c.status === 1 && (!opts.types || opts.types.has(c.type)) && opts.groups.some((g) => c.groups.has(g)));
    if (eligible.length === 1) out.push(eligible[0]!);
    else if (eligible.length > 1) {
      const order = weightedOrder(eligible, rnd);
      // A stable sort keeps the weighted order among equals.
      if (opts.rank) {
        const rank = opts.rank;
        const keyed = order.map((c) => ({ c, r: rank(c) }));
        keyed.sort((a, b) => (a.r === b.r ? 0 : a.r - b.r));
        for (const x of keyed) out.push(x.c);
      } else out.push(...order);
    }
  }
  return out;
}

/**
 * The candidates with open (or half-open) circuit breakers moved after every closed one,
 * each group keeping its priority/weight order: skipped while a closed candidate remains,
 * tried last rather than failing the call. No allocation while no breaker is open.
 */
export function breakerOrder(breakers: Breakers, channels: ChannelEntry[], model: string, now = Date.now()): ChannelEntry[] {
  let open: ChannelEntry[] | null = null;
  let closed: ChannelEntry[] | null = null;
  for (let i = 0; i < channels.length; i++) {
    const c = channels[i]!;
    if (breakers.state(c.id, model, now) === 'closed') {
      closed?.push(c);
      continue;
    }
    if (!open) {
      open = [];
      closed = channels.slice(0, i);
    }
    open.push(c);
  }
  return open ? closed!.concat(open) : channels;
}

/**
 * Cache affinity: the conversation's pinned channel moved to the front of the failover order
 * when it may still serve — enabled, weight above 0 (an operator drains a channel with
 * weight 0), circuit breaker closed, and in the best tier still available (a higher tier
 * that comes back wins) — with its pinned key when that key is usable. Otherwise the order
 * is unchanged and the pin is broken (the call re-pins wherever it is served).
 */
export function affinityOrder(breakers: Breakers, channels: ChannelEntry[], model: string, pin: Pin, now = Date.now()): { channels: ChannelEntry[]; key: PoolKey | null } {
  const i = channels.findIndex((c) => c.id === pin.channelId);
  const c = channels[i];
  if (!c || c.status !== 1 || c.weight <= 0 || breakers.state(c.id, model, now) !== 'closed' || c.priority < channels[0]!.priority) return { channels, key: null };
  const key = c.keys.find((k) => k.id === pin.keyId && k.status === 1 && k.cooldownUntil <= now) ?? null;
  return { channels: i === 0 ? channels : [c, ...channels.slice(0, i), ...channels.slice(i + 1)], key };
}

/** Ranking inside a tier for `model` and the caller's group, from the routing settings (null: by weight). */
export function rankFor(gw: Gateway, model: string, group: string): ((c: ChannelEntry) => number) | null {
  const s = routingSettings(gw.store);
  const mode = Object.hasOwn(s.rankByModel, model) ? s.rankByModel[model] : Object.hasOwn(s.rankByGroup, group) ? s.rankByGroup[group] : 'weight';
  if (mode === 'latency') {
    // A channel without a sample yet goes first, so it gets measured.
    return (c) => gw.routing.latency.ttfb(c.id, model) ?? 0;
  }
  if (mode === 'cost') return (c) => costRank(c, model);
  return null;
}

/** Input + output cost price per 1M tokens (nano-USD); channels without a cost price rank last. */
function costRank(c: ChannelEntry, model: string): number {
  const p = c.costPrices.get(model) ?? c.costPrices.get('*');
  return p ? Number(p.input + p.output) : Number.POSITIVE_INFINITY;
}

function weightedOrder(channels: ChannelEntry[], rnd: () => number): ChannelEntry[] {
  const keyed = channels.map((c) => ({ c, k: c.weight > 0 ? Math.pow(rnd(), 1 / c.weight) : -1 + rnd() * 1e-9 }));
  keyed.sort((a, b) => b.k - a.k);
  return keyed.map((x) => x.c);
}

/**
 * Next usable key of the channel's pool, skipping disabled, cooling and already tried keys:
 * round-robin from the channel's cursor, or from a random start.
 */
export function pickKey(channel: ChannelEntry, now = Date.now(), exclude?: Set<number>, rotation: 'round-robin' | 'random' = 'round-robin', rnd = Math.random): PoolKey | null {
  const n = channel.keys.length;
  const start = rotation === 'random' ? Math.floor(rnd() * n) : channel.cursor;
  for (let i = 0; i < n; i++) {
    const k = channel.keys[(start + i) % n]!;
    if (k.status === 1 && k.cooldownUntil <= now && !exclude?.has(k.id)) {
      channel.cursor = (start + i + 1) % n;
      return k;
    }
  }
  return null;
}

/** Earliest time a cooling key of the channel becomes usable again (0: none is cooling). */
export function nextKeyAt(channel: ChannelEntry): number {
  let at = 0;
  for (const k of channel.keys) if (k.status === 1 && (at === 0 || k.cooldownUntil < at)) at = k.cooldownUntil;
  return at;
}

export const PIN_HEADER = 'x-switchboard-channel';
/** AI Proxy's name for the same pin (FastGPT's model test sends it with ADMIN_KEY); honoured for admin callers. */
export const AIPROXY_PIN_HEADER = 'aiproxy-channel';

/** The pin a request asks for: ours, else (admins only; others' is ignored, as before) AI Proxy's alias. */
export function pinHeader(headers: Headers, principal: KeyHolder): string | null {
  return headers.get(PIN_HEADER) ?? (principal.user.role !== 'user' ? headers.get(AIPROXY_PIN_HEADER) : null);
}

/**
 * `X-Switchboard-Channel: <id>` (or AI Proxy's `Aiproxy-Channel: <id>`) pins one enabled channel for a request.
 * Only admin and root users may pin; groups are not checked for them.
 */
export function pinnedChannel(store: Store, principal: KeyHolder, header: string | null, model: string): ChannelEntry | null {
  if (header === null && principal.pinChannel !== undefined) return keyPinnedChannel(store, principal.pinChannel, model);
  if (header === null) return null;
  if (principal.user.role !== 'admin' && principal.user.role !== 'root') {
    throw new RelayError(403, `Only admin users may pin a channel with ${PIN_HEADER}.`, 'permission_error', 'channel_pin_forbidden');
  }
  const id = /^\d+$/.test(header.trim()) ? Number(header.trim()) : NaN;
  const channel = Number.isSafeInteger(id) ? store.channel(id) : undefined;
  if (!channel || !store.routes(model)?.some((t) => t.channels.includes(channel))) {
    throw new RelayError(404, `Channel ${header.trim()} does not exist or does not serve model "${model}".`, 'not_found_error', 'channel_not_found');
  }
  if (channel.status !== 1) throw new RelayError(409, `Channel ${id} is disabled.`, 'invalid_request_error', 'channel_disabled');
  return channel;
}

/**
 * One API's `sk-<key>-<channel id>` pin (admin keys only, checked at authentication). The id is
 * One API's: after an import it names the channel imported from it; otherwise Switchboard's id.
 */
function keyPinnedChannel(store: Store, id: number, model: string): ChannelEntry {
  let channel: ChannelEntry | undefined;
  for (const c of store.channels()) if (c.oneapiId === id) channel = c;
  channel ??= store.channel(id);
  if (!channel || !channel.models.has(model)) {
    throw new RelayError(404, `Channel ${id} (from the key's -${id} suffix) does not exist or does not serve model "${model}".`, 'not_found_error', 'channel_not_found');
  }
  if (channel.status !== 1) throw new RelayError(409, `Channel ${id} is disabled.`, 'invalid_request_error', 'channel_disabled');
  return channel;
}
