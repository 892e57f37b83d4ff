// The audit log: one row per mutation through the middleware (so every router gets it),
// who/what/target/before/after, with keys, passwords, tokens and upstream keys masked.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { SwitchboardClient } from '../../client/index.ts';
import { isSecretName, maskSecrets } from '../../server/auth/mask.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { Browser, codeOf, createAccount, PASSWORD, patClient } from './helpers.ts';

let g: TestGateway;
let ops: SwitchboardClient;
let opsId: number;

beforeAll(async () => {
  g = await startTestGateway('pglite');
  opsId = await createAccount(g, 'ops', 'admin');
  ops = (await patClient(g, 'ops')).client;
}, 60_000);
afterAll(() => g?.close());

const json = (x: unknown) => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
const rows = (action: string) => g.gw.db.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();

describe('audit log', () => {
  test('a user update records who, what, target, before and after, without the password hash', async () => {
    const id = await createAccount(g, 'subject');
    await ops.users.update.mutate({ id, displayName: 'Renamed', password: 'a new password!' });
    const [row] = await rows('users.update');
    expect(row).toMatchObject({ actor_kind: 'pat', actor_user_id: opsId, actor_name: 'ops', target: `users#${id}`, ok: true, error: null, ip: '127.0.0.1' });
    expect(row!.before).toMatchObject({ display_name: 'subject', password_hash: '[masked]' });
    expect(row!.after).toMatchObject({ display_name: 'Renamed', password_hash: '[masked]' });
    expect(row!.input).toEqual({ id, displayName: 'Renamed', password: '[masked]' });
    expect(json(row)).not.toContain('$argon2');
  });

  test('secrets never reach the log: client keys, upstream keys, tokens, DSN passwords', async () => {
    const created = await ops.keys.create.mutate({ name: 'audited' });
    const rolled = await ops.keys.roll.mutate({ id: created.id });
    await ops.channels.create.mutate({ name: 'audited-ch', type: 1, baseUrl: 'http://127.0.0.1:9', key: 'sk-upstream-very-secret-123456', models: ['m1'], config: { sk: 'aws-secret-value', region: 'us-east-1' } });
    const b = new Browser(g.url);
    await b.login('ops');
    const pat = await b.client.tokens.create.mutate({ name: 'audited-token' });
    await codeOf(ops.import.oneapi.mutate({ dsn: 'mysql://oneapi:hunter2-db-pass@127.0.0.1:1/none', dryRun: true }));

    const all = json(await g.gw.db.db.selectFrom('audit_log').selectAll().execute());
    for (const secret of [created.key, rolled.key, 'sk-upstream-very-secret-123456', 'aws-secret-value', pat.token, 'hunter2-db-pass', PASSWORD]) {
      expect(all.includes(secret) ? secret : null).toBeNull();
    }
    const [keyRow] = await rows('keys.create');
    expect(keyRow!.after).toMatchObject({ name: 'audited', key_hash: '[masked]', key_hint: expect.stringMatching(/^sk-/) });
    const [ch] = await rows('channels.create');
    expect(ch!.input).toMatchObject({ key: '[masked]', config: { sk: '[masked]', region: 'us-east-1' } });
    const [imp] = await rows('import.oneapi');
    expect(imp!.input).toMatchObject({ dsn: 'mysql://oneapi:[masked]@127.0.0.1:1/none' });
    expect(imp!.ok).toBe(false);
  });

  test('sign-in is attributed to the account; failed and anonymous attempts leave no row', async () => {
    const before = (await rows('auth.login')).length;
    expect(await codeOf(new Browser(g.url).login('ops', 'wrong password'))).toBe('UNAUTHORIZED');
    expect(await codeOf(new Browser(g.url).client.keys.create.mutate({ name: 'anon' }))).toBe('UNAUTHORIZED');
    await new Browser(g.url).login('ops');
    const after = await rows('auth.login');
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)).toMatchObject({ actor_kind: 'session', actor_name: 'ops', target: `users#${opsId}`, ok: true });
    expect((await rows('keys.create')).some((r) => (r.input as { name?: string }).name === 'anon')).toBe(false);
  });

  test('a refused mutation by a signed-in caller is recorded as failed', async () => {
    const u = await createAccount(g, 'nosy');
    const nosy = (await patClient(g, 'nosy')).client;
    expect(await codeOf(nosy.users.adjustBalance.mutate({ id: u, amountUsd: '100', reason: 'free money' }))).toBe('FORBIDDEN');
    const [row] = await rows('users.adjustBalance');
    expect(row).toMatchObject({ actor_name: 'nosy', ok: false, target: `users#${u}` });
    expect(row!.error).toMatch(/^FORBIDDEN: This needs the admin role/);
  });

  test('audit.list filters by action prefix and pages by id; users cannot read it', async () => {
    const page = await ops.audit.list.query({ action: 'keys.', limit: 1 });
    expect(page).toHaveLength(1);
    expect(page[0]!.action.startsWith('keys.')).toBe(true);
    const next = await ops.audit.list.query({ action: 'keys.', before: page[0]!.id });
    expect(next.every((r) => BigInt(r.id) < BigInt(page[0]!.id) && r.action.startsWith('keys.'))).toBe(true);
    expect(next.length).toBeGreaterThan(0);
    const nosy = (await patClient(g, 'nosy')).client;
    expect(await codeOf(nosy.audit.list.query())).toBe('FORBIDDEN');
  });
});

describe('masking rules', () => {
  test('names that hold secrets, and the ones that only describe them', () => {
    for (const n of ['key', 'apiKey', 'password', 'newPassword', 'token', 'key_hash', 'password_hash', 'sk', 'vertex_ai_adc', 'secret_access_key', 'code']) expect([n, isSecretName(n)]).toEqual([n, true]);
    for (const n of ['keyId', 'key_hint', 'token_hint', 'name', 'model', 'max_tokens', 'status_reason', 'keys_count']) expect([n, isSecretName(n)]).toEqual([n, false]);
  });

  test('values that look like secrets are masked wherever they appear; bigint and dates become JSON', () => {
    expect(maskSecrets({ note: 'old key sk-abcdefghijklmnop1234', other: 'sbp_0123456789abcdef', hint: 'sk-abcd…wxyz', d: new Date(0), n: 5n, nested: [{ password: 'p' }], keys: 3 })).toEqual({
      note: '[masked]', other: '[masked]', hint: 'sk-abcd…wxyz', d: '1970-01-01T00:00:00.000Z', n: '5', nested: [{ password: '[masked]' }], keys: 3,
    });
    expect(maskSecrets({ dsn: 'root:pw@tcp(db:3306)/oneapi' })).toEqual({ dsn: 'root:[masked]@tcp(db:3306)/oneapi' });
    expect(maskSecrets({ dsn: '/data/one-api.db' })).toEqual({ dsn: '/data/one-api.db' });
  });
});
