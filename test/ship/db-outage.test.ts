// Database faults are survivable (issue 20, rows 1–2). The real server (`bun server/main.ts`)
// runs against a PostgreSQL server of this test's own, which is stopped and started again:
//  - started while the database is down, it waits with a clear message and comes up with it;
//  - the database stops for 20 s under load: calls that need it (lease claims, rate
//    counters) get a fast 503, nothing hangs, and within 30 s of its return calls succeed,
//    /readyz is ready and the writer's backlog has drained;
//  - the database stops while the gateway is idle: the process stays alive;
//  - SIGTERM completes; every call a client saw succeed is logged exactly once and
//    Σ cost = balance change = ledger.
// The shared server on 127.0.0.1:5432 is never stopped.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import postgres from 'postgres';
import { createSwitchboardClient } from '../../client/index.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { type PrivatePostgres, privatePostgresAvailable, startPrivatePostgres } from '../helpers/private-postgres.ts';
import { seed, type Seeded } from '../helpers/seed.ts';
import { type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';

const root = resolve(import.meta.dir, '../..');
const ADMIN_KEY = 'outage-test-admin-key-000000';
const OUTAGE_MS = 20_000;

interface Server { proc: ReturnType<typeof Bun.spawn>; url: Promise<string>; output(): string }

function spawnServer(dataDir: string, databaseUrl: string): Server {
  const proc = Bun.spawn(['bun', 'server/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl, ADMIN_KEY, ADMIN_PASSWORD: 'outage-root-password', LOG_LEVEL: 'info',
      FLUSH_INTERVAL_MS: '100', SHUTDOWN_GRACE_MS: '5000', DB_QUERY_TIMEOUT_MS: '5000',
    },
    stdout: 'pipe', stderr: 'pipe',
  });
  let out = '';
  const url = Promise.withResolvers<string>();
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const dec = new TextDecoder();
    const reader = stream.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      out += dec.decode(value);
      const m = /"msg":"switchboard listening","url":"([^"]+)"/.exec(out);
      if (m) url.resolve(m[1]!);
    }
  };
  void drain(proc.stdout as ReadableStream<Uint8Array>);
  void drain(proc.stderr as ReadableStream<Uint8Array>);
  void proc.exited.then((code) => url.reject(new Error(`server exited (${code}): ${out}`)));
  return { proc, url: url.promise, output: () => out };
}

type Outcome = { status: number; id: string | null; ms: number };

async function call(url: string, key: string, n: number): Promise<Outcome> {
  const t0 = performance.now();
  const stream = n % 2 === 0;
  try {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o-mini', stream, ...(stream ? { stream_options: { include_usage: true } } : {}),
        messages: [{ role: 'user', content: `hi ${n}` }],
      }),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    const complete = res.status === 200 && (stream ? text.includes('data: [DONE]') : Boolean(JSON.parse(text).choices));
    return { status: complete ? 200 : res.status === 200 ? -1 : res.status, id: complete ? res.headers.get('x-request-id') : null, ms: performance.now() - t0 };
  } catch {
    return { status: 0, id: null, ms: performance.now() - t0 };
  }
}

describe.skipIf(!privatePostgresAvailable())('database outage', () => {
  let pg: PrivatePostgres;
  let mock: MockOpenAI;
  let dataDir: string;
  let server: Server;
  let url: string;
  let sql: ReturnType<typeof postgres>;
  let s: Seeded;
  let limitedKey: string;
  let opening: bigint;
  const outcomes: Array<Outcome & { at: number; key: 'main' | 'limited' }> = [];
  let downAt = 0;
  let upAt = 0;

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    mock = await startMockOpenAI();
    dataDir = mkdtempSync(join(tmpdir(), 'sb-outage-'));
  }, 120_000);

  afterAll(async () => {
    if (process.env.OUTAGE_DEBUG) console.log(server?.output().slice(-6000));
    server?.proc.kill('SIGKILL');
    mock?.stop();
    await sql?.end({ timeout: 1 }).catch(() => {});
    await pg?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('started while the database is down, it waits with a clear message and starts when it returns', async () => {
    await pg.stop();
    server = spawnServer(dataDir, pg.url);
    const deadline = Date.now() + 30_000;
    while (!server.output().includes('database not reachable; retrying') && Date.now() < deadline) await Bun.sleep(100);
    expect(server.output()).toContain('database not reachable; retrying');
    expect(server.proc.exitCode).toBeNull();
    // A log line naming the cause, not a stack trace.
    expect(server.output()).not.toMatch(/\n\s+at .+:\d+:\d+/);
    await pg.start();
    url = await server.url;
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: { up: true }, writer: { backlog: 0 } });
  }, 90_000);

  test('20 s outage under load: fast 503s while down, service and backlog back within 30 s, nothing lost', async () => {
    const admin = createSwitchboardClient({ url, token: ADMIN_KEY });
    s = await seed({ admin } as TestGateway, mock.url);
    // A key with an RPM limit needs the database (rate counters) on every call.
    limitedKey = (await admin.keys.create.mutate({ name: 'limited', user: (await admin.users.get.query({ id: s.userId })).username, rpm: 100_000 })).key;
    sql = postgres(pg.url, { max: 2, onnotice: () => {} });
    opening = BigInt((await sql`SELECT balance::text FROM users WHERE id = ${s.userId}`)[0]!.balance);

    let stop = false;
    let n = 0;
    const worker = (key: string, which: 'main' | 'limited') => (async () => {
      while (!stop) {
        const o = await call(url, key, n++);
        outcomes.push({ ...o, at: Date.now(), key: which });
        // Refused calls come back at once: do not spin.
        if (o.status !== 200) await Bun.sleep(20);
      }
    })();
    const workers = [...Array.from({ length: 6 }, () => worker(s.key, 'main')), ...Array.from({ length: 2 }, () => worker(limitedKey, 'limited'))];

    await Bun.sleep(3_000);
    downAt = Date.now();
    await pg.stop();
    await Bun.sleep(OUTAGE_MS);
    const midReady = await fetch(`${url}/readyz`);
    const health = await fetch(`${url}/healthz`);
    await pg.start();
    upAt = Date.now();

    // Calls on both keys succeed again, and the writer catches up, within 30 s of the return.
    let resumedAt = 0;
    while (Date.now() - upAt < 30_000) {
      const recent = outcomes.filter((o) => o.at > Math.max(upAt, Date.now() - 1_000));
      const ready = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
      if (ready && recent.some((o) => o.key === 'main' && o.status === 200) && recent.some((o) => o.key === 'limited' && o.status === 200)) {
        resumedAt = Date.now();
        break;
      }
      await Bun.sleep(250);
    }
    await Bun.sleep(2_000);
    stop = true;
    await Promise.all(workers);

    console.log(`outage: ${outcomes.length} calls, ${outcomes.filter((o) => o.status === 200).length} served, ${outcomes.filter((o) => o.status === 503).length} × 503; resumed ${resumedAt ? resumedAt - upAt : 'never'} ms after the database returned`);
    expect(resumedAt).toBeGreaterThan(0);
    expect(server.proc.exitCode).toBeNull();
    expect(midReady.status).toBe(503);
    expect(((await midReady.json()) as { database: { up: boolean } }).database.up).toBe(false);
    expect(health.status).toBe(200);

    const during = outcomes.filter((o) => o.at > downAt + 1_000 && o.at < upAt);
    // The rate-limited key needs the database on every call: a clear 503, fast, not a hang.
    const limitedDuring = during.filter((o) => o.key === 'limited');
    expect(limitedDuring.length).toBeGreaterThan(10);
    expect(limitedDuring.every((o) => o.status === 503)).toBe(true);
    expect(Math.max(...limitedDuring.map((o) => o.ms))).toBeLessThan(5_000);
    // Nothing hangs: every call during the outage ended well within the client's patience.
    expect(during.every((o) => o.status !== 0 && o.ms < 5_000)).toBe(true);
    // Only 200s and 503s: no 500s from driver errors.
    expect(outcomes.every((o) => o.status === 200 || o.status === 503)).toBe(true);
  }, 120_000);

  test('the database stopping while the gateway is idle does not end the process', async () => {
    // Idle: the backlog of the outage above has drained.
    const drained = Date.now() + 30_000;
    while (Date.now() < drained && ((await (await fetch(`${url}/readyz`)).json()) as { writer: { backlog: number } }).writer.backlog > 0) await Bun.sleep(250);
    await pg.stop();
    await Bun.sleep(4_000);
    if (server.proc.exitCode !== null) console.log(server.output().slice(-6000));
    expect(server.proc.exitCode).toBeNull();
    await pg.start();
    const deadline = Date.now() + 30_000;
    let ok = false;
    while (!ok && Date.now() < deadline) {
      ok = (await call(url, s.key, 1)).status === 200;
      if (!ok) await Bun.sleep(250);
    }
    expect(ok).toBe(true);
    let ready: Response | null = null;
    while (Date.now() < deadline) {
      ready = await fetch(`${url}/readyz`);
      if (ready.status === 200) break;
      await Bun.sleep(250);
    }
    if (ready?.status !== 200) console.log(await ready?.text());
    expect(ready?.status).toBe(200);
    expect(server.proc.exitCode).toBeNull();
  }, 60_000);

  test('SIGTERM completes; every served call is logged once and Σ cost = balance change = ledger', async () => {
    server.proc.kill('SIGTERM');
    const code = await Promise.race([server.proc.exited, Bun.sleep(20_000).then(() => 'hung')]);
    expect(code).toBe(0);
    expect(server.output()).not.toContain('uncaught');

    const served = outcomes.filter((o) => o.status === 200).map((o) => o.id!);
    expect(served.length).toBeGreaterThan(50);
    const rows = await sql`SELECT request_id, count(*)::int AS n, min(status)::int AS status FROM call_logs WHERE request_id IN ${sql(served)} GROUP BY request_id`;
    expect(rows.length).toBe(served.length);
    expect(rows.every((r) => r.n === 1 && r.status === 200)).toBe(true);
    // Nothing left in the journal: the final flush committed everything.
    expect(readdirSync(join(dataDir, 'journal')).filter((f) => f.endsWith('.jsonl'))).toEqual([]);

    const [logs] = await sql`SELECT count(*)::int AS n, coalesce(sum(cost), 0)::text AS cost FROM call_logs WHERE user_id = ${s.userId}`;
    const [user] = await sql`SELECT balance::text, used::text, leased::text FROM users WHERE id = ${s.userId}`;
    const [ledger] = await sql`SELECT coalesce(sum(amount), 0)::text AS amount FROM ledger WHERE user_id = ${s.userId} AND kind = 'usage'`;
    const cost = BigInt(logs!.cost);
    expect(cost).toBeGreaterThan(0n);
    expect(opening - BigInt(user!.balance)).toBe(cost);
    expect(BigInt(user!.used)).toBe(cost);
    expect(BigInt(ledger!.amount)).toBe(-cost);
    // (Ledger call counts include refused calls only when they share a batch with a charged
    // one, so they are not compared with the row count here; the amounts are exact.)
    // Every lease went back at shutdown.
    expect(BigInt(user!.leased)).toBe(0n);
  }, 60_000);
});
