// Channel selection: highest priority tier first; inside a tier, a weighted random
// order (Efraimidis–Spirakis), so weight really counts and failover walks the rest.
import type { Store } from '../state/store.ts';
import type { ChannelEntry, PoolKey } from '../state/types.ts';

export interface SelectOptions {
  /** Groups the caller may use (the owner's group, narrowed by the key). */
  groups: string[];
  /** Limit to these channel types (`X-AI-Provider`). */
  types?: Set<number> | null;
  random?: () => number;
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
    else if (eligible.length > 1) out.push(...weightedOrder(eligible, rnd));
  }
  return out;
}

function weightedOrder(channels: ChannelEntry[], rnd: () => number): ChannelEntry[] {
  const keyed = channels.map((c) => ({ c, k: c.weight > 0 ? Math.pow(rnd(), 1 / c.weight) : -1 + rnd() * 1e-9 }));
  keyed.sort((a, b) => b.k - a.k);
  return keyed.map((x) => x.c);
}

/** Next usable key of the channel's pool, round-robin, skipping disabled and cooling keys. */
export function pickKey(channel: ChannelEntry, now = Date.now(), exclude?: Set<number>): PoolKey | null {
  const n = channel.keys.length;
  for (let i = 0; i < n; i++) {
    const k = channel.keys[(channel.cursor + i) % n]!;
    if (k.status === 1 && k.cooldownUntil <= now && !exclude?.has(k.id)) {
      channel.cursor = (channel.cursor + i + 1) % n;
      return k;
    }
  }
  return null;
}
