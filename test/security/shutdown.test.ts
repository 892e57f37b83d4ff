// Issue 20 row 6: SHUTDOWN_GRACE_MS is enforced. The real server (`bun server/main.ts`) gets
// SIGTERM with an endless upstream stream in flight and a console socket open on /live: the
// socket is closed with 1001 (Going Away) at once, the stream gets the protocol's error event
// when the grace ends and is settled for what it delivered, and the process exits.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import superjson from 'superjson';
import { createSwitchboardClient } from '../../client/index.ts';
import { freshPostgres } from '../helpers/databases.ts';
import { startServerProcess } from '../helpers/server-process.ts';

const ADMIN_KEY = 'shutdown-test-admin-key-000000';
const GRACE_MS = 2000;
const enc = new TextEncoder();

/** OpenAI chat chunks every 50 ms, forever (https://platform.openai.com/docs/api-reference/chat-streaming). */
function startEndlessStream() {
  const state = { cancelled: 0 };
  const server = Bun.serve({
    port: 0, hostname: '127.0.0.1', idleTimeout: 60,
    async fetch(req) {
      await req.text();
      let timer: ReturnType<typeof setInterval> | undefined;
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          timer = setInterval(() => {
            const chunk = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: 'word ' }, finish_reason: null }] };
            try { controller.enqueue(enc.encode(`data: ${JSON.stringify(chunk)}\n\n`)); } catch { clearInterval(timer); }
          }, 50);
        },
        cancel() { state.cancelled++; clearInterval(timer); },
      });
      return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
    },
  });
  return { server, state, url: `http://127.0.0.1:${server.port}` };
}

describe('shutdown within SHUTDOWN_GRACE_MS', () => {
  let up: ReturnType<typeof startEndlessStream>;
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let dataDir: string;

  beforeAll(async () => {
    up = startEndlessStream();
    db = await freshPostgres();
    dataDir = mkdtempSync(join(tmpdir(), 'sb-shutdown-'));
  });
  afterAll(async () => {
    up?.server.stop(true);
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('endless stream + open /live socket: 1001, error event, settled, process exits', async () => {
    const { proc, url } = await startServerProcess({
      DATA_DIR: dataDir, DATABASE_URL: db.url, ADMIN_KEY, ADMIN_PASSWORD: 'shutdown-root-password', SHUTDOWN_GRACE_MS: String(GRACE_MS),
    }, 60_000);
    expect(url).not.toBe('');

    const admin = createSwitchboardClient({ url, token: ADMIN_KEY });
    await admin.users.create.mutate({ username: 'streamer', balanceUsd: '10' });
    await admin.channels.create.mutate({ name: 'endless', type: 1, baseUrl: up.url, key: 'sk-endless-upstream-key', models: ['gpt-4o-mini'] });
    await admin.prices.set.mutate({ model: 'gpt-4o-mini', inputUsdPerM: '0.15', outputUsdPerM: '0.6' });
    const { key } = await admin.keys.create.mutate({ name: 'k', user: 'streamer' });

    // A console on Live calls.
    const ws = new WebSocket(`${url.replace('http', 'ws')}/live`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } } as unknown as string[]);
    const closed = new Promise<{ code: number; reason: string; at: number }>((r) => ws.addEventListener('close', (e) => r({ code: e.code, reason: e.reason, at: performance.now() })));
    await new Promise((r) => ws.addEventListener('open', r));
    ws.send(JSON.stringify({ id: 1, method: 'subscription', params: { path: 'live.events', input: superjson.serialize({}) } }));

    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'go on forever' }] }),
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id')!;
    const reader = res.body!.getReader();
    let body = '';
    const dec = new TextDecoder();
    const reading = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        body += dec.decode(value);
      }
    })().catch(() => {});
    await Bun.sleep(500);

    const t0 = performance.now();
    proc.kill('SIGTERM');
    const exit = await Promise.race([proc.exited, Bun.sleep(GRACE_MS + 20_000).then(() => 'hung' as const)]);
    const exitedAfter = performance.now() - t0;
    if (exit === 'hung') proc.kill('SIGKILL');
    await reading;
    const socket = await closed;
    console.log(`[shutdown] grace ${GRACE_MS} ms: process exited ${exit} after ${exitedAfter.toFixed(0)} ms; /live closed ${socket.code} after ${(socket.at - t0).toFixed(0)} ms`);

    expect(exit).toBe(0);
    expect(exitedAfter).toBeLessThan(GRACE_MS + 5000);
    expect(socket.code).toBe(1001);
    expect(socket.at - t0).toBeLessThan(1000);
    expect(body).toContain('word ');
    expect(body.slice(-400)).toContain('"code":"server_shutting_down"');
    expect(up.state.cancelled).toBeGreaterThanOrEqual(1);

    // Settled exactly once, for what was delivered.
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql`SELECT status, error_type, completion_tokens, cost FROM call_logs WHERE request_id = ${requestId}`;
      expect(rows.length).toBe(1);
      expect(rows[0]!.status).toBe(503);
      expect(rows[0]!.error_type).toBe('server_shutting_down');
      expect(Number(rows[0]!.completion_tokens)).toBeGreaterThan(0);
      expect(BigInt(rows[0]!.cost)).toBeGreaterThan(0n);
    } finally {
      await sql.end();
    }
  }, 90_000);
});
