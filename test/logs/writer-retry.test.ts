// The writer skips RETURNING when nobody watches live calls. A batch that meets a row
// already logged (a commit that landed but reported failure, then retried) must still be
// charged once: the commit is redone with ids and the repeated call costs nothing.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { NewCallLog } from '../../db/schema.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

/** A served call of `userId` as the relay hands it to the writer. */
const settledCall = (userId: number, requestId: string, createdAt: Date, cost: bigint) => ({
  userId, keyId: null, channelId: null, cost,
  log: {
    request_id: requestId, created_at: createdAt, user_id: userId, key_id: null, channel_id: null, attempts: [],
    endpoint: 'chat/completions', model: 'm', upstream_model: 'm', stream: false, status: 200, error_type: null,
    error_message: null, prompt_tokens: 1, completion_tokens: 1, cached_tokens: 0, cache_write_tokens: 0,
    reasoning_tokens: 0, cost, latency_ms: 1, ttft_ms: 1, overhead_us: 1, client_ip: null, user_agent: null, estimated: false,
  } satisfies NewCallLog,
});

describe('log writer retries without RETURNING', () => {
  let g: TestGateway;
  let userId: number;

  beforeAll(async () => {
    g = await startTestGateway('postgres');
    userId = (await g.admin.users.create.mutate({ username: 'retry', balanceUsd: '10' })).id;
    g.gw.writer.wantIds = () => false;
  });
  afterAll(() => g?.close());

  const call = (requestId: string, createdAt: Date) => settledCall(userId, requestId, createdAt, 7_000n);

  test('a repeated call in a later batch is logged and charged once; the new one in that batch is charged', async () => {
    const at = new Date();
    g.gw.writer.push(call('req_retry_a', at));
    await g.flush();
    // The same call again (as a retried batch would carry it), plus a new one.
    g.gw.writer.push(call('req_retry_a', at));
    g.gw.writer.push(call('req_retry_b', at));
    await g.flush();
    const rows = await g.gw.db.db.selectFrom('call_logs').select(['request_id']).where('user_id', '=', userId).execute();
    expect(rows.map((r) => r.request_id).sort()).toEqual(['req_retry_a', 'req_retry_b']);
    const user = await g.gw.db.db.selectFrom('users').select(['balance', 'used']).where('id', '=', userId).executeTakeFirstOrThrow();
    expect(BigInt(user.used)).toBe(14_000n);
    expect(BigInt(user.balance)).toBe(10_000_000_000n - 14_000n);
    const ledger = await g.gw.db.db.selectFrom('ledger').select(['amount', 'calls']).where('user_id', '=', userId).where('kind', '=', 'usage').execute();
    expect(ledger.reduce((a, l) => a + BigInt(l.amount), 0n)).toBe(-14_000n);
    expect(ledger.reduce((a, l) => a + Number(l.calls), 0)).toBe(2);
  });
});

describe('log writer batching', () => {
  let g: TestGateway;
  let userId: number;

  beforeAll(async () => {
    g = await startTestGateway('postgres', { FLUSH_INTERVAL_MS: '200' });
    userId = (await g.admin.users.create.mutate({ username: 'batching', balanceUsd: '10' })).id;
  });
  afterAll(() => g?.close());

  const call = (requestId: string) => settledCall(userId, requestId, new Date(), 1_000n);

  // Committing back to back while calls kept arriving made a transaction per few calls
  // (0.18 commits per call at one connection, issue 23): a steady trickle now waits for the tick.
  test('a steady trickle of calls is committed about once per interval, not back to back', async () => {
    let commits = 0;
    const writer = g.gw.writer as unknown as { commit: (...a: unknown[]) => Promise<unknown> };
    const commit = writer.commit.bind(writer);
    writer.commit = (...a: unknown[]) => { commits++; return commit(...a); };
    let n = 0;
    for (const end = Date.now() + 1_200; Date.now() < end; ) {
      for (let i = 0; i < 3; i++) g.gw.writer.push(call(`req_trickle_${n++}`));
      await Bun.sleep(1);
    }
    await g.flush();
    writer.commit = commit;
    expect(n).toBeGreaterThan(600);
    // 1.2 s at 200 ms: 6–7 ticks and the final flush.
    expect(commits).toBeLessThanOrEqual(10);
    const [{ count }] = await g.gw.db.db.selectFrom('call_logs').select((eb) => eb.fn.countAll<string>().as('count')).where('user_id', '=', userId).execute() as [{ count: string }];
    expect(Number(count)).toBe(n);
  });

  test('flush() commits everything queued, beyond one batch of 1,000', async () => {
    for (let i = 0; i < 2_500; i++) g.gw.writer.push(call(`req_many_${i}`));
    await g.gw.writer.flush();
    expect(g.gw.writer.backlog).toBe(0);
    const [{ count }] = await g.gw.db.db.selectFrom('call_logs').select((eb) => eb.fn.countAll<string>().as('count')).where('request_id', 'like', 'req_many_%').execute() as [{ count: string }];
    expect(Number(count)).toBe(2_500);
  });
});
