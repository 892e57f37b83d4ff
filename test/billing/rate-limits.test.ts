// Evidence 3: an RPM limit of 60 lets exactly 60 of a burst of 100 through, with the burst
// split over two gateways on one Postgres: counters in Postgres, and in Redis (REDIS_URL).
// Refusals are 429 with Retry-After and x-ratelimit-* headers. TPM windows are corrected
// to the tokens actually used; user limits apply across the user's keys.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'kysely';
import { type Cluster, startCluster } from '../helpers/cluster.ts';
import { MOCK_COMPLETION_TOKENS, type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';

const MODEL = 'limit-model';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisUp(): Promise<boolean> {
  try {
    const { RedisClient } = await import('bun');
    const r = new RedisClient(REDIS_URL, { connectionTimeout: 1000, autoReconnect: false });
    await r.send('PING', []);
    r.close();
    return true;
  } catch {
    return false;
  }
}

const backends: Array<['postgres' | 'redis', Record<string, string>]> = [['postgres', {}]];
if (await redisUp()) backends.push(['redis', { REDIS_URL }]);

describe.each(backends)('rate limits with counters in %s', (_backend, env) => {
  let mock: MockOpenAI;
  let c: Cluster;
  let userId: number;

  beforeAll(async () => {
    mock = await startMockOpenAI();
    c = await startCluster(2, env);
    const admin = c.nodes[0]!.admin;
    ({ id: userId } = await admin.users.create.mutate({ username: 'limited', balanceUsd: '100' }));
    await admin.channels.create.mutate({ name: 'mock', type: 1, baseUrl: mock.url, key: 'sk-upstream', models: [MODEL] });
    await admin.prices.set.mutate({ model: MODEL, inputUsdPerM: '0.1', outputUsdPerM: '0.1' });
  }, 60_000);

  afterAll(async () => {
    await c?.close();
    mock?.stop();
  });

  const call = (node: number, key: string) => fetch(`${c.nodes[node]!.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
  });

  async function newKey(limits: { rpm?: number; tpm?: number }) {
    const { key, id } = await c.nodes[0]!.admin.keys.create.mutate({ name: `k${Math.random()}`, user: userId, ...limits });
    await c.nodes[1]!.gw.store.reload();
    return { key, id };
  }

  test('RPM 60: exactly 60 of a burst of 100 over two instances get through', async () => {
    const { key } = await newKey({ rpm: 60 });
    const res = await Promise.all(Array.from({ length: 100 }, (_, i) => call(i % 2, key)));
    const ok = res.filter((r) => r.status === 200);
    const limited = res.filter((r) => r.status === 429);
    expect(ok.length).toBe(60);
    expect(limited.length).toBe(40);
    // Both instances admitted some of the 60: the window is shared, not per replica.
    expect(res.filter((r, i) => r.status === 200 && i % 2 === 0).length).toBeGreaterThan(0);
    expect(res.filter((r, i) => r.status === 200 && i % 2 === 1).length).toBeGreaterThan(0);

    const r = limited[0]!;
    const body = await r.json() as { error: { type: string; code: string; message: string } };
    expect(body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_requests' });
    expect(body.error.message).toContain('60 requests per minute');
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(r.headers.get('x-ratelimit-limit-requests')).toBe('60');
    expect(r.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(r.headers.get('x-ratelimit-reset-requests')).toMatch(/^(\d+(\.\d+)?s|\d+m\d+s)$/);
    await Promise.all(res.map((x) => x.body?.cancel().catch(() => {})));
  }, 60_000);

  test('TPM: the window holds the tokens actually used, and a full window refuses with token headers', async () => {
    const perCall = 11 + MOCK_COMPLETION_TOKENS; // mock usage: 11 prompt + 4 completion
    const { key, id } = await newKey({ tpm: 100 });
    let served = 0;
    let refused: Response | null = null;
    let refusal: { error: { code: string } } | null = null;
    for (let i = 0; i < 25 && !refused; i++) {
      const r = await call(i % 2, key);
      if (r.status === 200) {
        served++;
        await r.arrayBuffer();
      } else {
        refused = r;
        refusal = await r.json() as { error: { code: string } };
      }
    }
    expect(refused?.status).toBe(429);
    expect(served).toBeGreaterThan(0);
    // The prompt estimate (5 tokens for "hi") is taken up front and corrected to 15 when the call
    // ends; corrections are asynchronous, so at most 100 / 5 calls fit, about 100 / 15 when they keep up.
    expect(served).toBeLessThanOrEqual(20);
    expect(refused!.headers.get('x-ratelimit-limit-tokens')).toBe('100');
    expect(refusal!.error.code).toBe('rate_limit_tokens');
    if (!env.REDIS_URL) {
      // The corrections are asynchronous: wait for the window to equal served × actual tokens.
      const db = c.nodes[0]!.gw.db.db;
      let sum = -1;
      for (let t = 0; t < 100 && sum !== served * perCall; t++) {
        sum = Number((await sql<{ s: string }>`SELECT coalesce(sum(used), 0) AS s FROM rate_counters WHERE subject = ${`key:${id}:tpm`}`.execute(db)).rows[0]!.s);
        await Bun.sleep(50);
      }
      expect(sum).toBe(served * perCall);
    }
  }, 60_000);

  test("a user's RPM covers all of the user's keys", async () => {
    const { id: uid } = await c.nodes[0]!.admin.users.create.mutate({ username: `u${Date.now()}`, balanceUsd: '10' });
    await c.nodes[0]!.admin.users.update.mutate({ id: uid, rpm: 5 });
    const a = await c.nodes[0]!.admin.keys.create.mutate({ name: 'a', user: uid });
    const b = await c.nodes[0]!.admin.keys.create.mutate({ name: 'b', user: uid });
    await c.nodes[1]!.gw.store.reload();
    const res = await Promise.all(Array.from({ length: 10 }, (_, i) => call(i % 2, i < 5 ? a.key : b.key)));
    expect(res.filter((r) => r.status === 200).length).toBe(5);
    const refused = res.find((r) => r.status === 429)!;
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('this account');
    await Promise.all(res.map((x) => x.body?.cancel().catch(() => {})));
  }, 60_000);

  test('a key without limits costs no counter round trip', async () => {
    const { key } = await newKey({});
    const before = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM rate_counters`.execute(c.nodes[0]!.gw.db.db)).rows[0]!.n;
    const r = await call(0, key);
    expect(r.status).toBe(200);
    await r.arrayBuffer();
    const after = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM rate_counters`.execute(c.nodes[0]!.gw.db.db)).rows[0]!.n;
    expect(after).toBe(before);
  });
});
