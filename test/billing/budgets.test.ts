// Prices, policies and budgets end to end, on PGlite and real Postgres: the missing-price
// policy (reject, or fallback; never free), a channel's own price, group multipliers,
// streamed cached and reasoning tokens billed at their prices, periodic key budgets reset
// on calendar days of the billing timezone, IP allow-lists, bills and the ledger, and the
// default price table seeded without touching operator edits.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'kysely';
import { seedDefaultPrices } from '../../server/billing/seed-prices.ts';
import { DB_KINDS, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';

/** An OpenAI-wire upstream whose streamed usage reports cached and reasoning tokens. */
function startCachingUpstream() {
  const usage = { prompt_tokens: 1000, completion_tokens: 50, total_tokens: 1050, prompt_tokens_details: { cached_tokens: 800 }, completion_tokens_details: { reasoning_tokens: 30 } };
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const body = await req.json() as { model: string };
      const base = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: body.model };
      const events = [
        { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'ok' }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
        { ...base, choices: [], usage },
      ];
      const text = events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n';
      return new Response(text, { headers: { 'content-type': 'text/event-stream' } });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}

describe.each(DB_KINDS)('billing policies on %s', (kind) => {
  let mock: MockOpenAI;
  let caching: ReturnType<typeof startCachingUpstream>;
  let g: TestGateway;
  let userId: number;
  let key: string;

  beforeAll(async () => {
    mock = await startMockOpenAI();
    caching = startCachingUpstream();
    g = await startTestGateway(kind);
    ({ id: userId } = await g.admin.users.create.mutate({ username: 'payer', balanceUsd: '10' }));
    await g.admin.channels.create.mutate({ name: 'main', type: 1, baseUrl: mock.url, key: 'sk-up', models: ['priced', 'unpriced', 'own-price'] });
    await g.admin.channels.create.mutate({ name: 'caching', type: 1, baseUrl: caching.url, key: 'sk-up', models: ['cached-model'] });
    await g.admin.prices.set.mutate({ model: 'priced', inputUsdPerM: '1', outputUsdPerM: '2' });
    ({ key } = await g.admin.keys.create.mutate({ name: 'main', user: userId }));
  }, 60_000);

  afterAll(async () => {
    await g?.close();
    mock?.stop();
    caching?.stop();
  });

  const chat = (model: string, opts: { key?: string; stream?: boolean } = {}) => fetch(`${g.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${opts.key ?? key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, max_tokens: 16, stream: opts.stream ?? false, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const costOf = async (res: Response) => {
    await res.arrayBuffer();
    await g.flush();
    return g.gw.db.db.selectFrom('call_logs').selectAll().where('request_id', '=', res.headers.get('x-request-id')!).executeTakeFirstOrThrow();
  };

  test('a model without a price is rejected with a clear error by default, and is never free', async () => {
    const res = await chat('unpriced');
    expect(res.status).toBe(403);
    const body = await res.json() as { error: { code: string; message: string } };
    expect(body.error.code).toBe('model_price_missing');
    expect(body.error.message).toContain('"unpriced" has no price');
    expect(mock.requests.some((r) => r.body?.model === 'unpriced')).toBe(false);
    await expect(g.admin.prices.setPolicy.mutate({ missingPrice: 'fallback' })).rejects.toThrow('needs a fallback price');
  });

  test("the 'fallback' policy bills unpriced models at the configured fallback price", async () => {
    await g.admin.prices.setPolicy.mutate({ missingPrice: 'fallback', fallback: { inputUsdPerM: '5', outputUsdPerM: '10' } });
    const log = await costOf(await chat('unpriced'));
    expect(log.status).toBe(200);
    expect(log.cost).toBe(11n * 5_000n + 4n * 10_000n); // mock usage: 11 prompt, 4 completion tokens
    await g.admin.prices.setPolicy.mutate({ missingPrice: 'reject' });
    expect((await chat('unpriced')).status).toBe(403);
  });

  test("a channel's own price wins over the price table; group multipliers apply on top", async () => {
    const [main] = (await g.admin.channels.list.query()).filter((c) => c.name === 'main');
    await g.admin.prices.set.mutate({ model: 'own-price', inputUsdPerM: '1', outputUsdPerM: '1' });
    await g.admin.prices.channel.set.mutate({ channelId: main!.id, model: 'own-price', inputUsdPerM: '3', outputUsdPerM: '7' });
    expect((await costOf(await chat('own-price'))).cost).toBe(11n * 3_000n + 4n * 7_000n);

    await g.admin.prices.groups.set.mutate({ name: 'vip', multiplier: '0.8' });
    const { id: vipId } = await g.admin.users.create.mutate({ username: 'vip-user', balanceUsd: '1', group: 'vip' });
    // The channels serve the default group; the multiplier follows the user's own group.
    const { key: vipKey } = await g.admin.keys.create.mutate({ name: 'vip', user: vipId, groups: ['default'] });
    const log = await costOf(await chat('priced', { key: vipKey }));
    expect(log.status).toBe(200);
    expect(log.cost).toBe((11n * 1_000n + 4n * 2_000n) * 8n / 10n);
    await g.admin.prices.channel.remove.mutate({ channelId: main!.id, model: 'own-price' });
  });

  test('streamed usage: cached tokens at the cache price, reasoning inside output, billed once', async () => {
    await g.admin.prices.set.mutate({ model: 'cached-model', inputUsdPerM: '1', cacheReadUsdPerM: '0.1', outputUsdPerM: '2' });
    const res = await chat('cached-model', { stream: true });
    expect(res.status).toBe(200);
    const log = await costOf(res);
    expect(log).toMatchObject({ prompt_tokens: 1000, cached_tokens: 800, completion_tokens: 50, reasoning_tokens: 30, estimated: false });
    expect(log.cost).toBe(200n * 1_000n + 800n * 100n + 50n * 2_000n); // not 1000 × $1 (LiteLLM #11789)
  });

  test('period budgets reset on calendar days of the billing timezone', async () => {
    const db = g.gw.db.db;
    const at = (t: string) => sql<Date>`billing_period_start(${'daily'}, ${t}::timestamptz, ${'Asia/Shanghai'})`;
    const starts = await db.selectNoFrom([
      at('2026-03-01T15:59:59Z').as('a'), at('2026-03-01T16:00:00Z').as('b'),
      sql<Date>`billing_period_start('weekly', '2026-03-04T12:00:00Z', 'UTC')`.as('w'),
      sql<Date>`billing_period_start('monthly', '2026-03-31T20:00:00Z', 'America/New_York')`.as('m'),
    ]).executeTakeFirstOrThrow();
    expect(new Date(starts.a).toISOString()).toBe('2026-02-28T16:00:00.000Z'); // Shanghai midnight, 1 March
    expect(new Date(starts.b).toISOString()).toBe('2026-03-01T16:00:00.000Z'); // 2 March has begun there
    expect(new Date(starts.w).toISOString()).toBe('2026-03-02T00:00:00.000Z'); // ISO week: Monday
    expect(new Date(starts.m).toISOString()).toBe('2026-03-01T05:00:00.000Z'); // New York, EST

    await g.admin.billing.setTimezone.mutate({ timezone: 'Asia/Shanghai' });
    await expect(g.admin.billing.setTimezone.mutate({ timezone: 'Mars/Olympus' })).rejects.toThrow('IANA timezone');
    const today = (await sql<{ s: Date }>`SELECT billing_period_start('daily', now()) AS s`.execute(db)).rows[0]!.s;
    const yesterday = new Date(new Date(today).getTime() - 86_400_000);

    // Spent the whole daily budget yesterday: today it is available again.
    const fresh = await g.admin.keys.create.mutate({ name: 'daily', user: userId, period: 'daily', periodBudgetUsd: '1' });
    await db.updateTable('api_keys').set({ period_used: 1_000_000_000n, period_start: yesterday }).where('id', '=', fresh.id).execute();
    const log = await costOf(await chat('priced', { key: fresh.key }));
    expect(log.status).toBe(200);
    const k = await db.selectFrom('api_keys').select(['period_used', 'period_start']).where('id', '=', fresh.id).executeTakeFirstOrThrow();
    expect(k.period_used).toBe(log.cost);
    expect(new Date(k.period_start!).toISOString()).toBe(new Date(today).toISOString());

    // Spent it today: refused until tomorrow, with OpenAI's insufficient_quota.
    const spent = await g.admin.keys.create.mutate({ name: 'daily-spent', user: userId, period: 'daily', periodBudgetUsd: '1' });
    await db.updateTable('api_keys').set({ period_used: 1_000_000_000n, period_start: today }).where('id', '=', spent.id).execute();
    const refused = await chat('priced', { key: spent.key });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'insufficient_quota' });
  });

  test('IP allow-lists admit listed addresses and CIDR ranges only', async () => {
    const denied = await g.admin.keys.create.mutate({ name: 'lan', user: userId, ipAllow: ['10.0.0.0/8'] });
    const allowed = await g.admin.keys.create.mutate({ name: 'local', user: userId, ipAllow: ['192.168.0.0/16', '127.0.0.0/8', '::1'] });
    const no = await chat('priced', { key: denied.key });
    expect(no.status).toBe(403);
    expect(((await no.json()) as { error: { code: string } }).error.code).toBe('ip_not_allowed');
    const yes = await chat('priced', { key: allowed.key });
    expect(yes.status).toBe(200);
    await yes.arrayBuffer();
  });

  test('bills by model, day and key add up to the logs; the ledger and balance agree', async () => {
    await g.flush();
    const from = new Date(Date.now() - 86_400_000);
    const to = new Date(Date.now() + 60_000);
    const logs = await g.gw.db.db.selectFrom('call_logs').select(['model', 'key_id', 'cost']).where('user_id', '=', userId).execute();
    const total = logs.reduce((s, l) => s + l.cost, 0n);
    expect(total).toBeGreaterThan(0n);
    for (const by of ['model', 'day', 'key'] as const) {
      const bill = await g.admin.billing.bills.query({ from, to, by, userId });
      expect(bill.total.cost).toBe(total);
      // Billed calls only: refused calls (budget, price, allow-list) are in the logs at cost 0, not in the bill.
      expect(bill.total.calls).toBe(logs.filter((l) => l.cost > 0n).length);
      expect(bill.timezone).toBe('Asia/Shanghai');
    }
    const byModel = await g.admin.billing.bills.query({ from, to, by: 'model', userId });
    const priced = byModel.rows.find((r) => r.group === 'priced')!;
    expect(priced.cost).toBe(logs.filter((l) => l.model === 'priced').reduce((s, l) => s + l.cost, 0n));
    const byDay = await g.admin.billing.bills.query({ from, to, by: 'day', userId });
    expect(byDay.rows.every((r) => /^\d{4}-\d{2}-\d{2}$/.test(r.group))).toBe(true);
    const none = await g.admin.billing.bills.query({ from: new Date(0), to: new Date(1000), by: 'key', userId });
    expect(none.rows).toEqual([]);

    const bal = await g.admin.billing.balance.query({ userId });
    const ledger = await g.admin.billing.ledger.query({ userId, limit: 1000 });
    expect(ledger.reduce((s, r) => s + r.amount, 0n)).toBe(bal.balance);
    expect(bal.balance).toBe(10_000_000_000n - total);
    const credited = await g.admin.billing.credit.mutate({ userId, amountUsd: '2.5', reason: 'invoice 42' });
    expect(credited.balance).toBe(bal.balance + 2_500_000_000n);
    const [top] = await g.admin.billing.ledger.query({ userId, kind: 'topup', limit: 1 });
    expect(top).toMatchObject({ amount: 2_500_000_000n, note: 'invoice 42', actor: 'admin-key', balance_after: credited.balance });
  });

  test('the default price table is seeded once and never overwrites an operator edit', async () => {
    const db = g.gw.db.db;
    const sonnet = await db.selectFrom('prices').selectAll().where('model', '=', 'claude-sonnet-4-5').executeTakeFirstOrThrow();
    expect(sonnet.source).toMatch(/^default \d{4}-\d{2}-\d{2}: https:\/\/platform\.claude\.com\//);
    expect(sonnet.extra).toMatchObject({ long_context: { threshold: 200_000 } });
    await g.admin.prices.set.mutate({ model: 'claude-sonnet-4-5', inputUsdPerM: '9', outputUsdPerM: '9' });
    await g.admin.prices.remove.mutate({ model: 'gpt-4o' });
    await seedDefaultPrices(db, g.gw.log); // same table version: nothing happens
    await db.deleteFrom('settings').where('key', '=', 'default_prices_version').execute();
    await seedDefaultPrices(db, g.gw.log); // a new version: missing models come back, edits stay
    const after = await db.selectFrom('prices').selectAll().where('model', 'in', ['claude-sonnet-4-5', 'gpt-4o']).orderBy('model').execute();
    expect(after.find((p) => p.model === 'claude-sonnet-4-5')).toMatchObject({ input: 9_000_000_000n, source: 'admin' });
    expect(after.find((p) => p.model === 'gpt-4o')?.input).toBe(2_500_000_000n);
  });
});
