// Console sessions: an opaque cookie token, stored hashed. A session ends at its absolute
// expiry, after SESSION_IDLE_MS without use, or when revoked (logout, password change, account
// disabled). Tokens rotate every SESSION_ROTATE_MS; the previous token keeps working for a short
// grace so requests already in flight do not fail. Lookups are cached for a few seconds: a
// revocation is immediate on this instance and reaches other instances within CACHE_MS.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { hashSecretToken, newSecretToken, SESSION_PREFIX } from './secret-token.ts';

const HOUR = 3600_000;
export const SESSION_TTL_MS = 7 * 24 * HOUR;
export const SESSION_IDLE_MS = 24 * HOUR;
export const SESSION_ROTATE_MS = HOUR;
export const ROTATION_GRACE_MS = 60_000;
const CACHE_MS = 5_000;
/** last_seen_at is written at most this often per session. */
const TOUCH_MS = 60_000;
const CACHE_MAX = 10_000;

export interface SessionEntry {
  id: string;
  userId: number;
  /** Found through prev_token_hash: valid only within the rotation grace, never rotated again. */
  previous: boolean;
  expiresAt: number;
  rotatedAt: number;
  lastSeenAt: number;
  cachedAt: number;
}

export class Sessions {
  private cache = new Map<string, SessionEntry>();

  constructor(private readonly db: Kysely<Database>) {}

  async create(userId: number, meta: { ip: string | null; userAgent: string | null }, now = Date.now()) {
    const token = newSecretToken(SESSION_PREFIX);
    const expiresAt = now + SESSION_TTL_MS;
    const row = await this.db.insertInto('sessions').values({
      user_id: userId, token_hash: hashSecretToken(token), prev_token_hash: null, created_at: new Date(now), rotated_at: new Date(now),
      expires_at: new Date(expiresAt), last_seen_at: new Date(now), ip: meta.ip, user_agent: meta.userAgent?.slice(0, 300) ?? null, revoked_at: null,
    }).returning('id').executeTakeFirstOrThrow();
    return { id: String(row.id), token, expiresAt };
  }

  /** The live session for a cookie token, or null (unknown, revoked, expired or idle). */
  async lookup(token: string, now = Date.now()): Promise<SessionEntry | null> {
    const hash = hashSecretToken(token);
    let entry = this.cache.get(hash);
    if (!entry || now - entry.cachedAt > CACHE_MS) {
      entry = (await this.load(hash, now)) ?? undefined;
      if (!entry) {
        this.cache.delete(hash);
        return null;
      }
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(hash, entry);
    }
    if (!live(entry, now)) return null;
    if (now - entry.lastSeenAt > TOUCH_MS) {
      entry.lastSeenAt = now;
      // Best effort: a lost touch only shortens the idle window by a minute.
      void this.db.updateTable('sessions').set({ last_seen_at: new Date(now) }).where('id', '=', entry.id).execute().catch(() => {});
    }
    return entry;
  }

  /** A new token for a session due for rotation, or null when it is not due (or another request rotated it). */
  async rotateIfDue(entry: SessionEntry, currentToken: string, now = Date.now()): Promise<string | null> {
    if (entry.previous || now - entry.rotatedAt < SESSION_ROTATE_MS) return null;
    const oldHash = hashSecretToken(currentToken);
    const token = newSecretToken(SESSION_PREFIX);
    const r = await this.db.updateTable('sessions')
      .set({ prev_token_hash: oldHash, token_hash: hashSecretToken(token), rotated_at: new Date(now) })
      .where('id', '=', entry.id).where('token_hash', '=', oldHash).where('revoked_at', 'is', null)
      .executeTakeFirst();
    this.cache.delete(oldHash);
    return r.numUpdatedRows ? token : null;
  }

  /** End one session; `userId` restricts it to that user's sessions. False when nothing matched. */
  async revoke(id: string, userId?: number, now = Date.now()): Promise<boolean> {
    let q = this.db.updateTable('sessions').set({ revoked_at: new Date(now) }).where('id', '=', id).where('revoked_at', 'is', null);
    if (userId !== undefined) q = q.where('user_id', '=', userId);
    const r = await q.executeTakeFirst();
    this.evict((e) => e.id === id);
    return r.numUpdatedRows > 0n;
  }

  /** Every session of a user, except optionally the one making the request. */
  async revokeAllFor(userId: number, exceptId?: string, now = Date.now()): Promise<void> {
    let q = this.db.updateTable('sessions').set({ revoked_at: new Date(now) }).where('user_id', '=', userId).where('revoked_at', 'is', null);
    if (exceptId) q = q.where('id', '!=', exceptId);
    await q.execute();
    this.evict((e) => e.userId === userId && e.id !== exceptId);
  }

  list(userId: number, now = Date.now()) {
    return this.db.selectFrom('sessions')
      .select(['id', 'created_at', 'last_seen_at', 'expires_at', 'ip', 'user_agent'])
      .where('user_id', '=', userId).where('revoked_at', 'is', null)
      .where('expires_at', '>', new Date(now)).where('last_seen_at', '>', new Date(now - SESSION_IDLE_MS))
      .orderBy('id', 'desc').execute();
  }

  /** Drop cached lookups (after an admin change, here or on another instance). */
  forget(): void {
    this.cache.clear();
  }

  private evict(match: (e: SessionEntry) => boolean): void {
    for (const [hash, e] of this.cache) if (match(e)) this.cache.delete(hash);
  }

  private async load(hash: string, now: number): Promise<SessionEntry | null> {
    const row = await this.db.selectFrom('sessions')
      .select(['id', 'user_id', 'token_hash', 'expires_at', 'rotated_at', 'last_seen_at'])
      .where((eb) => eb.or([
        eb('token_hash', '=', hash),
        eb.and([eb('prev_token_hash', '=', hash), eb('rotated_at', '>', new Date(now - ROTATION_GRACE_MS))]),
      ]))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return null;
    return {
      id: String(row.id), userId: row.user_id, previous: row.token_hash !== hash,
      expiresAt: new Date(row.expires_at).getTime(), rotatedAt: new Date(row.rotated_at).getTime(),
      lastSeenAt: new Date(row.last_seen_at).getTime(), cachedAt: now,
    };
  }
}

function live(e: SessionEntry, now: number): boolean {
  if (now >= e.expiresAt || now - e.lastSeenAt >= SESSION_IDLE_MS) return false;
  return !e.previous || now - e.rotatedAt < ROTATION_GRACE_MS;
}
