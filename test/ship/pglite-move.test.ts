// Upgrading a DATA_DIR from the old embedded default (PGlite in DATA_DIR/pg) to the
// PostgreSQL server child process: the first start without EMBEDDED_DB copies every table
// into DATA_DIR/pg18 (db/pglite-move.ts) and keeps the old database as DATA_DIR/pg.moved.
// Checked: every row of every table is identical on both sides (a digest of each table's
// rows as text), the old key keeps working and bills against the moved balance, sequences
// continue (no id collides), the PGlite heap is gone from the gateway afterwards, and a
// move interrupted after its commit (marker left, DATA_DIR/pg not renamed) simply runs
// again without duplicating anything. A move that cannot reach its server leaves PGlite as
// it was.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { createSwitchboardClient } from '../../client/index.ts';
import { closedAncestor } from '../../db/embedded-server.ts';
import { movePgliteToServer } from '../../db/pglite-move.ts';
import { pgliteAssets } from '../../db/pglite-assets.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { seed, type Seeded } from '../helpers/seed.ts';
import { type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';

const root = resolve(import.meta.dir, '../..');
const ADMIN_KEY = 'pglite-move-admin-key-000000';
const reachable = process.getuid?.() !== 0 || closedAncestor(root) === null;

const start = (dataDir: string, env: Record<string, string> = {}) =>
  startServerProcess({ DATA_DIR: dataDir, ADMIN_KEY, ADMIN_PASSWORD: 'pglite-move-root-password', FLUSH_INTERVAL_MS: '50', ...env }, 60_000);

async function stop(server: ServerProcess): Promise<void> {
  server.proc.kill('SIGTERM');
  expect(await server.proc.exited).toBe(0);
}

async function chat(url: string, key: string, n: number): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hello ${n}` }] }),
  });
}

const TABLES = `SELECT c.relname AS name FROM pg_class c
  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
    AND c.relname NOT IN ('kysely_migration', 'kysely_migration_lock') ORDER BY 1`;
const digestOf = (t: string) => `SELECT count(*)::int AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS d FROM ONLY "${t}" x`;

/** Rows per table and a digest of their text form, read from the PGlite database itself. */
async function pgliteDigest(dir: string): Promise<Record<string, string>> {
  const pg = await PGlite.create(dir, await pgliteAssets());
  try {
    const out: Record<string, string> = {};
    for (const { name } of (await pg.query<{ name: string }>(TABLES)).rows) {
      const [r] = (await pg.query<{ n: number; d: string }>(digestOf(name))).rows;
      out[name] = `${r!.n}:${r!.d}`;
    }
    return out;
  } finally {
    await pg.close();
  }
}

function serverSql(dataDir: string) {
  const pid = readFileSync(join(dataDir, 'pg18', 'postmaster.pid'), 'utf8').split('\n');
  const password = readFileSync(join(dataDir, 'pg18.password'), 'utf8').trim();
  return postgres({ host: '127.0.0.1', port: Number(pid[3]), user: 'postgres', password, database: 'postgres', max: 1, onnotice: () => {} });
}

async function serverDigest(sql: postgres.Sql, tables: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of tables) {
    const [r] = await sql.unsafe(digestOf(name));
    out[name] = `${r!.n}:${r!.d}`;
  }
  return out;
}

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

describe.if(reachable)('moving a PGlite DATA_DIR into the embedded PostgreSQL server', () => {
  let mock: MockOpenAI;
  let dataDir: string;
  let server: ServerProcess | null = null;
  let s: Seeded;
  let before: Record<string, string>;
  let balance: string;

  beforeAll(async () => {
    mock = await startMockOpenAI();
    dataDir = mkdtempSync(join(tmpdir(), 'sb-pglite-move-'));
    // The old default: PGlite, with users, a channel, prices, a key, served and billed calls.
    server = await start(dataDir, { EMBEDDED_DB: 'pglite' });
    s = await seed({ admin: createSwitchboardClient({ url: server.url, token: ADMIN_KEY }) } as TestGateway, mock.url);
    for (let i = 0; i < 5; i++) expect((await chat(server.url, s.key, i)).status).toBe(200);
    await stop(server);
    server = null;
    before = await pgliteDigest(join(dataDir, 'pg'));
  }, 120_000);

  afterAll(async () => {
    if (server) {
      server.proc.kill('SIGTERM');
      await server.proc.exited;
    }
    mock?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('a move that cannot reach its server leaves the PGlite database as it was', async () => {
    await expect(movePgliteToServer(dataDir, 'postgres://postgres@127.0.0.1:1/postgres')).rejects.toThrow();
    expect(existsSync(join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
    expect(await pgliteDigest(join(dataDir, 'pg'))).toEqual(before);
  }, 60_000);

  test('the first start without EMBEDDED_DB moves every row; the old database stays as pg.moved', async () => {
    // The five calls are in a daily partition of call_logs.
    expect(Object.entries(before).filter(([t]) => t.startsWith('call_logs')).reduce((n, [, v]) => n + Number(v.split(':')[0]), 0)).toBe(5);
    server = await start(dataDir);
    expect(server.output()).toContain('moved the PGlite database into the embedded PostgreSQL server');
    expect(existsSync(join(dataDir, 'pg'))).toBe(false);
    expect(existsSync(join(dataDir, 'pg.moved', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dataDir, 'pg-move.pending'))).toBe(false);
    // PGlite's heap (~900 MiB) lived in the move's own process, not in the gateway.
    const rss = rssMiB(server.proc.pid);
    console.log(`gateway RSS after the move: ${rss.toFixed(0)} MiB (PGlite alone: ~900 MiB)`);
    expect(rss).toBeLessThan(250);

    const sql = serverSql(dataDir);
    try {
      expect(await serverDigest(sql, Object.keys(before))).toEqual(before);
      const totalRows = Object.values(before).reduce((n, v) => n + Number(v.split(':')[0]), 0);
      console.log(`moved ${Object.keys(before).length} tables, ${totalRows} rows, identical on both sides`);
      expect(totalRows).toBeGreaterThan(20);
      [{ balance }] = await sql`SELECT balance::text FROM users WHERE id = ${s.userId}`;
    } finally {
      await sql.end();
    }
  }, 90_000);

  test('an interrupted move (committed, not renamed) runs again without duplicating anything', async () => {
    await stop(server!);
    server = null;
    renameSync(join(dataDir, 'pg.moved'), join(dataDir, 'pg'));
    writeFileSync(join(dataDir, 'pg-move.pending'), 'interrupted\n');
    server = await start(dataDir);
    expect(server.output()).toContain('moved the PGlite database into the embedded PostgreSQL server');
    const sql = serverSql(dataDir);
    try {
      expect(await serverDigest(sql, Object.keys(before))).toEqual(before);
    } finally {
      await sql.end();
    }
  }, 90_000);

  test('the old key keeps working, bills the moved balance, and new rows get new ids', async () => {
    const res = await chat(server!.url, s.key, 99);
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id')!;
    const sql = serverSql(dataDir);
    try {
      let row: { id: string; cost: string } | undefined;
      for (let i = 0; i < 100 && !row; i++) {
        [row] = await sql<{ id: string; cost: string }[]>`SELECT id::text, cost::text FROM call_logs WHERE request_id = ${requestId}`;
        if (!row) await Bun.sleep(50);
      }
      expect(BigInt(row!.cost)).toBeGreaterThan(0n);
      const [logs] = await sql`SELECT count(*)::int AS n FROM call_logs`;
      expect(logs!.n).toBe(6);
      const [user] = await sql`SELECT balance::text FROM users WHERE id = ${s.userId}`;
      expect(BigInt(balance) - BigInt(user!.balance)).toBe(BigInt(row!.cost));
      const [ledger] = await sql`SELECT count(*)::int AS n FROM ledger WHERE user_id = ${s.userId}`;
      expect(ledger!.n).toBeGreaterThan(1);
    } finally {
      await sql.end();
    }
    await stop(server!);
    server = null;
  }, 60_000);
});
