// Sign-in throttling per client IP and per account name, counted in the database so every
// instance sees the same counters and a restart does not reset them. A key that reaches its
// limit of failures within the window is locked until the lock expires; a successful sign-in
// clears the account's counter (not the IP's).
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.ts';

export const THROTTLE_WINDOW_MS = 15 * 60_000;
export const THROTTLE_LOCK_MS = 15 * 60_000;
export const ACCOUNT_FAILURE_LIMIT = 5;
export const IP_FAILURE_LIMIT = 20;

const accountKey = (username: string) => `user:${username.toLowerCase()}`;
const ipKey = (ip: string) => `ip:${ip}`;

export class LoginThrottle {
  constructor(private readonly db: Kysely<Database>) {}

  /** Seconds until the caller may try again, or 0 when neither the IP nor the account is locked. */
  async retryAfter(ip: string | null, username: string, now = new Date()): Promise<number> {
    const keys = [accountKey(username), ...(ip ? [ipKey(ip)] : [])];
    const row = await this.db.selectFrom('login_throttle')
      .select((eb) => eb.fn.max('locked_until').as('until'))
      .where('key', 'in', keys).where('locked_until', '>', now)
      .executeTakeFirst();
    return row?.until ? Math.ceil((new Date(row.until).getTime() - now.getTime()) / 1000) : 0;
  }

  async failed(ip: string | null, username: string, now = new Date()): Promise<void> {
    await this.bump(accountKey(username), ACCOUNT_FAILURE_LIMIT, now);
    if (ip) await this.bump(ipKey(ip), IP_FAILURE_LIMIT, now);
    // Keep the table small: forget windows that ended long ago.
    const stale = new Date(now.getTime() - 24 * 3600_000);
    await this.db.deleteFrom('login_throttle')
      .where('window_start', '<', stale)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
      .execute();
  }

  async succeeded(username: string): Promise<void> {
    await this.db.deleteFrom('login_throttle').where('key', '=', accountKey(username)).execute();
  }

  private async bump(key: string, limit: number, now: Date): Promise<void> {
    const windowFloor = new Date(now.getTime() - THROTTLE_WINDOW_MS);
    const lockUntil = new Date(now.getTime() + THROTTLE_LOCK_MS);
    // One statement: start a new window when the old one ended, else count; lock at the limit.
    await sql`
      INSERT INTO login_throttle AS t (key, failures, window_start, locked_until)
      VALUES (${key}, 1, ${now}, ${limit <= 1 ? lockUntil : null})
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN t.window_start < ${windowFloor} THEN 1 ELSE t.failures + 1 END,
        window_start = CASE WHEN t.window_start < ${windowFloor} THEN ${now} ELSE t.window_start END,
        locked_until = CASE
          WHEN (CASE WHEN t.window_start < ${windowFloor} THEN 1 ELSE t.failures + 1 END) >= ${limit} THEN ${lockUntil}::timestamptz
          ELSE t.locked_until END`.execute(this.db);
  }
}
