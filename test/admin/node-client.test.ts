// The typed client from a Node process (not Bun): the script is bundled for Node with
// `bun build --target=node`, run with `node`, and its output checked.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { createAccount, patClient } from './helpers.ts';

let g: TestGateway;
let dir: string;

beforeAll(async () => {
  g = await startTestGateway('pglite');
  dir = mkdtempSync(join(tmpdir(), 'sb-node-client-'));
}, 60_000);
afterAll(async () => {
  await g?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(cmd: string[]) {
  const p = Bun.spawn(cmd, { stdout: 'pipe', stderr: 'pipe' });
  const [code, stdout, stderr] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code, stdout, stderr };
}

test('createSwitchboardClient works from Node with a personal access token', async () => {
  const out = join(dir, 'client-script.mjs');
  const build = await run(['bun', 'build', '--target=node', '--format=esm', join(import.meta.dir, 'node/client-script.ts'), '--outfile', out]);
  expect(build.stderr).not.toMatch(/error/i);
  expect(build.code).toBe(0);

  await createAccount(g, 'node-user');
  const { token } = await patClient(g, 'node-user');
  const r = await run(['node', out, g.url, token]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const result = JSON.parse(r.stdout);
  expect(result).toEqual({
    runtime: expect.stringMatching(/^node v\d+/),
    me: { kind: 'pat', username: 'node-user', role: 'user' },
    keyPrefix: 'sk-',
    budgetIsBigint: true,
    budget: '1500000000',
    createdAtIsDate: true,
    denied: 'FORBIDDEN',
    invalid: { name: 'name is required' },
  });
  const keys = await g.gw.db.db.selectFrom('api_keys').innerJoin('users', 'users.id', 'api_keys.user_id').select(['api_keys.name', 'users.username']).where('api_keys.name', '=', 'from-node').execute();
  expect(keys).toEqual([{ name: 'from-node', username: 'node-user' }]);
}, 60_000);
