// Crash safety: the real server is `kill -9`ed under load with calls served but not yet
// flushed. After a restart on the same DATA_DIR and database the journal is replayed, and
// every call a client saw succeed is logged and billed exactly once; replaying the same
// journal again charges nothing twice.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import postgres from 'postgres';
import { createSwitchboardClient } from '../../client/index.ts';
import { freshPostgres } from '../helpers/databases.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { seed, type Seeded } from '../helpers/seed.ts';
import { type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';

const root = resolve(import.meta.dir, '../..');
const ADMIN_KEY = 'crash-test-admin-key-0000000';
const WORKERS = 8;

type Server = ServerProcess;

/** `bun server/main.ts` as a subprocess; resolves once it listens (after any journal replay). */
const startServer = (dataDir: string, databaseUrl: string) => startServerProcess({
  DATA_DIR: dataDir, DATABASE_URL: databaseUrl, ADMIN_KEY, ADMIN_PASSWORD: 'crash-root-password',
  // Long enough that the kill always lands with settled calls not yet committed.
  FLUSH_INTERVAL_MS: '2000',
});

/** One chat call; its request id if the client saw it complete (whole body or whole stream). */
async function call(url: string, key: string, n: number): Promise<string | null> {
  const stream = n % 2 === 0;
  try {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o-mini', stream, ...(stream ? { stream_options: { include_usage: true } } : {}),
        messages: Array.from({ length: 1 + (n % 5) }, () => ({ role: 'user', content: 'hi' })),
      }),
    });
    const text = await res.text();
    if (res.status !== 200 || (stream ? !text.includes('data: [DONE]') : !JSON.parse(text).choices)) return null;
    return res.headers.get('x-request-id');
  } catch {
    return null;
  }
}

const segments = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.jsonl'));

describe('kill -9 under load', () => {
  let mock: MockOpenAI;
  let pg: { url: string; drop(): Promise<void> };
  let sql: ReturnType<typeof postgres>;
  let dataDir: string;
  let server: Server;
  let s: Seeded;
  let opening: bigint;
  const seen: string[] = [];
  let failed = 0;
  let committedBeforeRestart = 0;
  let leftover: string[] = [];

  const totals = async () => {
    const [logs] = await sql`SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 200)::int AS ok, coalesce(sum(cost), 0)::text AS cost FROM call_logs`;
    const [user] = await sql`SELECT balance::text, used::text FROM users WHERE id = ${s.userId}`;
    const [key] = await sql`SELECT used::text FROM api_keys WHERE id = ${s.keyId}`;
    const [channel] = await sql`SELECT used::text FROM channels WHERE id = ${s.channelId}`;
    const [ledger] = await sql`SELECT coalesce(sum(amount), 0)::text AS amount, coalesce(sum(calls), 0)::int AS calls FROM ledger WHERE user_id = ${s.userId} AND kind = 'usage'`;
    return {
      rows: logs!.n as number, ok: logs!.ok as number, cost: BigInt(logs!.cost),
      balance: BigInt(user!.balance), userUsed: BigInt(user!.used), keyUsed: BigInt(key!.used), channelUsed: BigInt(channel!.used),
      ledgerAmount: BigInt(ledger!.amount), ledgerCalls: ledger!.calls as number,
    };
  };

  beforeAll(async () => {
    mock = await startMockOpenAI();
    pg = await freshPostgres('sb_crash');
    sql = postgres(pg.url, { max: 2, onnotice: () => {} });
    dataDir = mkdtempSync(join(tmpdir(), 'sb-crash-'));
    server = await startServer(dataDir, pg.url);
    s = await seed({ admin: createSwitchboardClient({ url: server.url, token: ADMIN_KEY }) } as TestGateway, mock.url);
    const [u] = await sql`SELECT balance::text FROM users WHERE id = ${s.userId}`;
    opening = BigInt(u!.balance);

    // Load until the kill: each worker keeps one call in flight.
    let stop = false;
    let n = 0;
    const workers = Array.from({ length: WORKERS }, async () => {
      while (!stop) {
        const id = await call(server.url, s.key, n++);
        if (id) seen.push(id);
        else failed++;
      }
    });
    await Bun.sleep(3_000);
    server.proc.kill('SIGKILL');
    await server.proc.exited;
    stop = true;
    await Promise.all(workers);
    committedBeforeRestart = (await totals()).rows;
    leftover = segments(join(dataDir, 'journal'));
  }, 180_000);

  afterAll(async () => {
    server?.proc.kill('SIGKILL');
    mock?.stop();
    await sql?.end();
    await pg?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('the kill landed with served calls that were only in the journal', () => {
    expect(seen.length).toBeGreaterThan(20);
    expect(leftover.length).toBeGreaterThan(0);
    expect(committedBeforeRestart).toBeLessThan(seen.length);
  });

  test('after restart every call the client saw is logged and billed exactly once', async () => {
    const backup = mkdtempSync(join(tmpdir(), 'sb-crash-journal-'));
    cpSync(join(dataDir, 'journal'), backup, { recursive: true });
    server = await startServer(dataDir, pg.url);
    const replayed = Number(/"msg":"replayed call logs from the local journal","calls":(\d+)/.exec(server.output())?.[1] ?? 0);
    const t = await totals();

    // Seen ⊆ logged: each completed call has exactly one 200 row.
    const rows = await sql`SELECT request_id, status FROM call_logs WHERE request_id IN ${sql(seen)}`;
    expect(rows.length).toBe(seen.length);
    expect(rows.every((r) => r.status === 200)).toBe(true);
    // Logged = seen + calls settled (journaled) whose response the kill cut off; those are
    // among the failed ones, and the upstream served every logged call.
    expect(t.rows).toBe(t.ok);
    expect(t.ok - seen.length).toBeGreaterThanOrEqual(0);
    expect(t.ok - seen.length).toBeLessThanOrEqual(failed);
    expect(mock.requests.length).toBeGreaterThanOrEqual(t.ok);
    expect(mock.requests.length - seen.length).toBeLessThanOrEqual(failed);
    expect(replayed).toBe(t.rows - committedBeforeRestart);

    // Money: Σ logged cost is exactly what left the balance, and every ledger agrees.
    expect(t.cost).toBeGreaterThan(0n);
    expect(opening - t.balance).toBe(t.cost);
    expect(t.userUsed).toBe(t.cost);
    expect(t.keyUsed).toBe(t.cost);
    expect(t.channelUsed).toBe(t.cost);
    expect(t.ledgerAmount).toBe(-t.cost);
    expect(t.ledgerCalls).toBe(t.ok);

    // A clean stop leaves no journal behind.
    server.proc.kill('SIGTERM');
    expect(await server.proc.exited).toBe(0);
    expect(segments(join(dataDir, 'journal'))).toEqual([]);

    // Replaying the same segments again (a crash after commit, before deleting them) charges nothing.
    cpSync(backup, join(dataDir, 'journal'), { recursive: true });
    rmSync(backup, { recursive: true, force: true });
    server = await startServer(dataDir, pg.url);
    expect(server.output()).not.toContain('replayed call logs');
    expect(await totals()).toEqual(t);
    expect(segments(join(dataDir, 'journal')).length).toBe(1);
  }, 180_000);
});
