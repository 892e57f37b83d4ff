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

/** Create an empty database on the test Postgres server; returns its URL and a dropper. */
export async function freshPostgres(prefix = 'sb_test'): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(serverUrl(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = postgres(serverUrl(), { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await a.end();
    },
  };
}

let template: Promise<string> | null = null;

/** A data directory holding an already-migrated PGlite database. */
export async function freshPgliteDir(): Promise<string> {
  template ??= (async () => {
    // Keyed by the migrations' content, so editing a migration never reuses a stale template.
    const hash = new Bun.CryptoHasher('sha256');
    for (const f of readdirSync(MIGRATIONS_DIR).sort()) hash.update(readFileSync(join(MIGRATIONS_DIR, f)));
    const dir = join(tmpdir(), `switchboard-pglite-template-${Object.keys(migrations).length}-${hash.digest('hex').slice(0, 16)}`);
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
