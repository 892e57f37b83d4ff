// The One API importer's entry points: tRPC `import.oneapi` (with progress on gw.events), AI
// Proxy's REST path, the CLI, and `GET /api/status`. After an import, an imported client key
// answers a relay call and an imported user signs in with their old (bcrypt) password.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { ImportProgressEvent } from '../../server/admin/import.ts';
import { buildFixture, type Fixture } from '../importer/fixtures/data.ts';
import { buildMysqlFixture, buildSqliteFixture, type FixtureDb } from '../importer/fixtures/build.ts';
import { FIRST_RUN_COUNTS } from '../importer/expected.ts';
import { ADMIN_KEY, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';
import { Browser, codeOf, createAccount, patClient } from './helpers.ts';

let g: TestGateway;
let mock: MockOpenAI;
let fx: Fixture;
let sqlite: FixtureDb;
let maria: FixtureDb;

beforeAll(async () => {
  mock = await startMockOpenAI();
  fx = await buildFixture();
  [sqlite, maria, g] = await Promise.all([buildSqliteFixture(fx.data), buildMysqlFixture(fx.data), startTestGateway('pglite')]);
  // A model only the local mock serves, so no imported channel (real vendors) is ever chosen.
  await g.admin.channels.create.mutate({ name: 'mock', type: 1, baseUrl: mock.url, key: 'sk-upstream-mock', models: ['mock-model'] });
  await g.admin.prices.set.mutate({ model: 'mock-model', inputUsdPerM: '1', outputUsdPerM: '2' });
}, 120_000);
afterAll(async () => {
  await g?.close();
  mock?.stop();
  await sqlite?.drop();
  await maria?.drop();
});

const chat = (key: string) => fetch(`${g.url}/v1/chat/completions`, {
  method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'mock-model', messages: [{ role: 'user', content: 'hi' }] }),
});

describe('import.oneapi over tRPC', () => {
  const events: ImportProgressEvent[] = [];

  test('a dry run writes nothing', async () => {
    const report = await g.admin.import.oneapi.mutate({ dsn: sqlite.dsn, dryRun: true });
    expect(report.dryRun).toBe(true);
    expect(report.counts.users).toEqual(FIRST_RUN_COUNTS.users);
    const imported = await g.gw.db.db.selectFrom('users').select('id').where('oneapi_id', 'is not', null).execute();
    expect(imported).toEqual([]);
  });

  test('a real import reports every table and publishes progress on gw.events', async () => {
    const listener = (e: ImportProgressEvent) => events.push(e);
    g.gw.events.on('import.progress', listener);
    const report = await g.admin.import.oneapi.mutate({ dsn: sqlite.dsn });
    g.gw.events.off('import.progress', listener);
    expect(report.dryRun).toBe(false);
    for (const t of ['users', 'api_keys', 'channels', 'channel_keys', 'redemption_codes'] as const) expect(report.counts[t]).toEqual(FIRST_RUN_COUNTS[t]);
    expect(events.at(-1)).toMatchObject({ phase: 'done', done: 1, total: 1, dryRun: false, actor: 'admin-key' });
    expect(new Set(events.map((e) => e.runId)).size).toBe(1);
    expect(events.map((e) => e.phase)).toContain('write:users');
    const text = JSON.stringify(events);
    for (const s of fx.secrets) if (s.length >= 6) expect(text.includes(s) ? s : null).toBeNull();
  });

  test('an imported key answers a relay call, with and without the sk- prefix', async () => {
    const raw = fx.tokenKeys[1]!; // root-default: unlimited, no model list, One API stores it without sk-
    const res = await chat(`sk-${raw}`);
    expect(res.status).toBe(200);
    expect((await res.json()).choices[0].message.content).toBe('Hello from the mock');
    expect((await chat(raw)).status).toBe(200);
    await g.flush();
    const key = await g.gw.db.db.selectFrom('api_keys').select(['id', 'user_id']).where('oneapi_id', '=', 1).executeTakeFirstOrThrow();
    const logs = await g.gw.db.db.selectFrom('call_logs').select(['status', 'model']).where('key_id', '=', key.id).execute();
    expect(logs).toEqual([{ status: 200, model: 'mock-model' }, { status: 200, model: 'mock-model' }]);
  });

  test('an imported user signs in with the old password; the bcrypt hash becomes argon2id', async () => {
    const before = await g.gw.db.db.selectFrom('users').select('password_hash').where('username', '=', 'alice').executeTakeFirstOrThrow();
    expect(before.password_hash).toMatch(/^\$2[aby]\$/);
    const b = new Browser(g.url);
    expect(await codeOf(b.login('alice', 'wrong-password'))).toBe('UNAUTHORIZED');
    const r = await b.login('alice', fx.passwords.alice);
    expect(r.user).toMatchObject({ username: 'alice', role: 'admin' });
    expect(await b.client.auth.me.query()).toMatchObject({ username: 'alice', role: 'admin', kind: 'session' });
    const after = await g.gw.db.db.selectFrom('users').select('password_hash').where('username', '=', 'alice').executeTakeFirstOrThrow();
    expect(after.password_hash).toMatch(/^\$argon2id\$/);
    expect(await codeOf(new Browser(g.url).login('alice', fx.passwords.alice))).toBe('OK');
    // Disabled in One API (status 2): the right password, but no session.
    expect(await codeOf(new Browser(g.url).login('bob', fx.passwords.bob))).toBe('FORBIDDEN');
  });

  test('a DSN that cannot be read is a clear error without its password', async () => {
    const e = await g.admin.import.oneapi.mutate({ dsn: 'mysql://u:s3cret-pass@127.0.0.1:1/x' }).catch((x) => x);
    expect(e.data.code).toBe('BAD_REQUEST');
    expect(e.message).toMatch(/^One API import failed \(source\): /);
    expect(e.message).not.toContain('s3cret-pass');
  });
});

describe('AI Proxy REST', () => {
  const post = (body: unknown, token?: string) => fetch(`${g.url}/api/channels/import/oneapi`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body),
  });

  test('POST /api/channels/import/oneapi with ADMIN_KEY and AI Proxy\'s hybrid MySQL DSN', async () => {
    const hybrid = maria.altDsns.find((d) => d.includes('@tcp('))!;
    expect(hybrid).toMatch(/^mysql:\/\/.*@tcp\(/);
    const res = await post({ dsn: hybrid }, ADMIN_KEY);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.success).toBe(true);
    // Same One API rows as the SQLite import: matched by id, nothing duplicated. (Users that
    // signed in or spent since then count as updated: the re-run brings One API's values back.)
    const { users, api_keys, channels } = body.data.counts;
    expect([users.created, users.updated + users.unchanged, users.skipped]).toEqual([0, 4, 1]);
    expect([api_keys.created, channels.created, channels.updated]).toEqual([0, 0, 0]);
    const imported = await g.gw.db.db.selectFrom('users').select('oneapi_id').where('oneapi_id', 'is not', null).execute();
    expect(imported.length).toBe(4);
    expect(body.message).toBe('');
  });

  test('the admin key without "Bearer " works too, as AI Proxy\'s AdminAuth accepts it', async () => {
    const res = await fetch(`${g.url}/api/channels/import/oneapi`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: ADMIN_KEY }, body: JSON.stringify({ dsn: sqlite.dsn }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, message: '' });
  });

  test('REST answers in AI Proxy\'s envelope for errors, and needs an admin', async () => {
    const anon = await post({ dsn: sqlite.dsn });
    expect(anon.status).toBe(401);
    expect(await anon.json()).toMatchObject({ success: false });
    await createAccount(g, 'rest-user');
    const { token } = await patClient(g, 'rest-user');
    expect((await post({ dsn: sqlite.dsn }, token)).status).toBe(403);
    const missing = await post({}, ADMIN_KEY);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ success: false, message: 'dsn: dsn is required' });
    const bad = await post({ dsn: 'oracle://nope' }, ADMIN_KEY);
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toMatch(/^One API import failed \(dsn\)/);
    const audit = await g.gw.db.db.selectFrom('audit_log').select(['action', 'ok', 'actor_name']).where('action', '=', 'import.oneapi').execute();
    expect(audit.filter((a) => a.ok).length).toBeGreaterThanOrEqual(2); // the tRPC import and the REST import
  });

  test('GET /api/status', async () => {
    const res = await fetch(`${g.url}/api/status`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ success: true, message: '', data: { system_name: 'Switchboard', database: 'pglite' } });
    expect(body.data.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.data.start_time).toBeGreaterThan(1_700_000_000);
  });
});

describe('CLI', () => {
  test('bun run cli import oneapi --dsn … --dry-run prints counts and skips', async () => {
    const p = Bun.spawn(['bun', 'run', 'cli', 'import', 'oneapi', '--dsn', sqlite.dsn, '--dry-run'], {
      env: { ...process.env, SWITCHBOARD_URL: g.url, ADMIN_KEY }, stdout: 'pipe', stderr: 'pipe',
    });
    const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
    expect(err).not.toContain('error');
    expect(code).toBe(0);
    expect(out).toContain('dry run (nothing written) from sqlite');
    expect(out).toMatch(/^users +created=0 updated=0 unchanged=4 skipped=1$/m);
    expect(out).toMatch(/^skipped users #4 .*: /m);
  }, 60_000);

  test('missing --dsn is a usage error', async () => {
    const p = Bun.spawn(['bun', 'run', 'cli', 'import', 'oneapi'], { env: { ...process.env, SWITCHBOARD_URL: g.url, ADMIN_KEY }, stdout: 'pipe', stderr: 'pipe' });
    expect(await p.exited).toBe(2);
    expect(await new Response(p.stderr).text()).toContain('--dsn is required');
  }, 60_000);
});
