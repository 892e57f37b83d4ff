// Fresh databases for tests: a new Postgres database per gateway, or a copy of a
// migrated PGlite template (creating PGlite from scratch takes seconds; copying, not).
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { connect, migrate } from '../../db/connect.ts';
import { migrations } from '../../db/migrations/index.ts';

export type DbKind = 'pglite' | 'postgres';

const serverUrl = () => process.env.TEST_DATABASE_URL!;

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
    const dir = join(tmpdir(), `switchboard-pglite-template-${Object.keys(migrations).join('-')}`);
    if (!existsSync(join(dir, 'pg'))) {
      const tmp = mkdtempSync(join(tmpdir(), 'sb-tpl-'));
      const db = await connect({ dataDir: tmp });
      await migrate(db.db);
      await db.close();
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    }
    return dir;
  })();
  const dir = mkdtempSync(join(tmpdir(), 'sb-data-'));
  cpSync(await template, dir, { recursive: true });
  return dir;
}
