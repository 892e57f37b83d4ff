// Channel operations: tests by model kind with recorded results and progress, re-enabling
// by a passing test (never for a channel disabled by hand), upstream balances per vendor,
// routing settings, per-channel overrides, and update / copy / batch / model listing.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { probeAutoDisabled } from '../../server/channels/probe.ts';
import { setChannelStatus } from '../../server/routing/channel-status.ts';
import type { ChannelStatusEvent, ChannelTestEvent } from '../../server/routing/events.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { faults, type FaultyUpstream, startFaultyUpstream } from '../mocks/faulty-upstream.ts';
import { account, channel, chatVia, price, until } from './setup.ts';

describe('channel operations on postgres', () => {
  let g: TestGateway;
  let up: FaultyUpstream;
  let key: string;
  const statusEvents: ChannelStatusEvent[] = [];
  const testEvents: ChannelTestEvent[] = [];

  beforeAll(async () => {
    up = await startFaultyUpstream();
    g = await startTestGateway('postgres');
    g.gw.events.on('channel.status', (e) => statusEvents.push(e));
    g.gw.events.on('channel.test', (e) => testEvents.push(e));
    await price(g, 'ov-model', 'plain-model');
    ({ key } = await account(g));
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    await up?.stop();
  });

  test('a test fits the model kind: chat (plain and streamed), embeddings, images, speech, transcription', async () => {
    const id = await channel(g, up.url, ['gpt-4o-mini', 'text-embedding-3-small', 'dall-e-3', 'tts-1', 'whisper-1'], { keys: ['sk-test'] });
    await g.admin.channels.update.mutate({ id, mapping: { 'gpt-4o-mini': 'gpt-4o-mini-2024-07-18' } });
    const chat = await g.admin.channels.test.mutate({ id, model: 'gpt-4o-mini' });
    expect(chat).toMatchObject({ channelId: id, model: 'gpt-4o-mini', kind: 'chat', stream: false, success: true, status: 200, upstreamModel: 'gpt-4o-mini-2024-07-18', error: null });
    expect(chat.latencyMs).toBeGreaterThanOrEqual(0);
    expect((await g.admin.channels.test.mutate({ id, model: 'gpt-4o-mini', stream: true })).stream).toBe(true);
    const paths: Record<string, string> = { 'text-embedding-3-small': '/v1/embeddings', 'dall-e-3': '/v1/images/generations', 'tts-1': '/v1/audio/speech', 'whisper-1': '/v1/audio/transcriptions' };
    for (const [model, path] of Object.entries(paths)) {
      const r = await g.admin.channels.test.mutate({ id, model });
      expect(r).toMatchObject({ success: true, status: 200, error: null });
      expect(up.requests.at(-1)!.path).toBe(path);
    }
    expect(up.requests.at(-1)!.headers['content-type']).toContain('multipart/form-data');
    // The prompt is configurable.
    await g.admin.routing.setSettings.mutate({ testPrompt: 'ping from the test' });
    await g.admin.channels.test.mutate({ id });
    expect(up.chats().at(-1)!.body.messages).toEqual([{ role: 'user', content: 'ping from the test' }]);

    up.forKey('sk-test', faults.invalidKey);
    const failed = await g.admin.channels.test.mutate({ id, model: 'gpt-4o-mini' });
    expect(failed).toMatchObject({ success: false, status: 401, upstreamModel: null, error: expect.stringContaining('Incorrect API key') });
    up.forKey('sk-test', null);

    const history = await g.admin.channels.tests.query({ id });
    expect(history.length).toBe(8);
    expect(history[0]).toMatchObject({ success: false, status: 401, model: 'gpt-4o-mini', kind: 'chat' });
    const row = await g.gw.db.db.selectFrom('channels').select(['test_at', 'test_latency_ms']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.test_at).not.toBeNull();
    expect(row.test_latency_ms).not.toBeNull();
  });

  test('test every model of every channel with bounded concurrency, with progress', async () => {
    const channels = await g.admin.channels.list.query();
    const total = channels.reduce((n, c) => n + c.models.length, 0);
    const seen = testEvents.length;
    up.always(faults.slowFirstByte(40));
    up.maxInflight = 0;
    const started = await g.admin.channels.testMany.mutate({ allModels: true, concurrency: 2 });
    expect(started.total).toBe(total);
    let run = await g.admin.channels.testRun.query({ runId: started.runId });
    await until(async () => (run = await g.admin.channels.testRun.query({ runId: started.runId })).finishedAt !== null, 20_000, 'test run');
    expect(run.done).toBe(total);
    expect(run.passed + run.failed).toBe(total);
    expect(run.results.length).toBe(total);
    up.always(null);
    // Bounded: never more than two tests in flight, and the bound was used.
    expect(up.maxInflight).toBe(2);
    expect(testEvents.slice(seen).filter((e) => e.runId === started.runId).length).toBe(total);
  });

  test('a passing test re-enables an auto-disabled channel; a channel disabled by hand stays disabled', async () => {
    const auto = await channel(g, up.url, ['gpt-4o-mini'], { name: 'auto' });
    const manual = await channel(g, up.url, ['gpt-4o-mini'], { name: 'manual' });
    await setChannelStatus(g.gw, auto, { status: 3, reason: 'auto-disabled: test', source: 'health', onlyFrom: [1] });
    await g.admin.channels.setStatus.mutate({ id: manual, enabled: false });
    await probeAutoDisabled(g.gw);
    expect(g.gw.store.channel(auto)!.status).toBe(1);
    expect(statusEvents.filter((e) => e.channelId === auto).map((e) => [e.status, e.source])).toEqual([[3, 'health'], [1, 'probe']]);
    // Neither the probe nor a passing test turns on a channel an admin turned off.
    await probeAutoDisabled(g.gw);
    expect((await g.admin.channels.test.mutate({ id: manual })).success).toBe(true);
    expect(g.gw.store.channel(manual)!.status).toBe(2);

    await setChannelStatus(g.gw, auto, { status: 3, reason: 'auto-disabled: again', source: 'health', onlyFrom: [1] });
    expect((await g.admin.channels.test.mutate({ id: auto })).success).toBe(true);
    expect(statusEvents.filter((e) => e.channelId === auto).at(-1)).toMatchObject({ status: 1, source: 'test' });
    const rows = await g.gw.db.db.selectFrom('channels').select(['id', 'status']).where('id', 'in', [auto, manual]).orderBy('id').execute();
    expect(rows.map((r) => r.status)).toEqual([1, 2]);
  });

  test('upstream balances per vendor, stored with a timestamp; only USD fills the nano-USD column', async () => {
    up.balances['/v1/dashboard/billing/subscription'] = { hard_limit_usd: 120.5 };
    up.balances['/v1/dashboard/billing/usage'] = { total_usage: 2050.25 };
    up.balances['/user/balance'] = { is_available: true, balance_infos: [{ currency: 'CNY', total_balance: '110.00', granted_balance: '10.00', topped_up_balance: '100.00' }] };
    up.balances['/v1/user/info'] = { code: 20000, status: true, data: { balance: '0.88', chargeBalance: '88.00', totalBalance: '88.88' } };
    up.balances['/api/v1/credits'] = { data: { total_credits: 100.5, total_usage: 25.75 } };
    up.balances['/v1/users/me/balance'] = { code: 0, status: true, data: { available_balance: 49.58894, voucher_balance: 46.58893, cash_balance: 3.00001 } };
    const cases: Array<[number, string, string, string, bigint | null]> = [
      // $120.50 limit − 2,050.25 cents used
      [1, up.url, '99.9975', 'USD', 99_997_500_000n],
      [36, up.url, '110.00', 'CNY', null],
      [44, `${up.url}/v1`, '88.88', 'CNY', null],
      [20, `${up.url}/api/v1`, '74.75', 'USD', 74_750_000_000n],
      [25, `${up.url}/v1`, '49.58894', 'CNY', null],
    ];
    for (const [type, baseUrl, amount, currency, nano] of cases) {
      const id = await channel(g, baseUrl, [`bal-${type}`], { type, keys: [`sk-bal-${type}`] });
      const r = await g.admin.channels.balance.mutate({ id });
      expect(r).toEqual({ reading: { amount, currency }, error: null });
      const row = await g.gw.db.db.selectFrom('channels').select(['balance', 'balance_amount', 'balance_currency', 'balance_updated_at', 'balance_error']).where('id', '=', id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ balance: nano, balance_amount: amount, balance_currency: currency, balance_error: null });
      expect(Date.now() - new Date(row.balance_updated_at!).getTime()).toBeLessThan(60_000);
      expect(up.requests.at(-1)!.key).toBe(`sk-bal-${type}`);
    }
    // A vendor error is stored as the reason, the last good reading stays.
    delete up.balances['/user/balance'];
    const ds = (await g.admin.channels.list.query()).find((c) => c.type === 36)!;
    const failed = await g.admin.channels.balance.mutate({ id: ds.id });
    expect(failed.error).toContain('404');
    const after = (await g.admin.channels.list.query()).find((c) => c.id === ds.id)!;
    expect(after).toMatchObject({ balanceAmount: '110.00', balanceCurrency: 'CNY', balanceError: expect.stringContaining('404') });
    await expect(g.admin.channels.balance.mutate({ id: (await channel(g, up.url, ['x'], { type: 14 })) })).rejects.toThrow(/no balance endpoint/);
  });

  test('routing settings: defaults, partial updates, validation', async () => {
    const s = await g.admin.routing.settings.query();
    expect(s.defaults.retries).toBe(100);
    expect(s.defaults.failoverDeadlineMs).toBe(30_000);
    expect(s.defaults.breakerThreshold).toBe(3);
    const r = await g.admin.routing.setSettings.mutate({ healthErrorRate: 0.8, keyRotation: 'random' });
    expect(r.values).toMatchObject({ healthErrorRate: 0.8, keyRotation: 'random', testPrompt: 'ping from the test' });
    await expect(g.admin.routing.setSettings.mutate({ retries: -1 })).rejects.toThrow();
    await expect(g.admin.routing.setSettings.mutate({ keyRotation: 'sideways' as 'random' })).rejects.toThrow();
    const row = await g.gw.db.db.selectFrom('settings').select('value').where('key', '=', 'routing.healthErrorRate').executeTakeFirstOrThrow();
    expect(row.value).toBe(0.8);
    await g.admin.routing.setSettings.mutate({ keyRotation: 'round-robin' });
  });

  test('per-channel overrides: forced system prompt and max_tokens → max_completion_tokens; no overrides keeps the client bytes', async () => {
    const ov = await channel(g, up.url, ['ov-model'], { keys: ['sk-ov'] });
    await g.admin.channels.update.mutate({
      id: ov, systemPrompt: 'You are terse.', headers: { 'x-tenant': 'acme' },
      paramOverride: { rename: { max_tokens: 'max_completion_tokens' }, set: { temperature: 0 }, remove: ['user'] },
    });
    const res = await chatVia(g, key)({ model: 'ov-model', max_tokens: 50, user: 'u1', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(200);
    const seen = up.chats().at(-1)!;
    expect(seen.body.messages).toEqual([{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'hi' }]);
    expect(seen.body).toMatchObject({ max_completion_tokens: 50, temperature: 0 });
    expect('max_tokens' in seen.body || 'user' in seen.body).toBe(false);
    expect(seen.headers['x-tenant']).toBe('acme');
    await expect(g.admin.channels.update.mutate({ id: ov, paramOverride: { rename: { a: 'b' }, bogus: 1 } as never })).rejects.toThrow();

    await channel(g, up.url, ['plain-model'], { keys: ['sk-plain'] });
    const raw = '{"model":"plain-model",  "messages":[{"role":"user","content":"exact bytes"}] ,"max_tokens":7}';
    const plain = await fetch(`${g.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: raw });
    expect(plain.status).toBe(200);
    expect(up.chats().at(-1)!.raw).toBe(raw);
  });

  test('update adds keys, copy duplicates a channel disabled, batch changes priority and deletes, fetchModels lists upstream models', async () => {
    const id = await channel(g, up.url, ['cp-model'], { keys: ['sk-c1'] });
    const u = await g.admin.channels.update.mutate({ id, name: 'renamed', weight: 7, addKeys: 'sk-c1\nsk-c2\nsk-c3' });
    expect(u).toEqual({ id, keysAdded: 2, keysRemoved: 0 });
    expect(g.gw.store.channel(id)!.keys.map((k) => k.key)).toEqual(['sk-c1', 'sk-c2', 'sk-c3']);
    const { id: copy } = await g.admin.channels.copy.mutate({ id });
    const listed = (await g.admin.channels.list.query()).find((c) => c.id === copy)!;
    expect(listed).toMatchObject({ name: 'renamed (copy)', weight: 7, status: 2, models: ['cp-model'] });
    expect(g.gw.store.channel(copy)!.keys.map((k) => k.key)).toEqual(['sk-c1', 'sk-c2', 'sk-c3']);
    expect(await g.admin.channels.batch.mutate({ action: 'priority', ids: [id, copy], value: 9 })).toEqual({ changed: 2 });
    expect(g.gw.store.channel(copy)!.priority).toBe(9);
    expect(await g.admin.channels.fetchModels.mutate({ id })).toEqual({ models: ['gpt-4o-mini', 'text-embedding-3-small'] });
    expect(await g.admin.channels.fetchModels.mutate({ type: 1, baseUrl: up.url, key: 'sk-new' })).toEqual({ models: ['gpt-4o-mini', 'text-embedding-3-small'] });
    expect(await g.admin.channels.batch.mutate({ action: 'delete', ids: [copy] })).toEqual({ changed: 1 });
    expect(g.gw.store.channel(copy)).toBeUndefined();
  });
});
