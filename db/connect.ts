// One factory, two drivers running the same SQL: embedded PGlite under DATA_DIR when
// DATABASE_URL is unset, postgres.js otherwise. int8 (money) is parsed as bigint on both.
import { mkdirSync } from 'node:fs';
import { Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres from 'postgres';
import { migrations } from './migrations/index.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

export interface Db {
  db: Kysely<Database>;
  kind: 'pglite' | 'postgres';
  /** Subscribe to a Postgres NOTIFY channel (cross-instance cache invalidation and live events). */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const INT8 = 20;

export async function connect(opts: { databaseUrl?: string; dataDir: string; poolSize?: number }): Promise<Db> {
  if (opts.databaseUrl) {
    const client = postgres(opts.databaseUrl, {
      max: opts.poolSize ?? 10,
      onnotice: () => {},
      types: { bigint: postgres.BigInt },
      connection: { application_name: 'switchboard' },
    });
    const db = new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: client }) });
    return {
      db,
      kind: 'postgres',
      async listen(channel, onPayload) {
        const sub = await client.listen(channel, onPayload);
        return () => sub.unlisten();
      },
      close: () => db.destroy(),
    };
  }

  const [{ PGlite }, { pgliteAssets }] = await Promise.all([import('@electric-sql/pglite'), import('./pglite-assets.ts')]);
  mkdirSync(opts.dataDir, { recursive: true });
  const pg = await PGlite.create(`${opts.dataDir}/pg`, { ...(await pgliteAssets()), parsers: { [INT8]: (v: string) => BigInt(v) } });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pg) });
  return {
    db,
    kind: 'pglite',
    async listen(channel, onPayload) {
      const unsub = await pg.listen(channel, onPayload);
      return () => unsub();
    },
    close: () => db.destroy(),
  };
}

/** Apply every pending migration in order; throws on the first failure. */
export async function migrate(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
