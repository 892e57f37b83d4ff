// Cost prices and margin (docs/billing.md, "Cost prices and margin"): each call logs what
// its channel's upstream charges the operator (channel × model, or the channel's `*` row),
// and billing.margin / GET /api/billing/margin.csv report revenue, upstream cost and margin
// by channel, model, user and day — equal to Σ(cost) − Σ(upstream_cost) over call_logs,
// exactly. Real Postgres; the upstreams report cached tokens as OpenAI does.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createSwitchboardClient } from '../../client/index.ts';
import { ADMIN_KEY, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { type CachingUpstream, startCachingUpstream } from '../mocks/caching-upstream.ts';
import { account, channel } from '../routing/setup.ts';

const SYSTEM = 'Long shared instructions for the agent. '.repeat(200);
const nano = (usd: string) => BigInt(Math.round(Number(usd) * 1e9));

describe('cost prices and margin on postgres', () => {
  let g: TestGateway;
  let up: CachingUpstream[];
  let ch: number[];
  let users: Array<{ userId: number; key: string }>;
  const from = new Date(Date.now() - 3_600_000);
  const to = new Date(Date.now() + 3_600_000);

  beforeAll(async () => {
    up = [await startCachingUpstream(), await startCachingUpstream(), await startCachingUpstream()];
    g = await startTestGateway('postgres');
    for (const model of ['m-one', 'm-two']) await g.admin.prices.set.mutate({ model, inputUsdPerM: '3', outputUsdPerM: '15', cacheReadUsdPerM: '0.3' });
    ch = [
      await channel(g, up[0]!.url, ['m-one', 'm-two'], { name: 'with-model-cost' }),
      await channel(g, up[1]!.url, ['m-one', 'm-two'], { name: 'with-star-cost' }),
      await channel(g, up[2]!.url, ['m-one', 'm-two'], { name: 'no-cost' }),
    ];
    // Channel 0: its own cost for m-one, a `*` row for the rest; channel 1: `*` only; channel 2: none.
    await g.admin.prices.cost.set.mutate({ channelId: ch[0]!, model: 'm-one', inputUsdPerM: '2', outputUsdPerM: '8', cacheReadUsdPerM: '0.2', perRequestUsd: '0.0001' });
    await g.admin.prices.cost.set.mutate({ channelId: ch[0]!, model: '*', inputUsdPerM: '1', outputUsdPerM: '4' });
    await g.admin.prices.cost.set.mutate({ channelId: ch[1]!, model: '*', inputUsdPerM: '2.5', outputUsdPerM: '10', cacheReadUsdPerM: '0.25' });
    users = [await account(g), await account(g)];
    // Every channel must serve some calls: with cache affinity on, a handful of pinned
    // conversations can all land on two of the three channels (weighted random first pick).
    await g.admin.routing.setSettings.mutate({ affinityTtlMs: 0 });
    for (let i = 0; i < 36; i++) {
      const { key } = users[i % 2]!;
      const res = await fetch(`${g.url}/v1/chat/completions`, {
        method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: i % 3 ? 'm-one' : 'm-two', prompt_cache_key: `c-${i % 6}`, messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: `turn ${i}` }] }),
      });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    // One refused call (no upstream): revenue 0, no upstream cost.
    const bad = await fetch(`${g.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${users[0]!.key}`, 'content-type': 'application/json' }, body: '{"model":"m-one"}' });
    expect(bad.status).toBe(400);
    await g.flush();
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    await Promise.all(up.map((u) => u?.stop()));
  });

  test('each call logs its cost price from the channel × model row, else the channel `*` row, else none', async () => {
    const rows = await g.gw.db.db.selectFrom('call_logs').select(['channel_id', 'model', 'prompt_tokens', 'cached_tokens', 'completion_tokens', 'cost', 'upstream_cost', 'status']).where('status', '=', 200).execute();
    expect(new Set(rows.map((r) => r.channel_id)).size).toBe(3);
    expect(rows.some((r) => r.cached_tokens > 0)).toBe(true);
    for (const r of rows) {
      const uncached = BigInt(r.prompt_tokens - r.cached_tokens);
      const cached = BigInt(r.cached_tokens);
      const out = BigInt(r.completion_tokens);
      // nano-USD per token × 1e6 = USD per 1M tokens in nano; round half up like settlement.
      const per = (inUsd: string, outUsd: string, cachedUsd: string, perRequestUsd = '0') =>
        (uncached * nano(inUsd) + cached * nano(cachedUsd) + out * nano(outUsd) + nano(perRequestUsd) * 1_000_000n + 500_000n) / 1_000_000n;
      let expected: bigint | null;
      if (r.channel_id === ch[0] && r.model === 'm-one') expected = per('2', '8', '0.2', '0.0001');
      else if (r.channel_id === ch[0]) expected = per('1', '4', '1'); // no cached price: cached tokens at the input price
      else if (r.channel_id === ch[1]) expected = per('2.5', '10', '0.25');
      else expected = null;
      expect(r.upstream_cost === null ? null : BigInt(r.upstream_cost)).toBe(expected);
      expect(BigInt(r.cost)).toBeGreaterThan(0n);
    }
  });

  test('margin by channel, model, user and day equals Σ(cost) − Σ(upstream_cost) over call_logs, exactly', async () => {
    const logs = await g.gw.db.db.selectFrom('call_logs').select(['channel_id', 'model', 'user_id', 'cost', 'upstream_cost', 'created_at']).execute();
    const sumCost = logs.reduce((s, r) => s + BigInt(r.cost), 0n);
    const sumUp = logs.reduce((s, r) => s + BigInt(r.upstream_cost ?? 0), 0n);
    expect(sumUp).toBeGreaterThan(0n);
    const keyOf = {
      channel: (r: (typeof logs)[number]) => String(r.channel_id ?? ''),
      model: (r: (typeof logs)[number]) => r.model,
      user: (r: (typeof logs)[number]) => String(r.user_id ?? ''),
      day: null,
    } as const;
    for (const by of ['channel', 'model', 'user', 'day'] as const) {
      const report = await g.admin.billing.margin.query({ from, to, by });
      expect(report.total.revenue).toBe(sumCost);
      expect(report.total.upstreamCost).toBe(sumUp);
      expect(report.total.margin).toBe(sumCost - sumUp);
      expect(report.total.calls).toBe(logs.length);
      for (const row of report.rows) expect(row.margin).toBe(row.revenue - row.upstreamCost);
      const pick = keyOf[by];
      if (pick) {
        for (const row of report.rows) {
          const mine = logs.filter((r) => pick(r) === row.group);
          expect(row.revenue).toBe(mine.reduce((s, r) => s + BigInt(r.cost), 0n));
          expect(row.upstreamCost).toBe(mine.reduce((s, r) => s + BigInt(r.upstream_cost ?? 0), 0n));
        }
      }
    }
    // Bills (admin view) carry the same upstream cost and margin.
    const bills = await g.admin.billing.bills.query({ from, to, by: 'model' });
    expect(bills.total.upstreamCost).toBe(sumUp);
    expect(bills.total.margin).toBe(bills.total.cost - sumUp);
    // The channel without a cost price shows its calls as unpriced.
    const byChannel = await g.admin.billing.margin.query({ from, to, by: 'channel' });
    const none = byChannel.rows.find((r) => r.group === String(ch[2]))!;
    expect(none.upstreamCost).toBe(0n);
    expect(none.unpricedCalls).toBe(none.calls);
    expect(byChannel.rows.find((r) => r.group === String(ch[0]))!.unpricedCalls).toBe(0);
  });

  test('the CSV carries the same exact figures; it needs an admin', async () => {
    const url = `${g.url}/api/billing/margin.csv?from=${from.toISOString()}&to=${to.toISOString()}&by=model`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0]).toBe('model,calls,unpriced_calls,revenue_usd,upstream_cost_usd,margin_usd');
    const report = await g.admin.billing.margin.query({ from, to, by: 'model' });
    const usd = (n: bigint) => `${n / 1_000_000_000n}.${(n % 1_000_000_000n).toString().padStart(9, '0')}`;
    expect(lines.at(-1)).toBe(`total,${report.total.calls},${report.total.unpricedCalls},${usd(report.total.revenue)},${usd(report.total.upstreamCost)},${usd(report.total.margin)}`);
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url.replace('by=model', 'by=nope'), { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).status).toBe(400);
  });

  test('users never see the operator upstream cost in their own logs or the margin report', async () => {
    const { token } = await g.gw.auth.tokens.create(users[0]!.userId, 'margin-test', null);
    const me = createSwitchboardClient({ url: g.url, token });
    const page = await me.logs.list.query({ limit: 100 });
    expect(page.rows.length).toBeGreaterThan(0);
    expect(page.rows.every((r) => r.user_id === users[0]!.userId && r.upstream_cost === null)).toBe(true);
    const one = await me.logs.get.query({ id: page.rows[0]!.id as unknown as number });
    expect(one.log.upstream_cost).toBeNull();
    await expect(me.billing.margin.query({ from, to, by: 'model' })).rejects.toThrow(/admin/);
    const myBills = await me.billing.bills.query({ from, to, by: 'day' });
    expect(myBills.total.cost).toBeGreaterThan(0n);
    expect('upstreamCost' in myBills.total || myBills.rows.some((r) => 'upstreamCost' in r)).toBe(false);
    const csv = await fetch(`${g.url}/api/billing/margin.csv?from=${from.toISOString()}&to=${to.toISOString()}&by=day`, { headers: { authorization: `Bearer ${token}` } });
    expect(csv.status).toBe(403);
  });
});
