// Sign-in throttling per client address and per account name, counted in the database so every
// instance sees the same counters and a restart does not reset them.
//
// An attempt is counted *before* the password is checked, in one atomic statement per key: of
// 200 concurrent guesses only the first ACCOUNT_FAILURE_LIMIT reach the (slow) password check,
// the rest are refused at once, whatever the right password's position among them. A key whose
// count passes its limit within the window is locked until the lock expires; a lock that has
// ended starts a fresh window. A successful sign-in clears the account's count and gives its
// own attempt back to the address (an office behind one NAT is not locked by its own sign-ins).
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.ts';

export const THROTTLE_WINDOW_MS = 15 * 60_000;
export const THROTTLE_LOCK_MS = 15 * 60_000;
export const ACCOUNT_FAILURE_LIMIT = 5;
export const IP_FAILURE_LIMIT = 20;

const accountKey = (username: string) => `user:${username.toLowerCase()}`;
const ipKey = (ip: string) => `ip:${ip}`;

export class LoginThrottle {
  /** Password checks this process has run (sign-in and password change); for tests and metrics. */
  passwordChecks = 0;

  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Counts one attempt for the account and the address. Returns 0 when the caller may check
   * the password now, else the seconds until it may try again.
   */
  async admit(ip: string | null, username: string, now = new Date()): Promise<number> {
    const counted = await Promise.all([
      this.count(accountKey(username), ACCOUNT_FAILURE_LIMIT, now),
      ...(ip ? [this.count(ipKey(ip), IP_FAILURE_LIMIT, now)] : []),
    ]);
    const until = Math.max(...counted);
    return until > now.getTime() ? Math.ceil((until - now.getTime()) / 1000) : 0;
  }

  /** Runs `check` (the password comparison) only after `admit` let the attempt through. */
  async checked<T>(check: () => Promise<T>): Promise<T> {
    this.passwordChecks++;
    return check();
  }

  /** After a wrong password: forget windows that ended long ago (keeps the table small). */
  async failed(now = new Date()): Promise<void> {
    const stale = new Date(now.getTime() - 24 * 3600_000);
    await this.db.deleteFrom('login_throttle')
      .where('window_start', '<', stale)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
      .execute();
  }

  async succeeded(ip: string | null, username: string): Promise<void> {
    await Promise.all([
      this.db.deleteFrom('login_throttle').where('key', '=', accountKey(username)).execute(),
      ip ? this.db.updateTable('login_throttle').set((eb) => ({ failures: sql<number>`greatest(${eb.ref('failures')} - 1, 0)` }))
        .where('key', '=', ipKey(ip)).where('locked_until', 'is', null).execute() : undefined,
    ]);
  }

  /** Counts one attempt on `key`; returns the key's lock end (epoch ms), or 0 when not locked. */
  private async count(key: string, limit: number, now: Date): Promise<number> {
    const windowFloor = new Date(now.getTime() - THROTTLE_WINDOW_MS);
    const lockUntil = new Date(now.getTime() + THROTTLE_LOCK_MS);
    // One statement (row lock on conflict): start a new window when the old one or its lock
    // ended, else count; lock when the count passes the limit.
    const { rows } = await sql<{ locked_until: Date | string | null }>`
      INSERT INTO login_throttle AS t (key, failures, window_start, locked_until)
      VALUES (${key}, 1, ${now}, ${limit < 1 ? lockUntil : null})
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN t.window_start < ${windowFloor} OR t.locked_until <= ${now} THEN 1 ELSE t.failures + 1 END,
        window_start = CASE WHEN t.window_start < ${windowFloor} OR t.locked_until <= ${now} THEN ${now} ELSE t.window_start END,
        locked_until = CASE
          WHEN t.locked_until > ${now} THEN t.locked_until
          WHEN t.window_start >= ${windowFloor} AND (t.locked_until IS NULL) AND t.failures + 1 > ${limit} THEN ${lockUntil}::timestamptz
          ELSE NULL END
      RETURNING locked_until`.execute(this.db);
    const until = rows[0]?.locked_until;
    return until ? new Date(until).getTime() : 0;
  }
}
