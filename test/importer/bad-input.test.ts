// Bad sources fail with a clear message and write nothing: an empty or non-One-API database, a
// schema without channels.key, a value Switchboard cannot hold (named by row), a relative SQLite
// path; a MySQL password containing `@` is fully masked in the audit log; the CLI's import help.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Database } from 'bun:sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { importOneApi, OneApiImportError } from '../../server/importer/index.ts';
import { maskSecrets } from '../../server/auth/mask.ts';
import { SecretBox } from '../../server/secrets/crypto.ts';
import { ADMIN_KEY, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { buildMysqlFixture, buildSqliteFixture, type FixtureDb } from './fixtures/build.ts';
import { oneApiWorld } from './oneapi-world.ts';
import { freshTarget, type Target } from './target.ts';

const box = new SecretBox('importer-test-master-secret');
let target: Target;
const dirs: string[] = [];
const drops: FixtureDb[] = [];

beforeAll(async () => {
  target = await freshTarget();
});
afterAll(async () => {
  await target?.drop();
  for (const d of drops) await d.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function failsCleanly(dsn: string): Promise<OneApiImportError> {
  const before = await target.counts();
  const err = await importOneApi(target.db, box, { dsn }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OneApiImportError);
  expect(await target.counts()).toEqual(before);
  return err as OneApiImportError;
}

function sqliteFile(setup: (db: Database) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'oneapi-bad-'));
  dirs.push(dir);
  const path = join(dir, 'one-api.db');
  const db = new Database(path, { create: true });
  setup(db);
  db.close();
  return path;
}

describe('sources that are not a usable One API database', () => {
  test('an empty database', async () => {
    const err = await failsCleanly(sqliteFile(() => {}));
    expect(err.phase).toBe('source');
    expect(err.message).toContain('not a One API database: it has no users or channels table (found: no tables at all)');
  });

  test('some other application\'s database', async () => {
    const err = await failsCleanly(sqliteFile((db) => db.run('CREATE TABLE posts (id integer primary key, title text)')));
    expect(err.message).toContain('not a One API database');
    expect(err.message).toContain('found: posts');
  });

  test('One API tables without any users', async () => {
    const src = await buildSqliteFixture({ ...oneApiWorld('http://127.0.0.1:9'), users: [], tokens: [] });
    drops.push(src);
    const err = await failsCleanly(src.dsn);
    expect(err.message).toContain('has no users');
  });

  test('a channels table without the key column (MySQL)', async () => {
    const src = await buildMysqlFixture(oneApiWorld('http://127.0.0.1:9'));
    drops.push(src);
    await src.exec('ALTER TABLE channels DROP COLUMN `key`');
    const err = await failsCleanly(src.dsn);
    expect(err.message).toContain('table channels has no channels.key column');
  });

  test('a quota beyond int8 names its row', async () => {
    const world = oneApiWorld('http://127.0.0.1:9');
    // 2^62 quota × 2,000 nano-USD per quota does not fit int8.
    world.users[1] = { ...world.users[1]!, quota: 4_611_686_018_427_387_904n };
    const src = await buildSqliteFixture(world);
    drops.push(src);
    const err = await failsCleanly(src.dsn);
    expect(err.phase).toBe('map');
    expect(err.message).toContain('user #2 (vipuser) quota: 4611686018427387904 quota is');
    expect(err.message).toContain('Nothing was imported');
  });

  test('a relative SQLite path says where it was looked for', async () => {
    const err = await failsCleanly('no-such-dir/one-api.db');
    expect(err.message).toContain('the relative path "no-such-dir/one-api.db" was resolved in the Switchboard server\'s working directory');
    expect(err.message).toContain(join(process.cwd(), 'no-such-dir/one-api.db'));
    const src = await buildSqliteFixture(oneApiWorld('http://127.0.0.1:9'));
    drops.push(src);
    const rel = relative(process.cwd(), src.dsn);
    const report = await importOneApi(target.db, box, { dsn: rel, dryRun: true });
    expect(report.notes).toContainEqual(`SQLite path "${rel}" is relative: it was resolved in the Switchboard server's working directory, as ${src.dsn}`);
  });
});

describe('secrets and help', () => {
  test('a MySQL password containing @ (and /) is masked whole', () => {
    expect(maskSecrets({ dsn: 'root:p@ss/w@rd@tcp(db:3306)/oneapi?parseTime=true' })).toEqual({ dsn: 'root:[masked]@tcp(db:3306)/oneapi?parseTime=true' });
    expect(maskSecrets({ dsn: 'mysql://root:p@ss@w0rd@127.0.0.1:3306/oneapi' })).toEqual({ dsn: 'mysql://root:[masked]@127.0.0.1:3306/oneapi' });
    expect(maskSecrets({ dsn: 'postgres://u:a@b@host/db?x=1' })).toEqual({ dsn: 'postgres://u:[masked]@host/db?x=1' });
  });

  test('the audit row of an import through AI Proxy\'s REST path holds no part of the password', async () => {
    const g: TestGateway = await startTestGateway('pglite');
    try {
      const res = await fetch(`${g.url}/api/channels/import/oneapi`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ dsn: 'mysql://root:S3cr@t-Pa55@tcp(127.0.0.1:1)/oneapi' }),
      });
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.success).toBe(false);
      const rows = await g.gw.db.db.selectFrom('audit_log').selectAll().where('action', '=', 'import.oneapi').execute();
      expect(rows.length).toBe(1);
      const text = JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
      for (const part of ['S3cr', 't-Pa55', 'S3cr@t-Pa55']) expect(text).not.toContain(part);
      expect(text).toContain('mysql://root:[masked]@tcp(127.0.0.1:1)/oneapi');
      expect(JSON.stringify(body)).not.toContain('Pa55');
    } finally {
      await g.close();
    }
  });

  test('`cli import oneapi --help` prints the import help and exits 0', async () => {
    const p = Bun.spawn(['bun', 'server/cli/main.ts', 'import', 'oneapi', '--help'], { stdout: 'pipe', stderr: 'pipe', env: { ...process.env, SWITCHBOARD_URL: 'http://127.0.0.1:1' } });
    const [code, out] = await Promise.all([p.exited, new Response(p.stdout).text()]);
    expect(code).toBe(0);
    expect(out).toContain('usage: bun run cli import oneapi --dsn DSN');
    expect(out).toContain('--keep-prices');
    expect(out).toContain('relative SQLite path is resolved in the');
  });
});
