// One factory, two drivers running the same SQL: embedded PGlite under DATA_DIR when
// DATABASE_URL is unset, postgres.js otherwise. int8 (money) is parsed as bigint on both.
import { mkdirSync } from 'node:fs';
import { Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import postgres from 'postgres';
import { DatabaseHealth, DatabaseUnavailable, isUnreachable } from './health.ts';
import { migrations } from './migrations/index.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import { PostgresDialect } from './postgres-dialect.ts';
import type { Database } from './schema.ts';

export interface Db {
  db: Kysely<Database>;
  kind: 'pglite' | 'postgres';
  /**
   * Other gateway instances may use this database (DATABASE_URL). False for PGlite and for the
   * embedded server, which serve the one gateway that owns DATA_DIR: no LISTEN connection, no
   * cross-instance notifications, no advisory locks for background jobs.
   */
  shared: boolean;
  /** Up/down state of the server (always up for the in-process PGlite). */
  health: DatabaseHealth;
  /** Subscribe to a Postgres NOTIFY channel (cross-instance cache invalidation and live events). */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * Run `fn` with every statement on one database session (session-level advisory locks).
   * The session may be lost with the connection; the server then releases its locks.
   */
  session<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  /** Run `fn` on a connection without statement deadlines (migrations). */
  unbounded<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const INT8 = 20;
/** Default deadline for one statement when the caller names none. */
export const DEFAULT_QUERY_TIMEOUT_MS = 15_000;

export async function connect(opts: { databaseUrl?: string; dataDir: string; poolSize?: number; idleTimeoutMs?: number; queryTimeoutMs?: number; shared?: boolean }): Promise<Db> {
  if (opts.databaseUrl) return connectPostgres(opts.databaseUrl, opts.poolSize ?? 10, opts.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS, opts.idleTimeoutMs ?? 0, opts.shared ?? true);

  const [{ PGlite }, { pgliteAssets }] = await Promise.all([import('@electric-sql/pglite'), import('./pglite-assets.ts')]);
  mkdirSync(opts.dataDir, { recursive: true });
  const pg = await PGlite.create(`${opts.dataDir}/pg`, { ...(await pgliteAssets()), parsers: { [INT8]: (v: string) => BigInt(v) } });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pg) });
  return {
    db,
    kind: 'pglite',
    shared: false,
    health: new DatabaseHealth(async () => {}),
    session: (fn) => fn(db),
    unbounded: (fn) => fn(db),
    async listen(channel, onPayload) {
      const unsub = await pg.listen(channel, onPayload);
      return () => unsub();
    },
    close: () => db.destroy(),
  };
}

/**
 * Run `attempt` until the database answers: while it is unreachable (refused, shutting
 * down, starting up, timed out) wait with backoff up to 5 s and tell `onRetry` why; any
 * other error (bad password, missing database) is thrown at once.
 */
export async function untilReachable<T>(attempt: () => Promise<T>, onRetry: (error: unknown, retryInMs: number, attempts: number) => void): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      const delay = Math.min(5_000, 250 * 2 ** Math.min(n, 5));
      onRetry(error, delay, n);
      await Bun.sleep(delay);
    }
  }
}

/**
 * Errors postgres.js throws from its own socket callbacks, where no query can catch them
 * (e.g. `socket.write` on a connection the server closed while idle). They must not end the
 * process: the next query reconnects.
 */
export function isDriverInternalError(error: unknown): boolean {
  const stack = (error as { stack?: unknown } | null)?.stack;
  return typeof stack === 'string' && /node_modules[\\/]postgres[\\/]src[\\/]/.test(stack);
}

/** Apply every pending migration in order; throws on the first failure. */
export async function migrate(db: Kysely<Database>): Promise<string[]> {
  // Unordered: a database migrated before a lower-numbered migration was added still gets it.
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

function postgresClient(url: string, max: number, timeoutMs: number, onclose?: () => void, idleTimeoutMs = 0) {
  return postgres(url, {
    max,
    // Each idle connection is a server backend (13-18 MiB resident on PostgreSQL): close it.
    ...(idleTimeoutMs ? { idle_timeout: idleTimeoutMs / 1000 } : {}),
    ...(onclose ? { onclose } : {}),
    onnotice: () => {},
    types: { bigint: postgres.BigInt },
    // A dead server must not hold a connection attempt for postgres.js's default 30 s.
    connect_timeout: Math.max(1, Math.ceil(Math.min(timeoutMs, 10_000) / 1000)),
    // The server ends a statement (or a transaction left idle) past the deadline on its own.
    connection: {
      application_name: 'switchboard',
      ...(timeoutMs ? { statement_timeout: timeoutMs, idle_in_transaction_session_timeout: timeoutMs * 2 } : {}),
    },
  });
}

async function connectPostgres(url: string, max: number, timeoutMs: number, idleTimeoutMs: number, shared: boolean): Promise<Db> {
  let closes = 0;
  // The pool closes idle connections; LISTEN (postgres.js's own connection) and the pinned
  // session below never do (a job holds its advisory lock there while the session is idle).
  const client = postgresClient(url, max, timeoutMs, () => { closes++; }, idleTimeoutMs);
  // The probe asks the server directly (not through the fail-fast gate), with its own deadline.
  const health = new DatabaseHealth(() => Promise.race([
    client`select 1`,
    new Promise((_, reject) => setTimeout(() => reject(new DatabaseUnavailable('probe timed out')), Math.min(timeoutMs || 5_000, 5_000)).unref()),
  ]));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ client, health, timeoutMs, closes: () => closes }) });
  // postgres.js re-issues LISTEN after a reconnect, but drops the subscription for good if
  // the server is still down then; subscribe again whenever the database comes back.
  const subs = new Set<{ channel: string; dispatch: (payload: string) => void; sub: { unlisten(): Promise<void> } | null }>();
  health.onRecovered.push(() => {
    for (const s of subs) {
      void (async () => {
        await s.sub?.unlisten().catch(() => {});
        s.sub = await client.listen(s.channel, s.dispatch).catch(() => null);
        if (!s.sub) health.failed(new DatabaseUnavailable(`LISTEN ${s.channel} failed`));
      })();
    }
  });
  // One connection of its own: every statement through it runs on the same session.
  let pinned: Kysely<Database> | null = null;
  let pinnedClient: ReturnType<typeof postgresClient> | null = null;
  return {
    db,
    kind: 'postgres',
    shared,
    health,
    session(fn) {
      if (!pinned) {
        pinnedClient = postgresClient(url, 1, timeoutMs, () => { closes++; });
        pinned = new Kysely<Database>({ dialect: new PostgresDialect({ client: pinnedClient, health, timeoutMs, closes: () => closes }) });
      }
      return fn(pinned);
    },
    async listen(channel, onPayload) {
      // One gateway on this database: nobody else would notify it (and it ignores its own).
      if (!shared) return async () => {};
      const entry = { channel, dispatch: (payload: string) => onPayload(payload), sub: null as { unlisten(): Promise<void> } | null };
      entry.sub = await client.listen(channel, entry.dispatch);
      subs.add(entry);
      return async () => {
        subs.delete(entry);
        await entry.sub?.unlisten();
      };
    },
    async unbounded(fn) {
      let closes = 0;
      const own = postgresClient(url, 1, 0, () => { closes++; });
      const probe = new DatabaseHealth(async () => {});
      try {
        return await fn(new Kysely<Database>({ dialect: new PostgresDialect({ client: own, health: probe, timeoutMs: 0, closes: () => closes }) }));
      } finally {
        probe.close();
        await own.end({ timeout: 2 });
      }
    },
    async close() {
      await pinnedClient?.end({ timeout: 2 });
      await db.destroy();
    },
  };
}
