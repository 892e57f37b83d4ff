// `bun run build` makes one executable; started from an empty directory with only env
// config it serves a relay call on the embedded database.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import OpenAI from 'openai';
import { createSwitchboardClient } from '../../client/index.ts';
import { MOCK_TEXT, type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';

const root = resolve(import.meta.dir, '../..');
const ADMIN_KEY = 'binary-test-admin-key-000000';

describe('single executable', () => {
  let mock: MockOpenAI;
  let dir: string;
  let proc: ReturnType<typeof Bun.spawn>;
  let url = '';

  beforeAll(async () => {
    const build = Bun.spawn(['bun', 'run', 'build'], { cwd: root, stdout: 'pipe', stderr: 'pipe' });
    expect(await build.exited).toBe(0);
    mock = await startMockOpenAI();
    dir = mkdtempSync(join(tmpdir(), 'sb-binary-'));
    proc = Bun.spawn([join(root, 'dist/switchboard')], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ADMIN_KEY, ADMIN_PASSWORD: 'binary-root-pw', LOG_LEVEL: 'info' },
      stdout: 'pipe', stderr: 'pipe',
    });
    const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
    let out = '';
    const deadline = Date.now() + 45_000;
    while (!url && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      out += new TextDecoder().decode(value);
      url = /"msg":"switchboard listening","url":"([^"]+)"/.exec(out)?.[1] ?? '';
    }
    if (!url) throw new Error(`binary did not start: ${out}`);
  }, 120_000);

  afterAll(() => {
    proc?.kill('SIGKILL');
    mock?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('relays a call with a key created through the admin API', async () => {
    const admin = createSwitchboardClient({ url, token: ADMIN_KEY });
    await admin.channels.create.mutate({ name: 'mock', type: 1, baseUrl: mock.url, key: 'sk-up', models: ['gpt-4o-mini'] });
    await admin.prices.set.mutate({ model: 'gpt-4o-mini', inputUsdPerM: '1', outputUsdPerM: '2' });
    await admin.users.create.mutate({ username: 'bin', balanceUsd: '1' });
    const { key } = await admin.keys.create.mutate({ name: 'k', user: 'bin' });
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: key, maxRetries: 0 });
    const res = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.choices[0]!.message.content).toBe(MOCK_TEXT.join(''));
    const health = await fetch(`${url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok', database: 'pglite' });
    // The call is logged and charged: the writer's COPY works inside the executable's PGlite.
    let rows: Awaited<ReturnType<typeof admin.logs.list.query>>['rows'] = [];
    for (let i = 0; i < 50 && !rows.length; i++) {
      rows = (await admin.logs.list.query({ model: 'gpt-4o-mini' })).rows;
      if (!rows.length) await Bun.sleep(100);
    }
    expect(rows.map((r) => [r.status, r.model, BigInt(r.cost) > 0n])).toEqual([[200, 'gpt-4o-mini', true]]);
  });

  test('the healthcheck subcommand reports the running server', async () => {
    const port = new URL(url).port;
    const hc = Bun.spawn([join(root, 'dist/switchboard'), 'healthcheck'], { env: { PORT: port }, stdout: 'ignore', stderr: 'ignore' });
    expect(await hc.exited).toBe(0);
    const bad = Bun.spawn([join(root, 'dist/switchboard'), 'healthcheck'], { env: { PORT: '1' }, stdout: 'ignore', stderr: 'ignore' });
    expect(await bad.exited).toBe(1);
  });
});
