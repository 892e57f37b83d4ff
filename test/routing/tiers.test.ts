// Issue 19, routing rows, on real Postgres: three failing top-tier channels (503, 429 with
// Retry-After, a refused port) above one healthy lower tier. Failover walks every tier, so
// no call fails while the healthy channel exists; per channel × model circuit breakers
// (default 3 consecutive failures) stop the failing ones from costing attempts at any
// traffic level; the breaker probe brings a healed channel back within 15 s.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createServer } from 'node:net';
import type { ChannelBreakerEvent } from '../../server/routing/events.ts';
import { ADMIN_KEY, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { faults, type FaultyUpstream, startFaultyUpstream } from '../mocks/faulty-upstream.ts';
import { account, channel, chatVia, price, until } from './setup.ts';

/** A loopback port nothing listens on: connecting is refused at once. */
async function refusedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

interface Setup { model: string; unavailable: number; limited: number; refused: number; healthy: number }

describe('failover across tiers and circuit breakers on postgres', () => {
  let g: TestGateway;
  let down: FaultyUpstream;
  let throttled: FaultyUpstream;
  let good: FaultyUpstream;
  let key: string;
  const breakerEvents: ChannelBreakerEvent[] = [];

  beforeAll(async () => {
    [down, throttled, good] = await Promise.all([startFaultyUpstream(), startFaultyUpstream(), startFaultyUpstream()]);
    g = await startTestGateway('postgres');
    g.gw.events.on('channel.breaker', (e) => breakerEvents.push(e));
    ({ key } = await account(g));
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    await Promise.all([down?.stop(), throttled?.stop(), good?.stop()]);
  });

  /** A fresh model served by the four channels: three failing at priority 10, the healthy one at 0. */
  async function setup(retryAfterS: number): Promise<Setup> {
    const model = `tier-${Math.random().toString(36).slice(2, 8)}`;
    await price(g, model);
    const k503 = `sk-503-${model}`;
    const k429 = `sk-429-${model}`;
    down.forKey(k503, { kind: 'status', status: 503, body: { error: { message: 'overloaded' } } });
    throttled.forKey(k429, faults.rateLimit(retryAfterS));
    const unavailable = await channel(g, down.url, [model], { priority: 10, keys: [k503], name: `503-${model}` });
    const limited = await channel(g, throttled.url, [model], { priority: 10, keys: [k429], name: `429-${model}` });
    const refused = await channel(g, `http://127.0.0.1:${await refusedPort()}`, [model], { priority: 10, name: `refused-${model}` });
    const healthy = await channel(g, good.url, [model], { priority: 0, keys: [`sk-ok-${model}`], name: `ok-${model}` });
    return { model, unavailable, limited, refused, healthy };
  }

  async function attemptsOf(ids: string[]): Promise<number[]> {
    await g.flush();
    const rows = await g.gw.db.db.selectFrom('call_logs').select(['request_id', 'attempts']).where('request_id', 'in', ids).execute();
    const by = new Map(rows.map((r) => [r.request_id, r.attempts.length]));
    return ids.map((id) => by.get(id)!);
  }

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  async function disableAll(s: Setup) {
    await g.admin.channels.batch.mutate({ action: 'disable', ids: [s.unavailable, s.limited, s.refused, s.healthy] });
  }

  test('300 sequential calls: 300 succeed; after the first few calls ≤ 1.1 upstream attempts per call', async () => {
    const s = await setup(30);
    const chat = chatVia(g, key);
    const ids: string[] = [];
    const failures: string[] = [];
    for (let i = 0; i < 300; i++) {
      const res = await chat({ model: s.model });
      if (res.status !== 200) failures.push(`#${i}: ${res.status} ${await res.text()}`);
      else await res.arrayBuffer();
      ids.push(res.headers.get('x-request-id')!);
    }
    expect(failures).toEqual([]);
    const attempts = await attemptsOf(ids);
    // The first call walks the whole top tier (3 failures) before the lower tier answers.
    expect(attempts[0]).toBe(4);
    const first50 = mean(attempts.slice(0, 50));
    const after = mean(attempts.slice(5));
    console.log(`[tiers] sequential: 300/300 ok; attempts/call first 50 ${first50.toFixed(3)}, calls 6-300 ${after.toFixed(3)}, first five ${attempts.slice(0, 5).join(',')}`);
    expect(after).toBeLessThanOrEqual(1.1);
    expect(first50).toBeLessThanOrEqual(1.3);
    // Fast failures cost little: the first call's three failed attempts (503, 429, refused) in ms.
    const first = await g.gw.db.db.selectFrom('call_logs').select(['attempts', 'latency_ms']).where('request_id', '=', ids[0]!).executeTakeFirstOrThrow();
    console.log(`[tiers] first call: ${first.latency_ms} ms in all; failed attempts ${first.attempts.slice(0, 3).map((a) => `${a.status}:${a.ms}ms`).join(', ')}`);
    // The 503 and refused channels' breakers are open (or half-open); both are in /metrics and the admin API.
    const breakers = await g.admin.routing.breakers.query();
    for (const id of [s.unavailable, s.refused]) {
      const b = breakers.find((x) => x.channelId === id && x.model === s.model)!;
      expect(b.state).not.toBe('closed');
      expect(b.failures).toBeGreaterThanOrEqual(3);
      expect(b.channelName).toMatch(/^(503|refused)-/);
    }
    expect(breakers.find((x) => x.channelId === s.healthy)).toBeUndefined();
    const metrics = await (await fetch(`${g.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).text();
    expect(metrics).toMatch(new RegExp(`switchboard_circuit_breaker_state\\{channel="${s.unavailable}",model="${s.model}"\\} [12]`));
    expect(breakerEvents.some((e) => e.channelId === s.unavailable && e.state === 'open')).toBe(true);
    // The breaker is in memory only: the channels keep status 1 (no persistent auto-disable yet).
    for (const id of [s.unavailable, s.refused, s.limited]) expect(g.gw.store.channel(id)!.status).toBe(1);
    await disableAll(s);
  }, 60_000);

  test('cold start at concurrency 20: 300 of 300 succeed', async () => {
    const s = await setup(30);
    const chat = chatVia(g, key);
    const statuses: number[] = [];
    const ids: string[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: 20 }, async () => {
      while (next < 300) {
        next++;
        const res = await chat({ model: s.model });
        statuses.push(res.status);
        ids.push(res.headers.get('x-request-id')!);
        await res.arrayBuffer();
      }
    }));
    const ok = statuses.filter((x) => x === 200).length;
    const attempts = await attemptsOf(ids);
    console.log(`[tiers] cold start ×20: ${ok}/300 ok; attempts/call ${mean(attempts).toFixed(3)}, max ${Math.max(...attempts)}`);
    expect(ok).toBe(300);
    await disableAll(s);
  }, 60_000);

  test('low traffic, one call every 2 s, the 429 channel says Retry-After 1: 15 of 15 succeed, 1 attempt per call after the first few', async () => {
    const s = await setup(1);
    const chat = chatVia(g, key);
    const ids: string[] = [];
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) {
      if (i) await Bun.sleep(2_000);
      const res = await chat({ model: s.model });
      statuses.push(res.status);
      ids.push(res.headers.get('x-request-id')!);
      await res.arrayBuffer();
    }
    const attempts = await attemptsOf(ids);
    console.log(`[tiers] low traffic: ${statuses.filter((x) => x === 200).length}/15 ok; attempts per call ${attempts.join(',')}`);
    expect(statuses.every((x) => x === 200)).toBe(true);
    // Three failures open each breaker; from the fourth call only the healthy channel is tried.
    expect(mean(attempts.slice(3))).toBeLessThanOrEqual(1.1);
    await disableAll(s);
  }, 60_000);

  test('a failing channel that recovers carries traffic again within 15 s', async () => {
    const s = await setup(30);
    await g.admin.channels.batch.mutate({ action: 'disable', ids: [s.limited, s.refused] });
    const chat = chatVia(g, key);
    // Trip the 503 channel's breaker and let it back off for a while (several failed probes).
    for (let i = 0; i < 5; i++) await (await chat({ model: s.model })).arrayBuffer();
    await until(() => (g.gw.routing.breakers.list().find((b) => b.channelId === s.unavailable)?.opens ?? 0) >= 4, 20_000, 'backed-off breaker');
    down.forKey(`sk-503-${s.model}`, null);
    const healedAt = performance.now();
    let backAfter = -1;
    while (performance.now() - healedAt < 20_000) {
      const res = await chat({ model: s.model });
      await res.arrayBuffer();
      const log = await attemptsOfLast(res.headers.get('x-request-id')!);
      if (log === s.unavailable) {
        backAfter = performance.now() - healedAt;
        break;
      }
      await Bun.sleep(250);
    }
    console.log(`[tiers] recovery: back in ${(backAfter / 1000).toFixed(2)} s after healing`);
    expect(backAfter).toBeGreaterThan(0);
    expect(backAfter).toBeLessThanOrEqual(15_000);
    expect(breakerEvents.some((e) => e.channelId === s.unavailable && e.state === 'closed')).toBe(true);
    await disableAll(s);
  }, 60_000);

  async function attemptsOfLast(requestId: string): Promise<number | null> {
    await g.flush();
    const row = await g.gw.db.db.selectFrom('call_logs').select('channel_id').where('request_id', '=', requestId).executeTakeFirstOrThrow();
    return row.channel_id;
  }

  test('the failover deadline: no new attempt starts after it; within it, every tier is walked', async () => {
    const model = `deadline-${Math.random().toString(36).slice(2, 8)}`;
    await price(g, model);
    const slow503 = { kind: 'status', status: 503, body: { error: { message: 'slow and overloaded' } }, delayMs: 400 } as const;
    down.forKey(`sk-d1-${model}`, slow503);
    down.forKey(`sk-d2-${model}`, slow503);
    const a = await channel(g, down.url, [model], { priority: 10, keys: [`sk-d1-${model}`] });
    const b = await channel(g, down.url, [model], { priority: 10, keys: [`sk-d2-${model}`] });
    const c = await channel(g, good.url, [model], { priority: 0, keys: [`sk-d3-${model}`] });
    const chat = chatVia(g, key);
    await g.admin.routing.setSettings.mutate({ failoverDeadlineMs: 300, breakerThreshold: 1000 });
    try {
      // The first attempt ends after 400 ms, past the 300 ms deadline: the call stops there.
      let res = await chat({ model });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain('slow and overloaded');
      await g.flush();
      let log = await g.gw.db.db.selectFrom('call_logs').select(['attempts']).where('request_id', '=', res.headers.get('x-request-id')!).executeTakeFirstOrThrow();
      expect(log.attempts.length).toBe(1);
      // With the default 30 s both slow channels fail and the lower tier serves.
      await g.admin.routing.setSettings.mutate({ failoverDeadlineMs: 30_000 });
      res = await chat({ model });
      expect(res.status).toBe(200);
      await g.flush();
      log = await g.gw.db.db.selectFrom('call_logs').select(['attempts']).where('request_id', '=', res.headers.get('x-request-id')!).executeTakeFirstOrThrow();
      expect(log.attempts.map((x) => x.channel_id).sort()).toEqual([a, b, c].sort());
    } finally {
      await g.admin.routing.setSettings.mutate({ failoverDeadlineMs: 30_000, breakerThreshold: 3 });
    }
    await g.admin.channels.batch.mutate({ action: 'disable', ids: [a, b, c] });
  }, 60_000);
});
