// Evidence 4: a redemption code redeemed 20 times concurrently (two users, two gateways, one
// Postgres) credits exactly once, with one ledger row. Codes come in batches in One API's
// format, are shown once, can be disabled, and are redeemable by a key holder over REST.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { type Cluster, startCluster } from '../helpers/cluster.ts';

let c: Cluster;
const users: Array<{ id: number; key: string }> = [];

beforeAll(async () => {
  c = await startCluster(2);
  const admin = c.nodes[0]!.admin;
  for (const name of ['alice', 'bob']) {
    const { id } = await admin.users.create.mutate({ username: name, balanceUsd: '2' });
    const { key } = await admin.keys.create.mutate({ name: 'k', user: id });
    users.push({ id, key });
  }
  await c.nodes[1]!.gw.store.reload();
}, 60_000);

afterAll(async () => {
  await c?.close();
});

const redeem = (node: number, key: string, code: string) => fetch(`${c.nodes[node]!.url}/api/redeem`, {
  method: 'POST',
  headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
  body: JSON.stringify({ code }),
});

const balance = async (id: number) => (await c.nodes[0]!.gw.db.db.selectFrom('users').select('balance').where('id', '=', id).executeTakeFirstOrThrow()).balance;

test('codes come in batches, in One API format, shown once', async () => {
  const { codes } = await c.nodes[0]!.admin.billing.codes.create.mutate({ name: 'launch', amountUsd: '1', count: 5 });
  expect(codes).toHaveLength(5);
  expect(new Set(codes.map((x) => x.code)).size).toBe(5);
  for (const x of codes) expect(x.code).toMatch(/^[0-9a-f]{32}$/);
  const listed = await c.nodes[0]!.admin.billing.codes.list.query({ name: 'launch' });
  expect(listed).toHaveLength(5);
  for (const row of listed) {
    expect(row).toMatchObject({ status: 1, amount: 1_000_000_000n, name: 'launch' });
    expect(JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(codes[0]!.code);
  }
});

test('20 concurrent redemptions of one code over two instances credit once', async () => {
  const { codes: [{ code }] } = await c.nodes[0]!.admin.billing.codes.create.mutate({ name: 'race', amountUsd: '1', count: 1 }) as { codes: [{ id: number; code: string }] };
  const before = await Promise.all(users.map((u) => balance(u.id)));
  const res = await Promise.all(Array.from({ length: 20 }, (_, i) => redeem(i % 2, users[Math.floor(i / 2) % 2]!.key, code)));
  const bodies = await Promise.all(res.map((r) => r.json() as Promise<{ amount_usd?: string; error?: { code: string } }>));
  const won = res.map((r, i) => ({ status: r.status, body: bodies[i]! })).filter((r) => r.status === 200);
  expect(won).toHaveLength(1);
  expect(won[0]!.body.amount_usd).toBe('1.00');
  const lost = res.filter((r) => r.status !== 200);
  expect(lost).toHaveLength(19);
  for (const r of lost) expect(r.status).toBe(409);
  for (const b of bodies.filter((b) => b.error)) expect(b.error!.code).toBe('redemption_code_used');

  const after = await Promise.all(users.map((u) => balance(u.id)));
  const gained = after.map((a, i) => a - before[i]!);
  expect(gained.reduce((s, g) => s + g, 0n)).toBe(1_000_000_000n);
  expect(gained.filter((g) => g !== 0n)).toEqual([1_000_000_000n]);

  const row = await c.nodes[0]!.gw.db.db.selectFrom('redemption_codes').selectAll().where('name', '=', 'race').executeTakeFirstOrThrow();
  expect(row.status).toBe(3);
  const winner = users[gained.findIndex((g) => g !== 0n)]!;
  expect(row.redeemed_by).toBe(winner.id);
  const ledger = await c.nodes[0]!.gw.db.db.selectFrom('ledger').selectAll().where('kind', '=', 'redeem').where('note', 'like', `%#${row.id})`).execute();
  expect(ledger).toHaveLength(1);
  expect(ledger[0]).toMatchObject({ user_id: winner.id, amount: 1_000_000_000n, balance_after: after[gained.findIndex((g) => g !== 0n)] });
}, 60_000);

test('disabled, unknown and malformed codes are refused clearly; admins redeem for a user over tRPC', async () => {
  const { codes } = await c.nodes[0]!.admin.billing.codes.create.mutate({ name: 'misc', amountUsd: '0.5', count: 2 });
  const [a, b] = codes as [{ id: number; code: string }, { id: number; code: string }];
  expect((await c.nodes[0]!.admin.billing.codes.disable.mutate({ ids: [a.id] })).disabled).toEqual([a.id]);
  const disabled = await redeem(1, users[0]!.key, a.code);
  expect(disabled.status).toBe(403);
  expect(((await disabled.json()) as { error: { code: string } }).error.code).toBe('redemption_code_disabled');
  const unknown = await redeem(0, users[0]!.key, 'f'.repeat(32));
  expect(unknown.status).toBe(404);
  await unknown.arrayBuffer();
  const malformed = await redeem(0, users[0]!.key, 'not-a-code');
  expect(malformed.status).toBe(400);
  await malformed.arrayBuffer();
  const noKey = await fetch(`${c.nodes[0]!.url}/api/redeem`, { method: 'POST', body: JSON.stringify({ code: b.code }) });
  expect(noKey.status).toBe(401);
  await noKey.arrayBuffer();

  const before = await balance(users[1]!.id);
  const r = await c.nodes[1]!.admin.billing.redeem.mutate({ code: b.code, userId: users[1]!.id });
  expect(r.amount).toBe(500_000_000n);
  expect(await balance(users[1]!.id)).toBe(before + 500_000_000n);
  await expect(c.nodes[1]!.admin.billing.redeem.mutate({ code: b.code, userId: users[1]!.id })).rejects.toThrow('already been used');
});
