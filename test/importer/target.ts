// A fresh, migrated Switchboard database per test file, on the local PostgreSQL.
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import type { Kysely } from 'kysely';
import postgres from 'postgres';
import { connect, migrate } from '../../db/connect.ts';
import type { Database } from '../../db/schema.ts';

// test/helpers/preload.ts sets TEST_DATABASE_URL; the fallback keeps a lone file runnable.
const PG_ADMIN = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
function pgUrl(db: string): string {
  const u = new URL(PG_ADMIN);
  u.pathname = `/${db}`;
  return u.toString();
}

export interface Target {
  db: Kysely<Database>;
  name: string;
  /** Row count per table, to prove a re-run or a failed run changed nothing. */
  counts(): Promise<Record<string, number>>;
  drop(): Promise<void>;
}

export const TARGET_TABLES = [
  'users',
  'api_keys',
  'channels',
  'channel_keys',
  'prices',
  'call_logs',
  'ledger',
  'groups',
  'redemption_codes',
  'settings',
] as const;

export async function freshTarget(): Promise<Target> {
  const name = `sb_import_${randomBytes(4).toString('hex')}`;
  const admin = postgres(PG_ADMIN, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const handle = await connect({ databaseUrl: pgUrl(name), dataDir: tmpdir(), poolSize: 4 });
  await migrate(handle.db);
  return {
    db: handle.db,
    name,
    async counts() {
      const out: Record<string, number> = {};
      for (const t of TARGET_TABLES) {
        const r = await handle.db.selectFrom(t).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
        out[t] = Number(r.n);
      }
      return out;
    },
    async drop() {
      await handle.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end({ timeout: 1 });
    },
  };
}
