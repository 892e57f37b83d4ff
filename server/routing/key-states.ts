// Runtime state of pool keys: cooldowns after 429s and keys disabled for auth errors.
// The hot path changes the in-memory PoolKey at once and queues the change here; a
// background flush writes the queue in one statement (restarts and other instances
// then see it), and until then a store reload lays the queued state over the database's.
import { sql } from 'kysely';
import type { RoutingDeps } from './deps.ts';
import type { ChannelEntry, PoolKey } from '../state/types.ts';
import type { RoutingSettings } from './settings.ts';

interface KeyChange {
  channelId: number;
  cooldownUntil: number;
  /** Set when the key was disabled (status 3) with this reason. */
  disabled?: string;
}

export class KeyStates {
  private pending = new Map<number, KeyChange>();
  /** Consecutive 429s per key, for the backoff when no Retry-After is given. */
  private readonly strikes = new Map<number, number>();

  /** Unwritten runtime state of a key, for the store to keep across a reload. */
  overlay(keyId: number): Pick<PoolKey, 'cooldownUntil'> & { status?: number } | undefined {
    const c = this.pending.get(keyId);
    return c && (c.disabled !== undefined ? { cooldownUntil: c.cooldownUntil, status: 3 } : { cooldownUntil: c.cooldownUntil });
  }

  /**
   * Cool a key after a 429 for what Retry-After says. Without it, a lone 429 only moves the
   * call to another key (bursts pass); from the second in a row the key backs off
   * exponentially: base, 2 × base, … up to the cap. Returns the cooldown in ms.
   */
  coolDown(channel: ChannelEntry, key: PoolKey, retryAfterMs: number | null, s: RoutingSettings, now = Date.now()): number {
    const n = (this.strikes.get(key.id) ?? 0) + 1;
    this.strikes.set(key.id, n);
    const ms = retryAfterMs ?? (n < 2 ? 0 : Math.min(s.cooldownMaxMs, s.cooldownBaseMs * 2 ** Math.min(n - 2, 30)));
    if (ms <= 0) return 0;
    key.cooldownUntil = Math.max(key.cooldownUntil, now + ms);
    this.queue(channel.id, key.id, { cooldownUntil: key.cooldownUntil });
    return ms;
  }

  /** Take a key out of rotation for good (auth error, no quota); false if it already was. */
  disable(channel: ChannelEntry, key: PoolKey, reason: string): boolean {
    if (key.status !== 1) return false;
    key.status = 3;
    this.queue(channel.id, key.id, { cooldownUntil: key.cooldownUntil, disabled: reason.slice(0, 500) });
    return true;
  }

  succeeded(key: PoolKey): void {
    if (this.strikes.size && this.strikes.has(key.id)) this.strikes.delete(key.id);
  }

  /** Forget queued state of a key an admin just changed. */
  forget(keyId: number): void {
    this.pending.delete(keyId);
    this.strikes.delete(keyId);
  }

  private queue(channelId: number, keyId: number, change: Omit<KeyChange, 'channelId'>): void {
    const prev = this.pending.get(keyId);
    this.pending.set(keyId, { channelId, ...change, ...(prev?.disabled !== undefined && change.disabled === undefined ? { disabled: prev.disabled } : {}) });
  }

  /** Write queued changes in one statement; returns the keys newly disabled. */
  async flush(gw: RoutingDeps): Promise<Array<{ channelId: number; keyId: number; reason: string }>> {
    if (this.pending.size === 0) return [];
    const batch = [...this.pending];
    // One statement for the whole batch; a key disabled by hand meanwhile keeps its status.
    await sql`
      UPDATE channel_keys AS k SET
        cooldown_until = r.until,
        status = CASE WHEN r.disabled IS NOT NULL AND k.status = 1 THEN 3 ELSE k.status END,
        status_reason = CASE WHEN r.disabled IS NOT NULL AND k.status = 1 THEN r.disabled ELSE k.status_reason END
      FROM (SELECT unnest(${batch.map(([id]) => id)}::int[]) AS id,
                   unnest(${batch.map(([, c]) => (c.cooldownUntil ? new Date(c.cooldownUntil).toISOString() : null))}::timestamptz[]) AS until,
                   unnest(${batch.map(([, c]) => c.disabled ?? null)}::text[]) AS disabled) r
      WHERE k.id = r.id`.execute(gw.db.db);
    // Keep anything that changed again while we were writing.
    for (const [id, c] of batch) if (this.pending.get(id) === c) this.pending.delete(id);
    return batch.filter(([, c]) => c.disabled !== undefined).map(([keyId, c]) => ({ channelId: c.channelId, keyId, reason: c.disabled! }));
  }
}
