// Evidence 1: 500 concurrent streamed requests against a $0.05 account, split over two
// gateways sharing one real Postgres, with a top-up landing mid-burst. Nothing is spent
// beyond what was leased, and the final balance equals opening − Σ logged costs + Σ credits
// to the nano-USD; the ledger agrees; every lease goes back to the database afterwards.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { sql } from 'kysely';
import { type Cluster, startCluster } from '../helpers/cluster.ts';
import { MOCK_COMPLETION_TOKENS, type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';

const MODEL = 'spend-model';
const OPENING = 50_000_000n; // $0.05
const CREDIT = 10_000_000n; // $0.01, mid-burst
// $10 / $20 per 1M tokens; the mock reports 11 prompt tokens (10 + one message) and 4 completion tokens.
const PER_CALL = 11n * 10_000n + BigInt(MOCK_COMPLETION_TOKENS) * 20_000n;

let mock: MockOpenAI;
let c: Cluster;
let userId: number;
let key: string;

beforeAll(async () => {
  mock = await startMockOpenAI();
  c = await startCluster(2);
  const admin = c.nodes[0]!.admin;
  ({ id: userId } = await admin.users.create.mutate({ username: 'spender', balanceUsd: '0.05' }));
  await admin.channels.create.mutate({ name: 'mock', type: 1, baseUrl: mock.url, key: 'sk-upstream', models: [MODEL] });
  await admin.prices.set.mutate({ model: MODEL, inputUsdPerM: '10', outputUsdPerM: '20' });
  ({ key } = await admin.keys.create.mutate({ name: 'burst', user: userId }));
  // The NOTIFY reaches the other node asynchronously; make it deterministic.
  await c.nodes[1]!.gw.store.reload();
}, 60_000);

afterAll(async () => {
  await c?.close();
  mock?.stop();
});

async function stream(node: number): Promise<{ node: number; status: number; body: string }> {
  const res = await fetch(`${c.nodes[node]!.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, stream: true, max_tokens: 8, messages: [{ role: 'user', content: 'Write one short sentence about the sea.' }] }),
  });
  return { node, status: res.status, body: await res.text() };
}

test('500 concurrent streams over two instances: no overspend, balance exact to the unit', async () => {
  const db = c.nodes[0]!.gw.db.db;
  const burst = Array.from({ length: 500 }, (_, i) => stream(i % 2));
  const credit = Bun.sleep(30).then(() => c.nodes[1]!.admin.billing.credit.mutate({ userId, amountUsd: '0.01', reason: 'mid-burst top-up' }));
  const results = await Promise.all(burst);
  await credit;
  await c.flush();

  const ok = results.filter((r) => r.status === 200);
  const refused = results.filter((r) => r.status !== 200);
  for (const r of ok) expect(r.body).toContain('data: [DONE]');
  for (const r of refused) {
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).error.code).toBe('insufficient_quota');
  }
  // Both instances served, and the money ran out before the burst did.
  expect(ok.filter((r) => r.node === 0).length).toBeGreaterThan(0);
  expect(ok.filter((r) => r.node === 1).length).toBeGreaterThan(0);
  expect(refused.length).toBeGreaterThan(0);

  const logs = await db.selectFrom('call_logs').select(['status', 'cost']).where('user_id', '=', userId).execute();
  expect(logs.length).toBe(500);
  const costs = logs.reduce((s, l) => s + l.cost, 0n);
  for (const l of logs) expect(l.cost).toBe(l.status === 200 ? PER_CALL : 0n);
  expect(costs).toBe(BigInt(ok.length) * PER_CALL);

  const user = await db.selectFrom('users').select(['balance', 'used']).where('id', '=', userId).executeTakeFirstOrThrow();
  // The invariant, exactly: final = opening − Σ logged costs + Σ credits.
  expect(user.balance).toBe(OPENING + CREDIT - costs);
  expect(user.used).toBe(costs);
  // Overspend is bounded by the reservations in flight; here every call cost less than its reservation, so: none.
  expect(user.balance).toBeGreaterThanOrEqual(0n);

  const ledger = await db.selectFrom('ledger').selectAll().where('user_id', '=', userId).orderBy('id').execute();
  expect(ledger.reduce((s, r) => s + r.amount, 0n)).toBe(user.balance);
  expect(ledger.at(-1)!.balance_after).toBe(user.balance);
  expect(ledger.filter((r) => r.kind === 'usage').reduce((s, r) => s - r.amount, 0n)).toBe(costs);
  // Usage rows count the calls of each charged batch (refused calls in uncharged batches cost nothing and add no row).
  expect(ledger.filter((r) => r.kind === 'usage').reduce((s, r) => s + r.calls, 0)).toBeGreaterThanOrEqual(ok.length);
  expect(ledger.filter((r) => r.kind !== 'usage').map((r) => r.amount)).toEqual([OPENING, CREDIT]);
  console.log(`cluster spend: ${ok.length} served (${ok.filter((r) => r.node === 0).length} + ${ok.filter((r) => r.node === 1).length}), ${refused.length} refused, spent ${costs} of ${OPENING + CREDIT} nano-USD, left ${user.balance}`);
}, 120_000);

test('idle leases go back to the database: nothing stays leased', async () => {
  const db = c.nodes[0]!.gw.db.db;
  const deadline = Date.now() + 15_000;
  let leased = -1n;
  let rows = -1;
  while (Date.now() < deadline) {
    leased = (await db.selectFrom('users').select('leased').where('id', '=', userId).executeTakeFirstOrThrow()).leased;
    rows = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM billing_leases WHERE amount > 0`.execute(db)).rows[0]!.n;
    if (leased === 0n && rows === 0) break;
    await Bun.sleep(250);
  }
  expect(leased).toBe(0n);
  expect(rows).toBe(0);
  for (const n of c.nodes) expect(n.gw.accounts.userState(userId).lease).toBe(0n);
}, 30_000);
