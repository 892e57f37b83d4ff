// The real `bun server/main.ts` process, scripted with `bun run cli` exactly as the README
// shows: first-start root password, admin key file, channel/key/price via CLI, a relay
// call with the printed key, `logs`, and a graceful SIGTERM that flushes everything.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '../db/connect.ts';
import { freshPgliteDir } from './helpers/databases.ts';
import { MOCK_TEXT, type MockOpenAI, startMockOpenAI } from './mocks/openai.ts';

interface Proc { proc: ReturnType<typeof Bun.spawn>; url: string; stdout: () => string }

async function startServer(dataDir: string, env: Record<string, string> = {}): Promise<Proc> {
  const proc = Bun.spawn(['bun', 'server/main.ts'], {
    env: { ...process.env, ADMIN_KEY: '', ADMIN_PASSWORD: '', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, FLUSH_INTERVAL_MS: '50', EMBEDDED_DB: 'pglite', ...env },
    stdout: 'pipe', stderr: 'pipe',
  });
  let out = '';
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  const dec = new TextDecoder();
  const deadline = Date.now() + 60_000;
  let url = '';
  while (!url) {
    if (Date.now() > deadline) throw new Error(`server did not start:\n${out}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`server exited:\n${out}\n${await new Response(proc.stderr as ReadableStream).text()}`);
    out += dec.decode(value);
    url = /"msg":"switchboard listening","url":"([^"]+)"/.exec(out)?.[1] ?? '';
  }
  void (async () => { for (;;) { const { value, done } = await reader.read(); if (done) return; out += dec.decode(value); } })();
  return { proc, url, stdout: () => out };
}

async function cli(p: Proc, dataDir: string, ...args: string[]) {
  const r = Bun.spawn(['bun', 'run', 'cli', ...args], {
    env: { ...process.env, SWITCHBOARD_URL: p.url, DATA_DIR: dataDir, ADMIN_KEY: '' },
    stdout: 'pipe', stderr: 'pipe',
  });
  const [code, stdout, stderr] = await Promise.all([r.exited, new Response(r.stdout as ReadableStream).text(), new Response(r.stderr as ReadableStream).text()]);
  return { code, stdout, stderr };
}

describe('bun start + bun run cli', () => {
  let mock: MockOpenAI;
  let dataDir: string;
  let server: Proc;

  beforeAll(async () => {
    mock = await startMockOpenAI();
    dataDir = await freshPgliteDir();
    server = await startServer(dataDir);
  }, 60_000);
  afterAll(() => {
    server.proc.kill('SIGKILL');
    mock.stop();
  });

  test('first start prints a random root password once and writes private key files', () => {
    const m = /password: (\S+)/.exec(server.stdout());
    expect(m?.[1]).toMatch(/^[A-Za-z0-9]{20}$/);
    for (const f of ['admin-key', 'secret.key']) {
      expect(existsSync(join(dataDir, f))).toBe(true);
      expect(statSync(join(dataDir, f)).mode & 0o777).toBe(0o600);
    }
  });

  test('channel, price, user and key from the CLI, then a relay call with the printed key', async () => {
    const ch = await cli(server, dataDir, 'channel', 'add', '--name', 'mock', '--type', '1', '--base-url', mock.url, '--key', 'sk-upstream-cli-secret', '--models', 'gpt-4o-mini,gpt-4o', '--priority', '5', '--weight', '3', '--mapping', '{"gpt-4o":"gpt-4o-mini"}');
    expect(ch.code).toBe(0);
    expect(ch.stdout.trim()).toMatch(/^\d+$/);
    expect((await cli(server, dataDir, 'price', 'set', 'gpt-4o-mini', '--input-usd-per-m', '0.15', '--output-usd-per-m', '0.6')).code).toBe(0);
    expect((await cli(server, dataDir, 'user', 'create', '--name', 'alice', '--balance-usd', '5')).code).toBe(0);

    const key = await cli(server, dataDir, 'key', 'create', '--name', 'demo', '--user', 'alice');
    expect(key.code).toBe(0);
    const lines = key.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^sk-[A-Za-z0-9]{48}$/);

    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: `Bearer ${lines[0]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe(MOCK_TEXT.join(''));

    await Bun.sleep(200);
    const logs = await cli(server, dataDir, 'logs', '--json', '--limit', '5');
    const rows = JSON.parse(logs.stdout) as Array<{ status: number; model: string; cost: string }>;
    expect(rows[0]).toMatchObject({ status: 200, model: 'gpt-4o-mini' });
    expect(BigInt(rows[0]!.cost)).toBeGreaterThan(0n);

    const list = await cli(server, dataDir, 'channel', 'list', '--json');
    expect(list.stdout).not.toContain('sk-upstream-cli-secret');
    expect(JSON.parse(list.stdout)[0]).toMatchObject({ priority: 5, weight: 3, mapping: { 'gpt-4o': 'gpt-4o-mini' } });
    expect((await cli(server, dataDir, 'key', 'list')).stdout).toContain('demo');
  }, 30_000);

  test('bad CLI input gets a clear message, not a stack trace', async () => {
    const r = await cli(server, dataDir, 'channel', 'add', '--name', 'x', '--type', '1', '--base-url', 'not a url', '--key', 'k', '--models', 'm');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('baseUrl');
    expect(r.stderr).not.toContain('    at ');
    const unauth = Bun.spawn(['bun', 'run', 'cli', 'key', 'list'], { env: { ...process.env, SWITCHBOARD_URL: server.url, ADMIN_KEY: 'wrong-admin-key-000000' }, stderr: 'pipe', stdout: 'pipe' });
    expect(await unauth.exited).not.toBe(0);
    expect(await new Response(unauth.stderr as ReadableStream).text()).toContain('bearer token is not valid');
  }, 30_000);

  test('SIGTERM drains and flushes; the data survives a restart without a new password', async () => {
    const res = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer sk-nope' }, body: '{}' });
    expect(res.status).toBe(401);
    server.proc.kill('SIGTERM');
    expect(await server.proc.exited).toBe(0);
    const db = await connect({ dataDir });
    const logs = await db.db.selectFrom('call_logs').select(['status']).execute();
    const secrets = await db.db.selectFrom('channel_keys').select(['key_enc', 'key_hint']).execute();
    await db.close();
    expect(logs.map((l) => l.status).sort()).toEqual([200, 401]);
    // Upstream keys are encrypted at rest.
    expect(secrets[0]!.key_enc).not.toContain('sk-upstream-cli-secret');

    server = await startServer(dataDir);
    expect(server.stdout()).not.toContain('password:');
  }, 60_000);
});
