// Personal access tokens (`sbp_…`): a user mints them for scripts; they act with the owner's
// current role. Stored hashed; lookups cached briefly like sessions.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { hintOf } from '../secrets/crypto.ts';
import { hashSecretToken, newSecretToken, PAT_PREFIX } from './secret-token.ts';

const CACHE_MS = 5_000;
const TOUCH_MS = 60_000;
const CACHE_MAX = 10_000;

interface TokenEntry {
  id: number;
  userId: number;
  expiresAt: number | null;
  lastUsedAt: number;
  cachedAt: number;
}

export class AccessTokens {
  private cache = new Map<string, TokenEntry>();

  constructor(private readonly db: Kysely<Database>) {}

  async create(userId: number, name: string, expiresAt: Date | null) {
    const token = newSecretToken(PAT_PREFIX);
    const row = await this.db.insertInto('access_tokens').values({
      user_id: userId, name, token_hash: hashSecretToken(token), token_hint: hintOf(token), expires_at: expiresAt, last_used_at: null, revoked_at: null,
    }).returning(['id', 'token_hint']).executeTakeFirstOrThrow();
    return { id: row.id, token, hint: row.token_hint };
  }

  async lookup(token: string, now = Date.now()): Promise<TokenEntry | null> {
    const hash = hashSecretToken(token);
    let entry = this.cache.get(hash);
    if (!entry || now - entry.cachedAt > CACHE_MS) {
      const row = await this.db.selectFrom('access_tokens').select(['id', 'user_id', 'expires_at', 'last_used_at'])
        .where('token_hash', '=', hash).where('revoked_at', 'is', null).executeTakeFirst();
      if (!row) {
        this.cache.delete(hash);
        return null;
      }
      entry = {
        id: row.id, userId: row.user_id, expiresAt: row.expires_at ? new Date(row.expires_at).getTime() : null,
        lastUsedAt: row.last_used_at ? new Date(row.last_used_at).getTime() : 0, cachedAt: now,
      };
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(hash, entry);
    }
    if (entry.expiresAt !== null && now >= entry.expiresAt) return null;
    if (now - entry.lastUsedAt > TOUCH_MS) {
      entry.lastUsedAt = now;
      void this.db.updateTable('access_tokens').set({ last_used_at: new Date(now) }).where('id', '=', entry.id).execute().catch(() => {});
    }
    return entry;
  }

  /** Tokens of one user, or of everyone when `userId` is null. Never the secret. */
  list(userId: number | null) {
    let q = this.db.selectFrom('access_tokens')
      .select(['id', 'user_id', 'name', 'token_hint', 'created_at', 'expires_at', 'last_used_at'])
      .where('revoked_at', 'is', null).orderBy('id');
    if (userId !== null) q = q.where('user_id', '=', userId);
    return q.execute();
  }

  /** Revoke one token; `ownerId` restricts it to that user's tokens. False when nothing matched. */
  async revoke(id: number, ownerId: number | null): Promise<boolean> {
    let q = this.db.updateTable('access_tokens').set({ revoked_at: new Date() }).where('id', '=', id).where('revoked_at', 'is', null);
    if (ownerId !== null) q = q.where('user_id', '=', ownerId);
    const r = await q.executeTakeFirst();
    this.evict((e) => e.id === id);
    return r.numUpdatedRows > 0n;
  }

  async revokeAllFor(userId: number): Promise<void> {
    await this.db.updateTable('access_tokens').set({ revoked_at: new Date() }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
    this.evict((e) => e.userId === userId);
  }

  forget(): void {
    this.cache.clear();
  }

  private evict(match: (e: TokenEntry) => boolean): void {
    for (const [hash, e] of this.cache) if (match(e)) this.cache.delete(hash);
  }
}
