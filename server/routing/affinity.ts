// Cache affinity: which channel and upstream key a conversation's calls went to, so the
// next turn lands on the same upstream prompt cache (docs/routing.md, "Cache affinity").
// A pin lives `affinityTtlMs` after its conversation's last call (sliding), and once per
// `affinityTtlMs` it is re-drawn by weight (the weight budget: a weight change reaches
// pinned conversations within one TTL; the draw usually keeps the pin). Each instance
// keeps its pins in memory (bounded, least recently used first out); with REDIS_URL the
// pins are shared in Redis too, so replicas agree: Redis is then read on each call (one
// loopback round trip, bounded by a short timeout — a slow or absent Redis means the local
// pin is used) and written off the response path.
import { RedisClient } from 'bun';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { saveSettingIfAbsent } from '../billing/settings.ts';
import { randomToken } from '../secrets/crypto.ts';

export interface Pin {
  channelId: number;
  keyId: number;
  /** When the conversation was pinned to this channel and key (ms): a pin is re-drawn by weight once per TTL. */
  since: number;
}

interface Entry extends Pin {
  expiresAt: number;
  /** When the shared store last got this pin (ms); 0: never. */
  sharedAt: number;
}

/** How each call's affinity turned out, as logged: its pin served it, it had none, or its pin could not be kept. */
export type AffinityOutcome = 'hit' | 'miss' | 'broken';

/** At most this many pins per instance; the least recently used go first. */
const MAX_PINS = 200_000;
/** A Redis read slower than this is treated as "no shared pin". */
const SHARED_READ_TIMEOUT_MS = 50;

export interface SharedPins {
  get(key: string): Promise<Pin | null>;
  set(key: string, pin: Pin, ttlMs: number): Promise<void>;
  close(): void;
}

export class AffinityTable {
  private readonly pins = new Map<string, Entry>();

  constructor(private readonly shared: SharedPins | null = null, private readonly maxPins = MAX_PINS) {}

  get size(): number {
    return this.pins.size;
  }

  /** The conversation's pin, if it has a live one (the shared store's when configured and reachable). */
  async get(key: string, now = Date.now()): Promise<Pin | null> {
    if (this.shared) {
      const remote = await withTimeout(this.shared.get(key), SHARED_READ_TIMEOUT_MS).catch(() => undefined);
      if (remote !== undefined) return remote;
    }
    const e = this.pins.get(key);
    if (!e) return null;
    if (e.expiresAt <= now) {
      this.pins.delete(key);
      return null;
    }
    return { channelId: e.channelId, keyId: e.keyId, since: e.since };
  }

  /** Pin (or re-pin, or refresh) the conversation to a channel and key for `ttlMs` from now. */
  set(key: string, pin: Pin, ttlMs: number, now = Date.now()): void {
    const prev = this.pins.get(key);
    const same = prev !== undefined && prev.channelId === pin.channelId && prev.keyId === pin.keyId && prev.since === pin.since;
    // Re-insert so Map order stays least-recently-used first.
    if (prev) this.pins.delete(key);
    else if (this.pins.size >= this.maxPins) this.evict(now);
    // A refresh of an unchanged pin reaches the shared store at most every quarter TTL.
    const share = this.shared !== null && (!same || now - prev.sharedAt > ttlMs / 4);
    this.pins.set(key, { ...pin, expiresAt: now + ttlMs, sharedAt: share ? now : (prev?.sharedAt ?? 0) });
    if (share) void this.shared!.set(key, pin, ttlMs).catch(() => {});
  }

  /** Make room: the least recently used pin goes (expired ones also go when read). */
  private evict(now: number): void {
    for (const [k, e] of this.pins) {
      this.pins.delete(k);
      if (e.expiresAt > now || this.pins.size < this.maxPins) return;
    }
  }

  close(): void {
    this.shared?.close();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([p, new Promise<undefined>((resolve) => { timer = setTimeout(resolve, ms, undefined); })]).finally(() => clearTimeout(timer));
}

/** Pins shared in Redis: one string key per conversation, `channelId:keyId:since`, expiring with the pin. */
export class RedisPins implements SharedPins {
  private readonly client: RedisClient;

  constructor(url: string, private readonly prefix: string) {
    this.client = new RedisClient(url);
  }

  async get(key: string): Promise<Pin | null> {
    const v = (await this.client.send('GET', [this.prefix + key])) as string | null;
    if (!v) return null;
    const [channelId, keyId, since] = v.split(':').map(Number) as [number, number, number | undefined];
    return Number.isSafeInteger(channelId) && Number.isSafeInteger(keyId) ? { channelId, keyId, since: Number.isSafeInteger(since) ? since! : 0 } : null;
  }

  async set(key: string, pin: Pin, ttlMs: number): Promise<void> {
    await this.client.send('SET', [this.prefix + key, `${pin.channelId}:${pin.keyId}:${pin.since}`, 'PX', String(Math.max(1, Math.round(ttlMs)))]);
  }

  close(): void {
    this.client.close();
  }
}

/** The gateway's table: pins shared in Redis (namespaced by installation, like the rate limits) when REDIS_URL is set. */
export async function createAffinity(db: Kysely<Database>, redisUrl: string | undefined): Promise<AffinityTable> {
  if (!redisUrl) return new AffinityTable();
  const installation = await saveSettingIfAbsent(db, 'installation_id', randomToken(16));
  return new AffinityTable(new RedisPins(redisUrl, `sb:aff:${installation}:`));
}
