// Evidence 2 and 3: a disabled channel or key is never picked; weights 1:3 give about
// 25% / 75% of first picks (a statistical bound). Also priority tiers and the admin pin header.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { candidates } from '../../server/relay/select-channel.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { type FaultyUpstream, startFaultyUpstream } from '../mocks/faulty-upstream.ts';
import { account, channel, chatVia, price } from './setup.ts';

describe('channel and key selection on postgres', () => {
  let g: TestGateway;
  let up: FaultyUpstream[];
  let user: { key: string };
  let admin: { key: string };
  let light: number;
  let heavy: number;

  beforeAll(async () => {
    up = await Promise.all([0, 1, 2, 3].map(() => startFaultyUpstream()));
    g = await startTestGateway('postgres');
    await price(g, 'w-model', 'p-model', 'k-model');
    user = await account(g);
    admin = await account(g, { role: 'admin' });
    light = await channel(g, up[0]!.url, ['w-model'], { weight: 1, name: 'light' });
    heavy = await channel(g, up[1]!.url, ['w-model'], { weight: 3, name: 'heavy' });
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    await Promise.all(up.map((u) => u.stop()));
  });

  test('weights 1:3 → 25% / 75% of first picks, over 2,000 selections (bound ±5%, over 5 sigma)', () => {
    let first = 0;
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const order = candidates(g.gw.store, 'w-model', { groups: ['default'] });
      expect(order.map((c) => c.id).sort()).toEqual([light, heavy].sort());
      if (order[0]!.id === light) first++;
    }
    expect(Math.abs(first / n - 0.25)).toBeLessThan(0.05);
  });

  test('weights 1:3 end to end: 400 relayed calls split about 25% / 75% (bound ±11%, 5 sigma)', async () => {
    const chat = chatVia(g, user.key);
    for (let i = 0; i < 400; i++) expect((await chat({ model: 'w-model' })).status).toBe(200);
    const a = up[0]!.chats().length;
    const b = up[1]!.chats().length;
    expect(a + b).toBe(400);
    expect(Math.abs(a / 400 - 0.25)).toBeLessThan(0.11);
  });

  test('a higher priority tier always goes first; a disabled channel is never picked', async () => {
    const high = await channel(g, up[2]!.url, ['p-model'], { priority: 10, name: 'high' });
    const low = await channel(g, up[3]!.url, ['p-model'], { priority: 0, weight: 100, name: 'low' });
    const chat = chatVia(g, user.key);
    const before = up[3]!.chats().length;
    for (let i = 0; i < 30; i++) expect((await chat({ model: 'p-model' })).status).toBe(200);
    expect(up[3]!.chats().length).toBe(before);
    // Disabled by hand: every call goes to the low tier, none to the disabled channel.
    await g.admin.channels.setStatus.mutate({ id: high, enabled: false, reason: 'maintenance' });
    const highBefore = up[2]!.chats().length;
    for (let i = 0; i < 50; i++) expect((await chat({ model: 'p-model' })).status).toBe(200);
    expect(up[2]!.chats().length).toBe(highBefore);
    for (let i = 0; i < 500; i++) expect(candidates(g.gw.store, 'p-model', { groups: ['default'] }).map((c) => c.id)).toEqual([low]);
    const row = await g.gw.db.db.selectFrom('channels').select(['status', 'status_reason']).where('id', '=', high).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 2, status_reason: 'maintenance' });
  });

  test('a disabled key is never used; the rest of the pool rotates round-robin', async () => {
    const id = await channel(g, up[2]!.url, ['k-model'], { keys: ['sk-pool-1', 'sk-pool-2', 'sk-pool-3'] });
    const keys = (await g.admin.channels.list.query()).find((c) => c.id === id)!.keys;
    await g.admin.channels.setKeyStatus.mutate({ keyId: keys[1]!.id, enabled: false });
    const chat = chatVia(g, user.key);
    const from = up[2]!.requests.length;
    for (let i = 0; i < 40; i++) expect((await chat({ model: 'k-model' })).status).toBe(200);
    const used = up[2]!.requests.slice(from).map((r) => r.key);
    expect(used.filter((k) => k === 'sk-pool-2')).toEqual([]);
    expect(used.filter((k) => k === 'sk-pool-1').length).toBe(20);
    expect(used.filter((k) => k === 'sk-pool-3').length).toBe(20);
    // Re-enabled: back in rotation.
    await g.admin.channels.setKeyStatus.mutate({ keyId: keys[1]!.id, enabled: true });
    const from2 = up[2]!.requests.length;
    for (let i = 0; i < 9; i++) expect((await chat({ model: 'k-model' })).status).toBe(200);
    expect(up[2]!.requests.slice(from2).filter((r) => r.key === 'sk-pool-2').length).toBe(3);
  });

  test('X-Switchboard-Channel pins a channel for an admin; a user gets a 403 in OpenAI shape', async () => {
    const asAdmin = chatVia(g, admin.key);
    const before = up[0]!.chats().length;
    for (let i = 0; i < 20; i++) expect((await asAdmin({ model: 'w-model' }, { 'x-switchboard-channel': String(light) })).status).toBe(200);
    expect(up[0]!.chats().length - before).toBe(20);

    const denied = await chatVia(g, user.key)({ model: 'w-model' }, { 'x-switchboard-channel': String(light) });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('x-request-id')).toMatch(/^req_/);
    expect(await denied.json()).toEqual({ error: { message: expect.stringContaining('admin'), type: 'permission_error', code: 'channel_pin_forbidden', param: null } });
    expect(up[0]!.chats().length - before).toBe(20);

    const missing = await asAdmin({ model: 'w-model' }, { 'x-switchboard-channel': '99999' });
    expect(missing.status).toBe(404);
    await g.admin.channels.setStatus.mutate({ id: light, enabled: false });
    const disabled = await asAdmin({ model: 'w-model' }, { 'x-switchboard-channel': String(light) });
    expect(disabled.status).toBe(409);
    expect(((await disabled.json()) as { error: { code: string } }).error.code).toBe('channel_disabled');
    await g.admin.channels.setStatus.mutate({ id: light, enabled: true });
  });
});
