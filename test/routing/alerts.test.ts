// Issue 19, alerts, on real Postgres: a webhook (configured URL, HMAC-SHA256-signed body)
// and console notices (`alerts.list`) when a channel is auto-disabled or re-enabled, when its
// breaker stays open, when its key pool runs out, and when a balance falls below the
// threshold; a failing webhook is retried with backoff; a hanging one never slows the relay.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { faults, type FaultyUpstream, startFaultyUpstream } from '../mocks/faulty-upstream.ts';
import { account, channel, chatVia, price, until } from './setup.ts';

const SECRET = 'whsec-test-0123456789abcdef';

interface Received { at: number; body: string; json: { id: string; kind: string; subject: string; message: string; data: Record<string, unknown> }; signature: string; event: string | null }

describe('alerts on postgres', () => {
  let g: TestGateway;
  let up: FaultyUpstream;
  let hook: ReturnType<typeof Bun.serve>;
  const received: Received[] = [];
  /** Status the receiver answers (0: hang until the client gives up). */
  let answer = 200;
  let hits = 0;

  beforeAll(async () => {
    up = await startFaultyUpstream();
    hook = Bun.serve({
      port: 0, hostname: '127.0.0.1',
      async fetch(req) {
        hits++;
        const body = await req.text();
        if (answer === 0) { await Bun.sleep(30_000); return new Response('late'); }
        if (answer === 200) received.push({ at: Date.now(), body, json: JSON.parse(body), signature: req.headers.get('x-switchboard-signature') ?? '', event: req.headers.get('x-switchboard-event') });
        return new Response(answer === 200 ? 'ok' : 'nope', { status: answer });
      },
    });
    g = await startTestGateway('postgres');
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    await up?.stop();
    hook?.stop(true);
  });

  const kinds = async () => (await g.admin.alerts.list.query({ limit: 500 })).map((a) => a.kind);

  test('settings: a webhook needs a signing secret; the secret is never shown back', async () => {
    await expect(g.admin.alerts.setSettings.mutate({ webhookUrl: `http://127.0.0.1:${hook.port}/hook` })).rejects.toThrow(/signing secret/);
    await expect(g.admin.alerts.setSettings.mutate({ webhookUrl: 'ftp://x' })).rejects.toThrow();
    const r = await g.admin.alerts.setSettings.mutate({ webhookUrl: `http://127.0.0.1:${hook.port}/hook`, webhookSecret: SECRET, lowBalanceUsd: '1' });
    expect(r.values).toEqual({ webhookUrl: `http://127.0.0.1:${hook.port}/hook`, lowBalanceUsd: '1', webhookSecretSet: true });
    expect(JSON.stringify(await g.admin.alerts.settings.query())).not.toContain(SECRET);
    const row = await g.gw.db.db.selectFrom('settings').select('value').where('key', '=', 'alerts.webhookSecret').executeTakeFirstOrThrow();
    expect(JSON.stringify(row.value)).not.toContain(SECRET);
  });

  test('a test alert is delivered signed: HMAC-SHA256 over "<t>.<body>"; a failing webhook is retried with backoff', async () => {
    answer = 503;
    hits = 0;
    const { id } = await g.admin.alerts.test.mutate();
    await until(() => hits >= 2, 10_000, 'two failed deliveries');
    const failing = await g.gw.db.db.selectFrom('alerts').select(['delivery', 'attempts', 'last_error', 'next_attempt_at']).where('id', '=', id!).executeTakeFirstOrThrow();
    expect(failing.delivery).toBe('pending');
    expect(failing.last_error).toContain('503');
    answer = 200;
    await until(() => received.some((r) => r.json.id === String(id)), 15_000, 'delivery after retries');
    const got = received.find((r) => r.json.id === String(id))!;
    expect(got.event).toBe('test');
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(got.signature)!;
    expect(createHmac('sha256', SECRET).update(`${t}.${got.body}`).digest('hex')).toBe(v1!);
    const rowOf = () => g.gw.db.db.selectFrom('alerts').select(['delivery', 'attempts']).where('id', '=', id!).executeTakeFirstOrThrow();
    // The receiver has the body before the sender has recorded the answer.
    await until(async () => (await rowOf()).delivery === 'delivered', 5_000, 'marked delivered');
    const row = await rowOf();
    expect(row.attempts).toBeGreaterThanOrEqual(3);
  }, 30_000);

  test('channel auto-disabled, breaker stays open, re-enabled; key pool exhausted; balance low — webhook and console', async () => {
    // The console's live feed gets each notice as it is recorded.
    const live: string[] = [];
    const unsubscribe = g.gw.live.subscribe({ owner: null, types: null, deliver: (e) => { if (e.type === 'alert.raised') live.push(e.kind); } });
    await g.admin.routing.setSettings.mutate({ healthMinRequests: 4, healthErrorRate: 0.5, breakerThreshold: 2, breakerAlertAfterMs: 1000, probeIntervalMs: 200 });
    await price(g, 'al-model', 'al-pool');
    const { key, userId } = await account(g, { balanceUsd: '1.000005' });
    const failing = await channel(g, up.url, ['al-model'], { priority: 10, keys: ['sk-al-bad'], name: 'al-failing' });
    await channel(g, up.url, ['al-model'], { priority: 0, keys: ['sk-al-good'], name: 'al-healthy' });
    up.forKey('sk-al-bad', faults.serverError);
    const chat = chatVia(g, key);
    // Two failures open the breaker; it stays open past 1 s (failed probe trials keep it open)…
    for (let i = 0; i < 2; i++) expect((await chat({ model: 'al-model' })).status).toBe(200);
    await until(async () => (await kinds()).includes('channel.breaker_open'), 10_000, 'breaker_open alert');
    // …and the failed trials fill the health window: auto-disabled (status 3) with an alert.
    await until(() => g.gw.store.channel(failing)?.status === 3, 20_000, 'auto-disable');
    await until(async () => (await kinds()).includes('channel.auto_disabled'), 10_000, 'auto_disabled alert');
    up.forKey('sk-al-bad', null);
    await until(() => g.gw.store.channel(failing)?.status === 1, 10_000, 're-enable by the probe');
    await until(async () => (await kinds()).includes('channel.re_enabled'), 10_000, 're_enabled alert');

    // A one-key channel whose key is refused: the pool is out of usable keys.
    const pool = await channel(g, up.url, ['al-pool'], { keys: ['sk-al-revoked'], name: 'al-pool' });
    up.forKey('sk-al-revoked', faults.invalidKey);
    expect((await chat({ model: 'al-pool' })).status).toBe(502);
    await until(async () => (await kinds()).includes('channel.keys_exhausted'), 10_000, 'keys_exhausted alert');

    // The calls above cost something: the $1.000005 balance is now below $1.
    await g.flush();
    await until(async () => (await kinds()).includes('balance.low'), 10_000, 'balance.low alert');
    const low = (await g.admin.alerts.list.query({ kind: 'balance.low' }))[0]!;
    expect(low.subject).toBe(`user:${userId}`);

    for (const kind of ['channel.breaker_open', 'channel.auto_disabled', 'channel.re_enabled', 'channel.keys_exhausted', 'balance.low']) {
      await until(() => received.some((r) => r.json.kind === kind), 10_000, `webhook ${kind}`);
    }
    const disabled = received.find((r) => r.json.kind === 'channel.auto_disabled')!;
    expect(disabled.json).toMatchObject({ subject: `channel:${failing}`, data: { channelId: failing, name: 'al-failing' } });
    expect(received.find((r) => r.json.kind === 'channel.keys_exhausted')!.json.subject).toBe(`channel:${pool}`);
    // Deduplicated: one balance.low per user per day however many flushes see it low.
    expect((await kinds()).filter((k) => k === 'balance.low').length).toBe(1);
    console.log(`[alerts] delivered kinds: ${[...new Set(received.map((r) => r.json.kind))].join(', ')}`);

    unsubscribe();
    expect(live).toEqual(expect.arrayContaining(['channel.breaker_open', 'channel.auto_disabled', 'channel.re_enabled', 'channel.keys_exhausted', 'balance.low']));
    // Console notices: unacknowledged until acknowledged.
    expect((await g.admin.alerts.list.query({ unacknowledged: true })).length).toBeGreaterThanOrEqual(5);
    await g.admin.alerts.acknowledge.mutate({});
    expect(await g.admin.alerts.list.query({ unacknowledged: true })).toEqual([]);
    await g.admin.routing.setSettings.mutate({ healthMinRequests: 20, breakerThreshold: 3, breakerAlertAfterMs: 60_000, probeIntervalMs: 10_000 });
  }, 60_000);

  test('a hanging webhook never slows the relay', async () => {
    answer = 0;
    hits = 0;
    await g.admin.alerts.test.mutate();
    await until(() => hits >= 1, 5_000, 'webhook called');
    await price(g, 'al-fast');
    const { key } = await account(g);
    await channel(g, up.url, ['al-fast'], { keys: ['sk-al-fast'] });
    const chat = chatVia(g, key);
    const started = performance.now();
    for (let i = 0; i < 20; i++) {
      const r = await chat({ model: 'al-fast' });
      expect(r.status).toBe(200);
      await r.arrayBuffer();
    }
    const ms = performance.now() - started;
    console.log(`[alerts] 20 calls while the webhook hangs: ${ms.toFixed(0)} ms`);
    // Generous bound: the webhook would hold each call 30 s if the relay waited for it.
    expect(ms).toBeLessThan(10_000);
    answer = 200;
  }, 30_000);
});
