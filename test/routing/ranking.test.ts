// Ranking inside a tier (docs/routing.md): opted in per model or user group, channels go
// by decayed time to first byte or by cost price, the weight only breaking ties, and
// failover walks the same order. Without the opt-in the weights still decide. Real Postgres.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { faults, type FaultyUpstream, startFaultyUpstream } from '../mocks/faulty-upstream.ts';
import { account, channel, chatVia, price } from './setup.ts';

describe('latency- and cost-ranked choice inside a tier on postgres', () => {
  let g: TestGateway;
  let slow: FaultyUpstream;
  let fast: FaultyUpstream;
  let key: string;
  let slowId: number;
  let fastId: number;

  beforeAll(async () => {
    [slow, fast] = await Promise.all([startFaultyUpstream(), startFaultyUpstream()]);
    g = await startTestGateway('postgres');
    await price(g, 'rk-model', 'rk-other');
    ({ key } = await account(g));
    // The weights favour the slow, dear channel 9:1.
    slowId = await channel(g, slow.url, ['rk-model', 'rk-other'], { name: 'slow-dear', weight: 9 });
    fastId = await channel(g, fast.url, ['rk-model', 'rk-other'], { name: 'fast-cheap', weight: 1 });
    slow.always(faults.slowFirstByte(120));
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    await Promise.all([slow?.stop(), fast?.stop()]);
  });

  const split = async (model: string, n: number) => {
    const chat = chatVia(g, key);
    const before = { slow: slow.chats().length, fast: fast.chats().length };
    for (let i = 0; i < n; i++) {
      const r = await chat({ model });
      expect(r.status).toBe(200);
      await r.arrayBuffer();
    }
    return { slow: slow.chats().length - before.slow, fast: fast.chats().length - before.fast };
  };

  test('by weight (default), the slow channel of weight 9 takes most calls', async () => {
    const s = await split('rk-model', 30);
    expect(s.slow).toBeGreaterThan(s.fast);
  });

  test('latency ranking for the model: the lower decayed TTFB wins whatever the weights; other models keep weights', async () => {
    await g.admin.routing.setSettings.mutate({ rankByModel: { 'rk-model': 'latency' } });
    const s = await split('rk-model', 30);
    // Both channels have samples from the weighted run; every call goes to the fast one.
    expect(s).toEqual({ slow: 0, fast: 30 });
    const lat = await g.admin.routing.latency.query();
    const of = (id: number) => lat.find((l) => l.channelId === id && l.model === 'rk-model')!.ttfbMs;
    expect(of(slowId)).toBeGreaterThanOrEqual(100);
    expect(of(fastId)).toBeLessThan(of(slowId));
    const other = await split('rk-other', 20);
    expect(other.slow).toBeGreaterThan(other.fast);
  });

  test('the ranking is the failover order: the fast channel failing sends calls to the next ranked', async () => {
    fast.next(faults.serverError);
    const before = slow.chats().length;
    const r = await chatVia(g, key)({ model: 'rk-model' });
    expect(r.status).toBe(200);
    expect(slow.chats().length).toBe(before + 1);
  });

  test('cost ranking per user group: the cheapest cost price first; a channel without one last', async () => {
    await g.admin.routing.setSettings.mutate({ rankByModel: {}, rankByGroup: { default: 'cost' } });
    await g.admin.prices.cost.set.mutate({ channelId: slowId, model: '*', inputUsdPerM: '1', outputUsdPerM: '2' });
    await g.admin.prices.cost.set.mutate({ channelId: fastId, model: 'rk-other', inputUsdPerM: '3', outputUsdPerM: '6' });
    // rk-other: slow is cheaper (3 < 9 per 1M in+out); rk-model: only slow has a cost price.
    expect(await split('rk-other', 10)).toEqual({ slow: 10, fast: 0 });
    expect(await split('rk-model', 10)).toEqual({ slow: 10, fast: 0 });
    await g.admin.prices.cost.set.mutate({ channelId: fastId, model: '*', inputUsdPerM: '0.5', outputUsdPerM: '1' });
    expect(await split('rk-model', 10)).toEqual({ slow: 0, fast: 10 });
    await g.admin.routing.setSettings.mutate({ rankByGroup: {} });
  });
});
