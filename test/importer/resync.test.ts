// Re-running the import against a One API that kept running: deletions and disables there
// disable the counterpart here, codes redeemed there are closed here, and money moves by One
// API's change since the last import — usage, top-ups and redemptions recorded in Switchboard in
// between are kept (docs/oneapi-import.md, "Re-running").
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Database } from 'bun:sqlite';
import { importOneApi, type ImportReport } from '../../server/importer/index.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { startMockOpenAI, type MockOpenAI } from '../mocks/openai.ts';
import { buildMysqlFixture, buildPostgresFixture, buildSqliteFixture, type FixtureBuilder, type FixtureDb } from './fixtures/build.ts';
import { oneApiWorld, WORLD_TOKEN } from './oneapi-world.ts';

const CODE_A = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const CODE_B = 'b1b2c3d4e5f60718293a4b5c6d7e8f90';
const CODE_C = 'c1b2c3d4e5f60718293a4b5c6d7e8f90';
const code = (id: number, key: string, quota: number) => ({ id, user_id: 1, key, status: 1, name: `code-${id}`, quota, created_time: 1_700_000_000, redeemed_time: 0, count: 1 });

let g: TestGateway;
let mock: MockOpenAI;
let src: FixtureDb;
const run = async (): Promise<ImportReport> => {
  const r = await importOneApi(g.gw.db.db, g.gw.box, { dsn: src.dsn });
  await g.gw.invalidate();
  return r;
};
const db = () => g.gw.db.db;
const vip = () => db().selectFrom('users').selectAll().where('oneapi_id', '=', 2).executeTakeFirstOrThrow();
const redeem = (c: string) =>
  fetch(`${g.url}/api/redeem`, { method: 'POST', headers: { authorization: `Bearer sk-${WORLD_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ code: c }) });

const KINDS: [string, FixtureBuilder][] = [['SQLite', buildSqliteFixture], ['MySQL', buildMysqlFixture], ['PostgreSQL', buildPostgresFixture]];

describe.each(KINDS)('re-running the import from %s', (kind, build) => {
  beforeAll(async () => {
    mock = await startMockOpenAI();
    g = await startTestGateway('pglite');
    src = await build(oneApiWorld(mock.url, { redemptions: [code(1, CODE_A, 5_000_000), code(2, CODE_B, 500_000), code(3, CODE_C, 500_000)] }));
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    mock?.stop();
    await src?.drop();
  });
  /** One API keeps running: write to its database as One API would. */
  const oneApiWrites = async (statements: string[]) => {
    if (kind !== 'SQLite') {
      for (const st of statements) await src.exec(st);
      return;
    }
    const rw = new Database(src.dsn);
    for (const st of statements) rw.run(st);
    rw.close();
  };

  let beforeRerun: bigint;
  let rerun: ImportReport;

  test('first run, then Switchboard records usage, a top-up and a redemption', async () => {
    await run();
    expect((await vip()).balance).toBe(100_000_000_000n); // 50,000,000 quota = $100
    const res = await fetch(`${g.url}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: `Bearer sk-${WORLD_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    await res.text();
    await g.flush();
    const user = await vip();
    await g.admin.billing.credit.mutate({ userId: user.id, amountUsd: '5', reason: 'top-up in Switchboard' });
    expect((await redeem(CODE_B)).status).toBe(200);
    beforeRerun = (await vip()).balance;
    expect(beforeRerun).toBe(100_000_000_000n - 54_000n + 5_000_000_000n + 1_000_000_000n);
  });

  test('One API keeps running: a code redeemed, usage, a top-up, deletions and disables', async () => {
    await oneApiWrites([
      // Code A redeemed in One API by vipuser: One API adds its quota to the user (model/redemption.go Redeem).
      'UPDATE redemptions SET status = 3, redeemed_time = 1750000000 WHERE id = 1',
      'UPDATE users SET quota = quota + 5000000 - 1000, used_quota = used_quota + 1000 WHERE id = 2',
      'DELETE FROM redemptions WHERE id = 3',
      'DELETE FROM channels WHERE id = 3',
      'UPDATE channels SET status = 2 WHERE id = 2',
      'DELETE FROM tokens WHERE id = 2',
      "UPDATE users SET status = 3, username = 'deleted_boss' WHERE id = 1",
    ]);
  });

  test('the re-run applies One API deltas on top of what Switchboard recorded', async () => {
    rerun = await run();
    // One API: +$10 (code A) − $0.002 (usage). Switchboard's usage, top-up and redemption stay.
    const after = await vip();
    expect(after.balance).toBe(beforeRerun + 9_998_000_000n);
    expect(rerun.preview).toContainEqual(expect.objectContaining({ table: 'users', oneapiId: 2, values: [{ field: 'balance', old: expect.any(String), new: expect.any(String) }] }));
    const ledger = await db().selectFrom('ledger').select(['amount', 'kind']).where('user_id', '=', after.id).execute();
    expect(ledger.reduce((s, l) => s + BigInt(l.amount), 0n)).toBe(after.balance);
  });

  test('a code redeemed in One API is closed here and cannot be redeemed again', async () => {
    const a = await db().selectFrom('redemption_codes').select(['status']).where('oneapi_id', '=', 1).executeTakeFirstOrThrow();
    expect(a.status).toBe(3);
    expect((await redeem(CODE_A)).status).toBe(409);
    // Deleted in One API: disabled here.
    const c = await db().selectFrom('redemption_codes').select(['status']).where('oneapi_id', '=', 3).executeTakeFirstOrThrow();
    expect(c.status).toBe(2);
    expect((await redeem(CODE_C)).status).toBe(403);
    // Redeemed here, still unused there: the report names it.
    expect(rerun.notes.some((n) => n.includes('#2 (code-2)') && n.includes('still unused in One API'))).toBe(true);
    const b = await db().selectFrom('redemption_codes').select(['status']).where('oneapi_id', '=', 2).executeTakeFirstOrThrow();
    expect(b.status).toBe(3);
  });

  test('deletions and disables in One API disable the counterpart', async () => {
    const channels = await db().selectFrom('channels').select(['oneapi_id', 'status', 'status_reason']).where('oneapi_id', 'is not', null).orderBy('oneapi_id').execute();
    expect(channels).toEqual([
      { oneapi_id: 1, status: 1, status_reason: null },
      { oneapi_id: 2, status: 2, status_reason: 'disabled by hand in One API' },
      { oneapi_id: 3, status: 2, status_reason: 'deleted in One API' },
    ]);
    const boss = await db().selectFrom('users').select(['status']).where('oneapi_id', '=', 1).executeTakeFirstOrThrow();
    expect(boss.status).toBe(2);
    const key = await db().selectFrom('api_keys').select(['status']).where('oneapi_id', '=', 2).executeTakeFirstOrThrow();
    expect(key.status).toBe(2);
    // The deleted token's key no longer answers.
    const res = await fetch(`${g.url}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: 'Bearer sk-Ad9c0Zb9pE3xYk7LmN2vR5tU8sA4dF6gH0jK1lQ2wE3rT4yU', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(401);
  });

  test('a third run with nothing new moves no money', async () => {
    const before = (await vip()).balance;
    const third = await run();
    expect((await vip()).balance).toBe(before);
    expect(third.counts.ledger.created).toBe(0);
    expect(third.counts.users.updated).toBe(0);
  });
});
