// Users and keys through the admin API: role rules (root, admin, user), balance adjustments
// with their ledger row, key limits and roll, field-level errors, and that a user never
// reaches another user's keys, logs or tokens.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { SwitchboardClient } from '../../client/index.ts';
import { createAdminContext } from '../../server/admin/plugin.ts';
import { appRouter } from '../../server/admin/router.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { seed } from '../helpers/seed.ts';
import { type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';
import { codeOf, createAccount, patClient } from './helpers.ts';

let g: TestGateway;
let mock: MockOpenAI;
let rootId: number;
let admin: SwitchboardClient;
let root: SwitchboardClient;

beforeAll(async () => {
  mock = await startMockOpenAI();
  g = await startTestGateway('pglite');
  rootId = (await g.gw.db.db.selectFrom('users').select('id').where('username', '=', 'root').executeTakeFirstOrThrow()).id;
  await createAccount(g, 'ops', 'admin');
  admin = (await patClient(g, 'ops')).client;
  root = (await patClient(g, 'root', 'test-root-password')).client;
  await seed(g, mock.url, { username: 'seed-owner' }); // a mock channel and prices for gpt-4o-mini
}, 60_000);
afterAll(async () => {
  await g?.close();
  mock?.stop();
});

const chat = (key: string) => fetch(`${g.url}/v1/chat/completions`, {
  method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
});

describe('roles', () => {
  test('only root (or ADMIN_KEY) creates admins', async () => {
    expect(await codeOf(admin.users.create.mutate({ username: 'wannabe', role: 'admin' }))).toBe('FORBIDDEN');
    expect(await codeOf(admin.users.create.mutate({ username: 'plain-user' }))).toBe('OK');
    expect(await codeOf(root.users.create.mutate({ username: 'admin-by-root', role: 'admin' }))).toBe('OK');
    expect(await codeOf(g.admin.users.create.mutate({ username: 'admin-by-key', role: 'admin' }))).toBe('OK');
  });

  test('an admin cannot demote, disable, delete or otherwise modify root', async () => {
    expect(await codeOf(admin.users.update.mutate({ id: rootId, role: 'user' }))).toBe('FORBIDDEN');
    expect(await codeOf(admin.users.update.mutate({ id: rootId, displayName: 'pwned' }))).toBe('FORBIDDEN');
    expect(await codeOf(admin.users.update.mutate({ id: rootId, status: 2 }))).toBe('FORBIDDEN');
    expect(await codeOf(admin.users.delete.mutate({ id: rootId }))).toBe('FORBIDDEN');
    expect(await codeOf(admin.users.adjustBalance.mutate({ id: rootId, amountUsd: '-1', reason: 'x' }))).toBe('FORBIDDEN');
    // Root itself cannot lose its role either (there is always a root).
    expect(await codeOf(root.users.update.mutate({ id: rootId, role: 'admin' }))).toBe('BAD_REQUEST');
    const r = await g.gw.db.db.selectFrom('users').selectAll().where('id', '=', rootId).executeTakeFirstOrThrow();
    expect(r).toMatchObject({ role: 'root', status: 1, display_name: 'root' });
  });

  test('admins manage users, not other admins; root changes roles', async () => {
    const other = await createAccount(g, 'ops2', 'admin');
    const user = await createAccount(g, 'promote-me');
    expect(await codeOf(admin.users.update.mutate({ id: other, status: 2 }))).toBe('FORBIDDEN');
    expect(await codeOf(admin.users.update.mutate({ id: user, role: 'admin' }))).toBe('FORBIDDEN');
    expect(await admin.users.update.mutate({ id: user, group: 'vip', displayName: 'Promote Me' })).toMatchObject({ group_name: 'vip', display_name: 'Promote Me' });
    expect(await root.users.update.mutate({ id: user, role: 'admin' })).toMatchObject({ role: 'admin' });
    expect(await root.users.update.mutate({ id: other, role: 'user' })).toMatchObject({ role: 'user' });
    const listed = await admin.users.list.query({ search: 'promote' });
    expect(listed.map((u) => u.username)).toEqual(['promote-me']);
    expect(listed.every((u) => !('password_hash' in u))).toBe(true);
  });

  test('deleting is soft: the account and its keys stop working, its history stays', async () => {
    const s = await seed(g, mock.url, { username: 'leaver' });
    expect((await chat(s.key)).status).toBe(200);
    await admin.users.delete.mutate({ id: s.userId });
    expect((await chat(s.key)).status).toBe(401);
    expect(await admin.users.get.query({ id: s.userId })).toMatchObject({ status: 3 });
    await g.flush();
    const logs = await g.gw.db.db.selectFrom('call_logs').select('id').where('user_id', '=', s.userId).execute();
    expect(logs.length).toBe(1);
  });
});

describe('balance adjustments', () => {
  test('credit and debit with a reason, each a ledger row of kind adjust', async () => {
    const id = await createAccount(g, 'wallet', 'user', '1');
    const up = await admin.users.adjustBalance.mutate({ id, amountUsd: '2.5', reason: 'goodwill credit' });
    expect(up.balance).toBe(3_500_000_000n);
    const down = await admin.users.adjustBalance.mutate({ id, amountUsd: '-0.000000001', reason: 'rounding fix' });
    expect(down.balance).toBe(3_499_999_999n);
    const rows = await g.gw.db.db.selectFrom('ledger').selectAll().where('user_id', '=', id).where('kind', '=', 'adjust').orderBy('id').execute();
    expect(rows.map((r) => [r.amount, r.balance_after, r.note, r.actor])).toEqual([
      [2_500_000_000n, 3_500_000_000n, 'goodwill credit', 'ops'],
      [-1n, 3_499_999_999n, 'rounding fix', 'ops'],
    ]);
    expect((await admin.users.get.query({ id })).balance).toBe(3_499_999_999n);
  });

  test('field-level messages for bad input, never a stack trace', async () => {
    const e = await admin.users.adjustBalance.mutate({ id: 1, amountUsd: '0', reason: '' }).catch((x) => x);
    expect(e.data.code).toBe('BAD_REQUEST');
    expect(e.data.fields).toEqual({ amountUsd: 'must not be zero', reason: 'a reason is required' });
    expect(JSON.stringify(e.shape)).not.toMatch(/stack|\.ts:\d+/);
    const u = await admin.users.create.mutate({ username: 'x', password: 'short' }).catch((x) => x);
    expect(u.data.fields).toEqual({ username: 'must be 2-64 letters, digits or _.@-', password: 'must be at least 8 characters' });
  });
});

describe('keys', () => {
  let ivy: SwitchboardClient;
  beforeAll(async () => {
    await createAccount(g, 'ivy', 'user', '5');
    ivy = (await patClient(g, 'ivy')).client;
  });

  test('a user creates their own key with limits; a bad limit is a field error', async () => {
    const { id, key, user } = await ivy.keys.create.mutate({
      name: 'script', budgetUsd: '3', period: 'monthly', periodBudgetUsd: '1', expiresAt: '2099-01-01T00:00:00Z',
      models: 'gpt-4o-mini, gpt-4o', ipAllow: ['127.0.0.1', '10.0.0.0/8', '::1/128'], rpm: 60, tpm: 100000,
    });
    expect(user).toBe('ivy');
    expect(key).toMatch(/^sk-[A-Za-z0-9]{48}$/);
    const k = await ivy.keys.get.query({ id });
    expect(k).toMatchObject({
      name: 'script', budget: 3_000_000_000n, period: 'monthly', period_budget: 1_000_000_000n, models: ['gpt-4o-mini', 'gpt-4o'],
      ip_allow: ['127.0.0.1', '10.0.0.0/8', '::1/128'], rpm: 60, tpm: 100000, status: 1,
    });
    expect(new Date(k.expires_at!).toISOString()).toBe('2099-01-01T00:00:00.000Z');
    expect('key_hash' in k).toBe(false);
    const cleared = await ivy.keys.update.mutate({ id, budgetUsd: null, models: null, rpm: null });
    expect(cleared).toMatchObject({ budget: null, models: null, rpm: null, tpm: 100000 });

    const bad = await ivy.keys.update.mutate({ id, ipAllow: ['10.0.0.0/33'] }).catch((x) => x);
    expect(bad.data.fields).toEqual({ 'ipAllow.0': 'must be an IP address or a CIDR range like 10.0.0.0/8' });
    const half = await ivy.keys.update.mutate({ id, period: 'weekly' }).catch((x) => x);
    expect(half.data.fields).toEqual({ periodBudgetUsd: 'period and periodBudgetUsd are set (or cleared) together' });
  });

  test('a user cannot create keys for others or pick channel groups', async () => {
    expect(await codeOf(ivy.keys.create.mutate({ name: 'theirs', user: 'ops' }))).toBe('FORBIDDEN');
    expect(await codeOf(ivy.keys.create.mutate({ name: 'grp', groups: ['vip'] }))).toBe('FORBIDDEN');
    expect(await codeOf(admin.keys.create.mutate({ name: 'for-ivy', user: 'ivy', groups: ['default'] }))).toBe('OK');
  });

  test('roll: a new secret, the old one stops working at once; status switches the key off and on', async () => {
    const { id, key } = await ivy.keys.create.mutate({ name: 'rolling' });
    expect((await chat(key)).status).toBe(200);
    const rolled = await ivy.keys.roll.mutate({ id });
    expect(rolled.key).not.toBe(key);
    expect((await chat(key)).status).toBe(401);
    expect((await chat(rolled.key)).status).toBe(200);
    await ivy.keys.setStatus.mutate({ id, status: 2 });
    expect((await chat(rolled.key)).status).toBe(401);
    await ivy.keys.update.mutate({ id, status: 1 });
    expect((await chat(rolled.key)).status).toBe(200);
    await ivy.keys.delete.mutate({ id });
    expect((await chat(rolled.key)).status).toBe(401);
    expect(await codeOf(ivy.keys.get.query({ id }))).toBe('NOT_FOUND');
  });
});

describe('a user never reaches another user\'s data', () => {
  let jack: SwitchboardClient;
  let jackId: number;
  let kimKeyId: number;
  let kimLogId: string;
  let kimTokenId: number;
  let kimId: number;
  let jackToken: string;

  beforeAll(async () => {
    jackId = await createAccount(g, 'jack', 'user', '5');
    kimId = await createAccount(g, 'kim', 'user', '5');
    const j = await patClient(g, 'jack');
    jack = j.client;
    jackToken = j.token;
    const kim = await patClient(g, 'kim');
    kimTokenId = kim.tokenId;
    const jk = await jack.keys.create.mutate({ name: 'jack-key' });
    const kk = await kim.client.keys.create.mutate({ name: 'kim-key' });
    kimKeyId = kk.id;
    expect((await chat(jk.key)).status).toBe(200);
    expect((await chat(kk.key)).status).toBe(200);
    await g.flush();
    kimLogId = String((await g.gw.db.db.selectFrom('call_logs').select('id').where('user_id', '=', kimId).executeTakeFirstOrThrow()).id);
  });

  test('lists show only the caller\'s rows', async () => {
    const keys = await jack.keys.list.query();
    expect(keys.map((k) => k.name)).toEqual(['jack-key']);
    expect(await jack.keys.list.query({ userId: 1 })).toEqual(keys); // the filter cannot widen a user's view
    const logs = await jack.logs.list.query({});
    expect(logs.rows.length).toBe(1);
    expect(logs.rows.every((l) => l.user_id === jackId)).toBe(true);
    expect((await jack.tokens.list.query({ userId: 1 })).every((t) => t.user_id === jackId)).toBe(true);
  });

  test('every query a user may call returns no row of another user', async () => {
    const foreign: string[] = [];
    for (const [path, p] of Object.entries(appRouter._def.procedures as Record<string, any>)) {
      if (p._def.type !== 'query' || p._def.meta?.access !== 'user') continue;
      const fn = path.split('.').reduce<any>((o, k) => o[k], jack);
      const result = await fn.query(undefined).catch(() => fn.query({}).catch(() => null));
      walk(result, (k, v) => { if ((k === 'user_id' || k === 'userId') && v !== null && v !== jackId) foreign.push(`${path}: ${k}=${v}`); });
    }
    expect(foreign).toEqual([]);
  });

  test('the live subscription carries only the caller\'s own calls', async () => {
    const req = new Request(`${g.url}/live`, { headers: { authorization: `Bearer ${jackToken}` } });
    const ctx = await createAdminContext(g.gw, req, '127.0.0.1');
    const events = (await appRouter.createCaller(ctx).live.events({ types: ['balance.changed'] })) as AsyncIterable<{ type: string; userId?: number }>;
    const it = events[Symbol.asyncIterator]();
    const first = it.next();
    await Bun.sleep(50); // the generator has subscribed to the bus
    g.gw.live.emit({ type: 'balance.changed', userId: kimId, balance: 1n });
    g.gw.live.emit({ type: 'balance.changed', userId: jackId, balance: 2n });
    expect((await first).value).toEqual({ type: 'balance.changed', userId: jackId, balance: 2n });
    await it.return?.(); // unsubscribes from the bus
  });

  test('get, change or delete by id: another user\'s key, log or token is "not found"', async () => {
    expect(await codeOf(jack.keys.get.query({ id: kimKeyId }))).toBe('NOT_FOUND');
    expect(await codeOf(jack.keys.update.mutate({ id: kimKeyId, name: 'mine now' }))).toBe('NOT_FOUND');
    expect(await codeOf(jack.keys.setStatus.mutate({ id: kimKeyId, status: 2 }))).toBe('NOT_FOUND');
    expect(await codeOf(jack.keys.roll.mutate({ id: kimKeyId }))).toBe('NOT_FOUND');
    expect(await codeOf(jack.keys.delete.mutate({ id: kimKeyId }))).toBe('NOT_FOUND');
    expect(await codeOf(jack.logs.get.query({ id: kimLogId }))).toBe('NOT_FOUND');
    expect(await codeOf(jack.tokens.revoke.mutate({ id: kimTokenId }))).toBe('NOT_FOUND');
    const k = await g.gw.db.db.selectFrom('api_keys').selectAll().where('id', '=', kimKeyId).executeTakeFirstOrThrow();
    expect(k).toMatchObject({ name: 'kim-key', status: 1 });
  });
});

function walk(x: unknown, visit: (key: string, value: unknown) => void): void {
  if (Array.isArray(x)) for (const v of x) walk(v, visit);
  else if (x && typeof x === 'object' && !(x instanceof Date)) {
    for (const [k, v] of Object.entries(x)) {
      visit(k, v);
      walk(v, visit);
    }
  }
}
