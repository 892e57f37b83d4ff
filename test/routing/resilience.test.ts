// Key pools and retry rules against fault-injecting upstreams: a 429 cools its key for
// Retry-After; an auth or quota error disables that key (persisted with its reason) and the
// others keep working; runtime key state survives reloads and is seen by another instance;
// 400 / 413 / 422 are never retried (evidence 4); the retry count is a setting.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { loadConfig } from '../../server/config.ts';
import { startGateway } from '../../server/gateway.ts';
import type { KeyStatusEvent } from '../../server/routing/events.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { faults, type FaultyUpstream, startFaultyUpstream } from '../mocks/faulty-upstream.ts';
import { account, channel, chatVia, logOf, price, until } from './setup.ts';

describe('key pools and retries on postgres', () => {
  let g: TestGateway;
  let a: FaultyUpstream;
  let b: FaultyUpstream;
  let key: string;
  const keyEvents: KeyStatusEvent[] = [];

  beforeAll(async () => {
    [a, b] = await Promise.all([startFaultyUpstream(), startFaultyUpstream()]);
    g = await startTestGateway('postgres');
    g.gw.events.on('channel.key', (e) => keyEvents.push(e));
    await price(g, 'pool-model', 'auth-model', 'nr-model', 'rc-model');
    ({ key } = await account(g));
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  const keysOf = async (id: number) => (await g.admin.channels.list.query()).find((c) => c.id === id)!.keys;

  test('429 with Retry-After cools that key for that long; the call succeeds on the next key; the cooldown survives a reload and is persisted', async () => {
    const id = await channel(g, a.url, ['pool-model'], { keys: ['sk-rl-1', 'sk-rl-2'] });
    const [k1, k2] = await keysOf(id);
    a.forKey('sk-rl-1', faults.rateLimit(30));
    const chat = chatVia(g, key);
    const res = await chat({ model: 'pool-model' });
    expect(res.status).toBe(200);
    const log = await logOf(g, res.headers.get('x-request-id')!);
    expect(log.attempts).toEqual([
      expect.objectContaining({ channel_id: id, key_id: k1!.id, status: 429, error: expect.stringContaining('key cooled 30 s') }),
      expect.objectContaining({ channel_id: id, key_id: k2!.id, status: 200 }),
    ]);
    const cooling = g.gw.store.channel(id)!.keys.find((k) => k.id === k1!.id)!;
    expect(cooling.cooldownUntil - Date.now()).toBeGreaterThan(27_000);
    expect(cooling.cooldownUntil - Date.now()).toBeLessThanOrEqual(30_000);
    // A reload before the lazy write keeps the cooldown (runtime overlay).
    await g.gw.store.reload();
    const from = a.requests.length;
    for (let i = 0; i < 10; i++) expect((await chat({ model: 'pool-model' })).status).toBe(200);
    expect(a.requests.slice(from).map((r) => r.key)).toEqual(Array(10).fill('sk-rl-2'));
    // Written off the hot path, within the flush interval (1 s).
    await until(async () => {
      const row = await g.gw.db.db.selectFrom('channel_keys').select('cooldown_until').where('id', '=', k1!.id).executeTakeFirstOrThrow();
      return row.cooldown_until !== null && new Date(row.cooldown_until).getTime() - Date.now() > 25_000;
    }, 5_000, 'cooldown persisted');
    a.forKey('sk-rl-1', null);
  });

  test('the round-robin position survives a reload', async () => {
    const id = await channel(g, a.url, ['pool-model'], { keys: ['sk-rr-1', 'sk-rr-2'], priority: 5 });
    const chat = chatVia(g, key);
    const from = a.requests.length;
    for (let i = 0; i < 3; i++) {
      expect((await chat({ model: 'pool-model' })).status).toBe(200);
      await g.gw.store.reload();
    }
    expect(a.requests.slice(from).map((r) => r.key)).toEqual(['sk-rr-1', 'sk-rr-2', 'sk-rr-1']);
    await g.admin.channels.setStatus.mutate({ id, enabled: false });
  });

  test('401 invalid_api_key and insufficient quota disable only that key, with the reason; the others keep working', async () => {
    const id = await channel(g, b.url, ['auth-model'], { keys: ['sk-bad', 'sk-broke', 'sk-good'] });
    const [bad, broke, good] = await keysOf(id);
    b.forKey('sk-bad', faults.invalidKey);
    b.forKey('sk-broke', faults.noQuota);
    const chat = chatVia(g, key);
    const res = await chat({ model: 'auth-model' });
    expect(res.status).toBe(200);
    const log = await logOf(g, res.headers.get('x-request-id')!);
    expect(log.attempts.map((x) => [x.key_id, x.status])).toEqual([[bad!.id, 401], [broke!.id, 429], [good!.id, 200]]);
    expect(log.attempts[0]!.error).toContain('key disabled');
    // From now on only the good key is used.
    const from = b.requests.length;
    for (let i = 0; i < 10; i++) expect((await chat({ model: 'auth-model' })).status).toBe(200);
    expect(new Set(b.requests.slice(from).map((r) => r.key))).toEqual(new Set(['sk-good']));
    // Persisted with the vendor's reason, and announced.
    await until(() => keyEvents.filter((e) => e.channelId === id).length === 2, 5_000, 'key events');
    const rows = await g.gw.db.db.selectFrom('channel_keys').select(['id', 'status', 'status_reason']).where('channel_id', '=', id).orderBy('position').execute();
    expect(rows[0]).toMatchObject({ status: 3, status_reason: expect.stringContaining('Incorrect API key') });
    expect(rows[1]).toMatchObject({ status: 3, status_reason: expect.stringContaining('exceeded your current quota') });
    expect(rows[2]).toMatchObject({ status: 1, status_reason: null });
    expect(g.gw.store.channel(id)!.status).toBe(1);

    // Another instance on the same database sees the disabled keys and never uses them.
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-second-'));
    const second = await startGateway(loadConfig({
      PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: g.gw.config.databaseUrl!, LOG_LEVEL: 'silent',
      ADMIN_KEY: g.gw.config.adminKey!, SWITCHBOARD_SECRET: readFileSync(join(g.gw.config.dataDir, 'secret.key'), 'utf8').trim(),
    }));
    try {
      expect(second.gw.store.channel(id)!.keys.map((k) => k.status)).toEqual([3, 3, 1]);
      const from2 = b.requests.length;
      for (let i = 0; i < 5; i++) {
        const r = await fetch(`${second.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: JSON.stringify({ model: 'auth-model', messages: [{ role: 'user', content: 'x' }] }) });
        expect(r.status).toBe(200);
      }
      expect(new Set(b.requests.slice(from2).map((r) => r.key))).toEqual(new Set(['sk-good']));
    } finally {
      await second.stop();
    }
  }, 60_000);

  test.each([400, 413, 422])('an upstream %d is never retried: the client gets it, no other channel is tried', async (status) => {
    const model = `nr-model`;
    const first = await channel(g, a.url, [model], { priority: 100 + status, keys: [`sk-nr-${status}`] });
    const spare = await channel(g, b.url, [model], { priority: 0, keys: [`sk-spare-${status}`] });
    a.forKey(`sk-nr-${status}`, faults.status(status, `refused with ${status}`));
    const spareBefore = b.requests.filter((r) => r.key === `sk-spare-${status}`).length;
    const res = await chatVia(g, key)({ model });
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { message: string; type: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain(`refused with ${status}`);
    expect(b.requests.filter((r) => r.key === `sk-spare-${status}`).length).toBe(spareBefore);
    expect(a.requests.filter((r) => r.key === `sk-nr-${status}`).length).toBe(1);
    const log = await logOf(g, res.headers.get('x-request-id')!);
    expect(log.attempts).toEqual([expect.objectContaining({ channel_id: first, status })]);
    await g.admin.channels.batch.mutate({ action: 'disable', ids: [first, spare] });
  });

  test('the retry count is a setting; when every candidate fails the client gets the last error, mapped', async () => {
    const c1 = await channel(g, a.url, ['rc-model'], { priority: 3, keys: ['sk-rc-1'] });
    const c2 = await channel(g, a.url, ['rc-model'], { priority: 2, keys: ['sk-rc-2'] });
    const c3 = await channel(g, b.url, ['rc-model'], { priority: 1, keys: ['sk-rc-3'] });
    a.forKey('sk-rc-1', faults.serverError);
    a.forKey('sk-rc-2', faults.reset);
    b.forKey('sk-rc-3', { kind: 'status', status: 503, body: { error: { message: 'overloaded, try later' } } });
    const chat = chatVia(g, key);

    await g.admin.routing.setSettings.mutate({ retries: 0 });
    let res = await chat({ model: 'rc-model' });
    expect(res.status).toBe(502);
    expect((await logOf(g, res.headers.get('x-request-id')!)).attempts.map((x) => x.channel_id)).toEqual([c1]);

    await g.admin.routing.setSettings.mutate({ retries: 2 });
    res = await chat({ model: 'rc-model' });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { message: string; type: string } }).error).toMatchObject({ type: 'upstream_error', message: expect.stringContaining('overloaded, try later') });
    const log = await logOf(g, res.headers.get('x-request-id')!);
    expect(log.attempts.map((x) => [x.channel_id, x.status])).toEqual([[c1, 500], [c2, 502], [c3, 503]]);
    expect(log.attempts[1]!.error).toMatch(/connection|socket|closed/i);

    b.forKey('sk-rc-3', null);
    res = await chat({ model: 'rc-model' });
    expect(res.status).toBe(200);
    expect((await logOf(g, res.headers.get('x-request-id')!)).channel_id).toBe(c3);
    expect((await g.admin.routing.settings.query()).values.retries).toBe(2);
  });
});
