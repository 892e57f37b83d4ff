// The relay's read model: keys, users, channels (with decrypted key pools), prices and
// group multipliers, held in memory. `reload()` rebuilds everything from the database
// in one pass and swaps it in atomically, so a request never sees half an update.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { priceEntryOf } from '../billing/price-rows.ts';
import type { PriceEntry } from '../billing/pricing.ts';
import type { Logger } from '../logger.ts';
import { providerFor } from '../relay/providers/registry.ts';
import type { SecretBox } from '../secrets/crypto.ts';
import { bestPattern, isPattern, matchesPattern, priceNames } from './model-names.ts';
import type { ChannelEntry, KeyEntry, Tier, UserEntry } from './types.ts';

const MAX_MEMO = 50_000;

interface Snapshot {
  keysByHash: Map<string, KeyEntry>;
  keysBySecret: Map<string, KeyEntry>;
  keysById: Map<number, KeyEntry>;
  users: Map<number, UserEntry>;
  channels: Map<number, ChannelEntry>;
  /** model → priority tiers (highest first) of the channels serving it, whatever their status. */
  routes: Map<string, Tier[]>;
  prices: Map<string, PriceEntry>;
  groupPpm: Map<string, number>;
  /** `settings` rows: key → jsonb value. */
  settings: Map<string, unknown>;
  /** Channels serving a pattern (`claude-*`), by pattern, in load order. */
  patternChannels: Array<{ pattern: string; channel: ChannelEntry }>;
  /** Price-table patterns. */
  pricePatterns: string[];
  /** Resolved routes and prices for names that needed patterns or dated-name fallbacks (bounded). */
  routeMemo: Map<string, Tier[] | null>;
  priceMemo: Map<string, PriceEntry | null>;
}

const MAX_RESOLVED = 10_000;

export class Store {
  private snap: Snapshot = emptySnapshot();
  private reloading: Promise<void> | null = null;
  private again = false;
  /** Called after every successful reload (Accounts refreshes balances here). */
  onReload: Array<() => void | Promise<void>> = [];
  /** Runtime state of a pool key not yet written to the database (cooldowns, auto-disables), kept over a reload. */
  keyOverlay: ((keyId: number) => { cooldownUntil: number; status?: number } | undefined) | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
    private readonly log: Logger,
  ) {}

  keyByHash(hash: string) { return this.snap.keysByHash.get(hash); }

  /**
   * The key for a presented secret. Hits are memoised by the secret itself for this
   * snapshot, so a warm key costs one Map lookup instead of a SHA-256; misses are not
   * memoised (garbage keys cannot grow the map).
   */
  keyBySecret(secret: string, hash: (s: string) => string): KeyEntry | undefined {
    const memo = this.snap.keysBySecret;
    const hit = memo.get(secret);
    if (hit) return hit;
    const key = this.snap.keysByHash.get(hash(secret));
    if (key) {
      if (memo.size >= MAX_MEMO) memo.clear();
      memo.set(secret, key);
    }
    return key;
  }
  keyById(id: number) { return this.snap.keysById.get(id); }
  user(id: number) { return this.snap.users.get(id); }
  channel(id: number) { return this.snap.channels.get(id); }
  channels() { return this.snap.channels.values(); }
  /** Priority tiers of the channels serving `model`: exact names plus matching patterns. */
  routes(model: string): Tier[] | undefined {
    const snap = this.snap;
    if (snap.patternChannels.length === 0) return snap.routes.get(model);
    let tiers = snap.routeMemo.get(model);
    if (tiers === undefined) {
      tiers = withPatterns(snap.routes.get(model), snap.patternChannels, model);
      if (snap.routeMemo.size >= MAX_RESOLVED) snap.routeMemo.clear();
      snap.routeMemo.set(model, tiers);
    }
    return tiers ?? undefined;
  }
  /** Model names served exactly (patterns are not listed). */
  models() { return this.snap.routes.keys(); }
  /** The list price of `model`: exact, else its undated name, else the longest matching price pattern. */
  price(model: string): PriceEntry | undefined {
    const snap = this.snap;
    const own = snap.prices.get(model);
    if (own) return own;
    let found = snap.priceMemo.get(model);
    if (found === undefined) {
      found = resolvePrice(snap, model);
      if (snap.priceMemo.size >= MAX_RESOLVED) snap.priceMemo.clear();
      snap.priceMemo.set(model, found);
    }
    return found ?? undefined;
  }
  groupMultiplierPpm(group: string) { return this.snap.groupPpm.get(group) ?? 1_000_000; }
  /** All settings rows of this snapshot; a new Map object after every reload. */
  settings(): ReadonlyMap<string, unknown> { return this.snap.settings; }

  /**
   * Rebuild from the database. Concurrent calls coalesce: one more reload runs after
   * the current one, so the last admin change is always picked up.
   */
  reload(): Promise<void> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.again = false;
          this.snap = await this.load();
          for (const fn of this.onReload) await fn();
        } while (this.again);
      } finally {
        this.reloading = null;
      }
    })();
    return this.reloading;
  }

  private async load(): Promise<Snapshot> {
    const [users, keys, channels, poolKeys, prices, groups, settings, channelPrices, costPrices] = await Promise.all([
      this.db.selectFrom('users').select(['id', 'username', 'role', 'status', 'group_name', 'unlimited', 'rpm', 'tpm']).execute(),
      this.db.selectFrom('api_keys').selectAll().execute(),
      this.db.selectFrom('channels').selectAll().execute(),
      this.db.selectFrom('channel_keys').selectAll().orderBy('position').execute(),
      this.db.selectFrom('prices').selectAll().execute(),
      this.db.selectFrom('groups').selectAll().execute(),
      this.db.selectFrom('settings').select(['key', 'value']).execute(),
      this.db.selectFrom('channel_prices').selectAll().execute(),
      this.db.selectFrom('channel_cost_prices').selectAll().execute(),
    ]);
    const snap = emptySnapshot();
    for (const u of users) {
      snap.users.set(u.id, { id: u.id, username: u.username, role: u.role, status: u.status, group: u.group_name, unlimited: u.unlimited, rpm: u.rpm, tpm: u.tpm });
    }
    for (const k of keys) {
      const entry: KeyEntry = {
        id: k.id, userId: k.user_id, name: k.name, status: k.status, budget: k.budget, used: k.used,
        expiresAt: k.expires_at ? new Date(k.expires_at).getTime() : null,
        models: k.models && k.models.length ? new Set(k.models) : null,
        ipAllow: k.ip_allow && k.ip_allow.length ? k.ip_allow : null,
        groups: k.groups && k.groups.length ? k.groups : null,
        period: k.period, periodBudget: k.period ? k.period_budget : null, rpm: k.rpm, tpm: k.tpm,
      };
      snap.keysByHash.set(k.key_hash, entry);
      snap.keysById.set(k.id, entry);
    }
    const pools = new Map<number, ChannelEntry['keys']>();
    for (const pk of poolKeys) {
      let key: string;
      try {
        key = this.box.open(pk.key_enc);
      } catch {
        this.log.error('cannot decrypt channel key: wrong SWITCHBOARD_SECRET?', { channel_id: pk.channel_id, key_id: pk.id });
        continue;
      }
      const list = pools.get(pk.channel_id) ?? [];
      list.push({ id: pk.id, key, status: pk.status, cooldownUntil: pk.cooldown_until ? new Date(pk.cooldown_until).getTime() : 0, ...this.keyOverlay?.(pk.id) });
      pools.set(pk.channel_id, list);
    }
    for (const c of channels) {
      // A vendor with two APIs picks one by the shape of the channel's (first) key.
      const provider = providerFor(c.type, pools.get(c.id)?.[0]?.key);
      const entry: ChannelEntry = {
        id: c.id, oneapiId: c.oneapi_id ?? null, name: c.name, type: c.type, provider,
        baseUrl: (c.base_url || provider.defaultBaseUrl).replace(/\/+$/, ''),
        models: new Set(c.models), mapping: c.model_mapping ?? {}, priority: c.priority, weight: c.weight,
        groups: new Set(c.groups), status: c.status, config: c.config ?? {}, headers: c.headers ?? {},
        systemPrompt: c.system_prompt || null, paramOverride: c.param_override ?? {},
        // The round-robin position survives a reload (this.snap is still the previous snapshot).
        keys: pools.get(c.id) ?? [], cursor: this.snap.channels.get(c.id)?.cursor ?? 0,
        prices: new Map(channelPrices.filter((p) => p.channel_id === c.id).map((p) => [p.model, priceEntryOf(p)])),
        costPrices: new Map(costPrices.filter((p) => p.channel_id === c.id).map((p) => [p.model, priceEntryOf(p)])),
      };
      snap.channels.set(c.id, entry);
      // Disabled channels stay in the routes (candidates() skips them), so flipping an
      // entry's status in memory takes it out of or back into routing at once.
      // Mapping keys are aliases the channel serves as well as its listed models.
      for (const model of new Set([...c.models, ...Object.keys(entry.mapping)])) {
        if (isPattern(model)) {
          snap.patternChannels.push({ pattern: model, channel: entry });
          continue;
        }
        const tiers = snap.routes.get(model) ?? [];
        let tier = tiers.find((t) => t.priority === c.priority);
        if (!tier) {
          tier = { priority: c.priority, channels: [] };
          tiers.push(tier);
          tiers.sort((a, b) => b.priority - a.priority);
        }
        tier.channels.push(entry);
        snap.routes.set(model, tiers);
      }
    }
    for (const p of prices) {
      snap.prices.set(p.model, priceEntryOf(p));
      if (isPattern(p.model)) snap.pricePatterns.push(p.model);
    }
    for (const g of groups) snap.groupPpm.set(g.name, g.multiplier_ppm);
    for (const row of settings) snap.settings.set(row.key, row.value);
    return snap;
  }
}

function emptySnapshot(): Snapshot {
  return {
    keysByHash: new Map(), keysBySecret: new Map(), keysById: new Map(), users: new Map(), channels: new Map(),
    routes: new Map(), prices: new Map(), groupPpm: new Map(), settings: new Map(),
    patternChannels: [], pricePatterns: [], routeMemo: new Map(), priceMemo: new Map(),
  };
}

function resolvePrice(snap: Snapshot, model: string): PriceEntry | null {
  const names = priceNames(model);
  for (const name of names) {
    const hit = snap.prices.get(name);
    if (hit) return hit;
  }
  for (const name of names) {
    const pattern = bestPattern(snap.pricePatterns, name);
    if (pattern) return snap.prices.get(pattern) ?? null;
  }
  return null;
}

/** Exact tiers merged with the tiers of channels whose patterns match (each channel once). */
function withPatterns(exact: Tier[] | undefined, patterns: Snapshot['patternChannels'], model: string): Tier[] | null {
  const extra = patterns.filter((p) => matchesPattern(p.pattern, model)).map((p) => p.channel);
  if (!extra.length) return exact ?? null;
  const tiers: Tier[] = (exact ?? []).map((t) => ({ priority: t.priority, channels: [...t.channels] }));
  for (const channel of extra) {
    let tier = tiers.find((t) => t.priority === channel.priority);
    if (!tier) {
      tier = { priority: channel.priority, channels: [] };
      tiers.push(tier);
    }
    if (!tier.channels.includes(channel)) tier.channels.push(channel);
  }
  return tiers.sort((a, b) => b.priority - a.priority);
}
