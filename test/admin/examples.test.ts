// The scripts in examples/ run against a real server: create a channel and a key, tail live
// calls, export last month's bill.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { join } from 'node:path';
import { ADMIN_KEY, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';

let g: TestGateway;
let mock: MockOpenAI;
let key = '';
const root = join(import.meta.dir, '../..');

beforeAll(async () => {
  mock = await startMockOpenAI();
  g = await startTestGateway('pglite');
}, 60_000);
afterAll(async () => {
  await g?.close();
  mock?.stop();
});

const spawn = (script: string, ...args: string[]) => Bun.spawn(['bun', join(root, 'examples', script), ...args], {
  env: { ...process.env, SWITCHBOARD_URL: g.url, SWITCHBOARD_TOKEN: ADMIN_KEY }, stdout: 'pipe', stderr: 'pipe',
});

const chat = () => fetch(`${g.url}/v1/chat/completions`, {
  method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
});

test('create-channel-and-key prints a key that works', async () => {
  const p = spawn('create-channel-and-key.ts', '--base-url', mock.url, '--upstream-key', 'sk-upstream-example', '--model', 'gpt-4o-mini');
  const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
  expect(err).toMatch(/^channel #\d+ with 1 upstream key\(s\); key #\d+ for root\n$/);
  expect(code).toBe(0);
  key = out.trim();
  expect(key).toMatch(/^sk-[A-Za-z0-9]{48}$/);
  expect((await chat()).status).toBe(200);
}, 60_000);

test('tail-live-calls prints a finished call', async () => {
  const p = spawn('tail-live-calls.ts', '--limit', '1');
  const reader = p.stderr.getReader();
  const { value } = await reader.read(); // "listening for calls…"
  expect(new TextDecoder().decode(value)).toContain('listening');
  await Bun.sleep(500); // the WebSocket opens lazily on the first subscription
  expect((await chat()).status).toBe(200);
  await g.flush();
  const exited = await Promise.race([p.exited, Bun.sleep(20_000).then(() => 'timeout' as const)]);
  if (exited === 'timeout') p.kill();
  const out = await new Response(p.stdout).text();
  expect(exited).toBe(0);
  expect(out).toMatch(/^\S+Z\t200\tgpt-4o-mini\t\d+\+4 tok\t\$0\.\d+\t\d+ms\n$/);
}, 60_000);

test('export-last-month-bill writes CSV with a total', async () => {
  const p = spawn('export-last-month-bill.ts');
  const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
  expect(err).toMatch(/^bill for \d{4}-\d{2} /);
  expect(code).toBe(0);
  const lines = out.trim().split('\n');
  expect(lines[0]).toBe('model,calls,prompt_tokens,completion_tokens,cached_tokens,cost_usd');
  // The calls above are this month's: last month's bill is empty.
  expect(lines.at(-1)).toBe('"total",0,,,,0.00');
}, 60_000);
