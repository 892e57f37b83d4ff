// Fresh databases for tests: a new Postgres database per gateway, or a copy of a
// migrated PGlite template (creating PGlite from scratch takes seconds; copying, not).
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { connect, migrate } from '../../db/connect.ts';
import { migrations } from '../../db/migrations/index.ts';

export type DbKind = 'pglite' | 'postgres';

const serverUrl = () => process.env.TEST_DATABASE_URL!;
const MIGRATIONS_DIR = join(import.meta.dir, '../../db/migrations');

/**
 * Create a database on the test Postgres server; returns its URL and a dropper. With
 * `migrated`, the database is a copy of a migrated template (CREATE DATABASE … TEMPLATE),
 * which saves the gateway's migrations at start (~1.5 s on the shared machine).
 */
export async function freshPostgres(prefix = 'sb_test', opts: { migrated?: boolean } = {}): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const from = opts.migrated ? await postgresTemplate().catch(() => null) : null;
  const admin = postgres(serverUrl(), { max: 1, onnotice: () => {} });
  try {
    if (from) {
      try {
        await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${from}`);
      } catch {
        // The template is busy (another process is copying it): an empty database migrates at start.
        await admin.unsafe(`CREATE DATABASE ${name}`);
      }
    } else {
      await admin.unsafe(`CREATE DATABASE ${name}`);
    }
  } finally {
    await admin.end();
  }
  return {
    url: urlOf(name),
    async drop() {
      const a = postgres(serverUrl(), { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await a.end();
    },
  };
}

function urlOf(name: string): string {
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** Keyed by the migrations' content, so editing a migration never reuses a stale template. */
function migrationsHash(): string {
  const hash = new Bun.CryptoHasher('sha256');
  for (const f of readdirSync(MIGRATIONS_DIR).sort()) hash.update(readFileSync(join(MIGRATIONS_DIR, f)));
  return hash.digest('hex').slice(0, 16);
}

let pgTemplate: Promise<string> | null = null;

/** The name of a migrated template database on the test server, built once (under a temporary name, then renamed). */
function postgresTemplate(): Promise<string> {
  pgTemplate ??= (async () => {
    const name = `sb_template_${Object.keys(migrations).length}_${migrationsHash()}`;
    const admin = postgres(serverUrl(), { max: 1, onnotice: () => {} });
    try {
      const [exists] = await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`;
      if (exists) return name;
      const tmp = `${name}_${Math.random().toString(36).slice(2, 8)}`;
      await admin.unsafe(`CREATE DATABASE ${tmp}`);
      const db = await connect({ databaseUrl: urlOf(tmp), dataDir: tmpdir(), poolSize: 1 });
      await migrate(db.db);
      await db.close();
      try {
        await admin.unsafe(`ALTER DATABASE ${tmp} RENAME TO ${name}`);
      } catch {
        // Another test process built the same template first; use theirs.
        await admin.unsafe(`DROP DATABASE IF EXISTS ${tmp} WITH (FORCE)`).catch(() => {});
      }
      return name;
    } finally {
      await admin.end();
    }
  })();
  return pgTemplate;
}

let template: Promise<string> | null = null;

/** A data directory holding an already-migrated PGlite database. */
export async function freshPgliteDir(): Promise<string> {
  template ??= (async () => {
    const dir = join(tmpdir(), `switchboard-pglite-template-${Object.keys(migrations).length}-${migrationsHash()}`);
    if (!existsSync(join(dir, 'pg'))) {
      const tmp = mkdtempSync(join(tmpdir(), 'sb-tpl-'));
      const db = await connect({ dataDir: tmp });
      await migrate(db.db);
      await db.close();
      try {
        renameSync(tmp, dir);
      } catch {
        // Another test process built the same template first; use theirs.
        rmSync(tmp, { recursive: true, force: true });
      }
    }
    return dir;
  })();
  const dir = mkdtempSync(join(tmpdir(), 'sb-data-'));
  cpSync(await template, dir, { recursive: true });
  return dir;
}
