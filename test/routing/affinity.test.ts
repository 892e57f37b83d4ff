// Cache affinity (docs/routing.md): a conversation's calls stay on one channel and one
// upstream key while both are healthy; the pin yields to failures, breakers, disables and
// weight 0; with REDIS_URL two instances share pins. Each call's outcome is in call_logs.
// Real Postgres, upstreams that keep a prompt cache per key (test/mocks/caching-upstream.ts).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { conversationOf, prefixHash } from '../../server/relay/conversation.ts';
import { AffinityTable } from '../../server/routing/affinity.ts';
import { type Cluster, startCluster } from '../helpers/cluster.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { type CachingUpstream, startCachingUpstream } from '../mocks/caching-upstream.ts';
import { account, channel, price } from './setup.ts';

const SYSTEM = 'You are a coding agent. '.repeat(300);

function turns(n: number, seed: string) {
  const messages: Array<{ role: string; content: string }> = [{ role: 'system', content: SYSTEM }, { role: 'user', content: `task ${seed}: fix the bug in parser.ts` }];
  for (let i = 1; i < n; i++) messages.push({ role: 'assistant', content: `step ${i} done `.repeat(20) }, { role: 'user', content: `tool result ${i} `.repeat(40) });
  return messages;
}

async function chat(g: TestGateway, key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await fetch(`${g.url}/v1/chat/completions`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'aff-model', ...body }),
  });
  const json = await res.json() as any;
  return { status: res.status, id: res.headers.get('x-request-id')!, json };
}

async function logsOf(g: TestGateway, ids: string[]) {
  await g.flush();
  const rows = await g.gw.db.db.selectFrom('call_logs').select(['request_id', 'channel_id', 'attempts', 'affinity', 'cached_tokens']).where('request_id', 'in', ids).execute();
  return ids.map((id) => rows.find((r) => r.request_id === id)!);
}

describe('conversation id', () => {
  const h = (o: Record<string, string> = {}) => new Headers(o);
  test('explicit ids win in the documented order', () => {
    const body = { prompt_cache_key: 'pck-1', metadata: { user_id: 'user_x_session_1' }, user: 'u1', messages: [{ role: 'user', content: 'hi' }] };
    expect(conversationOf(body, h({ session_id: 's1' }), 10)).toBe('pck:pck-1');
    expect(conversationOf({ ...body, prompt_cache_key: undefined }, h({ session_id: 's1' }), 10)).toBe('meta:user_x_session_1');
    expect(conversationOf({ user: 'u1', messages: [] }, h({ session_id: 's1' }), 10)).toBe('session:s1');
    expect(conversationOf({ user: 'u1', messages: [] }, h(), 10)).toBe('user:u1');
    expect(conversationOf({ messages: [] }, h(), 10)).toBeNull();
    // Without an id, only a prompt big enough to be cached upstream is pinned by its prefix.
    expect(conversationOf({ messages: turns(1, 'a') }, h(), 100)).toBeNull();
    expect(conversationOf({ messages: turns(1, 'a') }, h(), 8000)).toBe(prefixHash({ messages: turns(1, 'a') }));
  });
  test('the prefix hash is stable as the conversation grows and differs between conversations', () => {
    const a1 = prefixHash({ messages: turns(1, 'a') });
    expect(prefixHash({ messages: turns(7, 'a') })).toBe(a1);
    expect(prefixHash({ messages: turns(1, 'b') })).not.toBe(a1);
    // Anthropic shape: system apart, cache_control markers moving between turns.
    const sys = [{ type: 'text', text: SYSTEM, cache_control: { type: 'ephemeral' } }];
    const first = { role: 'user', content: [{ type: 'text', text: 'refactor', cache_control: { type: 'ephemeral' } }] };
    const t1 = prefixHash({ system: sys, messages: [first], tools: [{ name: 'Bash' }] });
    const t2 = prefixHash({ system: [{ type: 'text', text: SYSTEM }], messages: [{ role: 'user', content: [{ type: 'text', text: 'refactor' }] }, { role: 'assistant', content: 'ok' }], tools: [{ name: 'Bash' }] });
    expect(t2).toBe(t1);
    expect(prefixHash({ system: sys, messages: [first], tools: [{ name: 'Read' }] })).not.toBe(t1);
  });
  test('the table expires pins and stays bounded', async () => {
    const t = new AffinityTable(null, 3);
    t.set('a', { channelId: 1, keyId: 1, since: 0 }, 1000, 0);
    expect(await t.get('a', 999)).toEqual({ channelId: 1, keyId: 1, since: 0 });
    expect(await t.get('a', 1000)).toBeNull();
    for (const k of ['a', 'b', 'c', 'd']) t.set(k, { channelId: 1, keyId: 2, since: 0 }, 1000, 0);
    expect(t.size).toBe(3);
    expect(await t.get('a', 1)).toBeNull();
  });
});

describe('cache affinity on postgres', () => {
  let g: TestGateway;
  let up: [CachingUpstream, CachingUpstream];
  let key: string;
  let ch: [number, number];

  beforeAll(async () => {
    up = [await startCachingUpstream(), await startCachingUpstream()];
    g = await startTestGateway('postgres');
    await g.admin.routing.setSettings.mutate({ breakerThreshold: 1 });
    await price(g, 'aff-model');
    ({ key } = await account(g));
    ch = [
      await channel(g, up[0].url, ['aff-model'], { keys: ['sk-a1', 'sk-a2', 'sk-a3'], name: 'A' }),
      await channel(g, up[1].url, ['aff-model'], { keys: ['sk-b1', 'sk-b2', 'sk-b3'], name: 'B' }),
    ];
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    await Promise.all(up.map((u) => u?.stop()));
  });

  test('a growing conversation stays on one channel and one key; the upstream cache hits', async () => {
    const ids: string[] = [];
    for (let t = 1; t <= 8; t++) {
      const r = await chat(g, key, { messages: turns(t, 'grow') });
      expect(r.status).toBe(200);
      ids.push(r.id);
    }
    const logs = await logsOf(g, ids);
    expect(logs.map((l) => l.affinity)).toEqual(['miss', 'hit', 'hit', 'hit', 'hit', 'hit', 'hit', 'hit']);
    const pairs = new Set(logs.map((l) => `${l.channel_id}/${(l.attempts as Array<{ key_id: number }>).at(-1)!.key_id}`));
    expect(pairs.size).toBe(1);
    // Every turn after the first reads the cache warmed by the one before.
    expect(logs.slice(1).every((l) => l.cached_tokens >= 1024)).toBe(true);
  });

  test('conversations still spread over channels and keys', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 24; i++) ids.push((await chat(g, key, { prompt_cache_key: `spread-${i}`, messages: [{ role: 'user', content: 'hi' }] })).id);
    const logs = await logsOf(g, ids);
    expect(logs.every((l) => l.affinity === 'miss')).toBe(true);
    expect(new Set(logs.map((l) => l.channel_id)).size).toBe(2);
  });

  test('the pin breaks when its channel fails (no failed call) and re-pins where the call landed', async () => {
    const first = await chat(g, key, { prompt_cache_key: 'fail-over', messages: [{ role: 'user', content: 'hi' }] });
    const [l0] = await logsOf(g, [first.id]);
    const pinnedIdx = ch.indexOf(l0!.channel_id!);
    up[pinnedIdx]!.failing = true;
    try {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await chat(g, key, { prompt_cache_key: 'fail-over', messages: [{ role: 'user', content: 'hi' }] });
        expect(r.status).toBe(200);
        ids.push(r.id);
      }
      const logs = await logsOf(g, ids);
      expect(logs.map((l) => l.affinity)).toEqual(['broken', 'hit', 'hit']);
      expect(logs.every((l) => l.channel_id === ch[1 - pinnedIdx])).toBe(true);
    } finally {
      up[pinnedIdx]!.failing = false;
    }
  });

  test('the pin yields to a disabled channel and to weight 0', async () => {
    const first = await chat(g, key, { prompt_cache_key: 'yield', messages: [{ role: 'user', content: 'hi' }] });
    const [l0] = await logsOf(g, [first.id]);
    const pinned = l0!.channel_id!;
    const other = ch.find((c) => c !== pinned)!;
    await g.admin.channels.setStatus.mutate({ id: pinned, enabled: false });
    const r1 = await chat(g, key, { prompt_cache_key: 'yield', messages: [{ role: 'user', content: 'hi' }] });
    await g.admin.channels.setStatus.mutate({ id: pinned, enabled: true });
    // Now pinned to `other`; draining it with weight 0 moves the conversation back.
    await g.admin.channels.update.mutate({ id: other, weight: 0 });
    const r2 = await chat(g, key, { prompt_cache_key: 'yield', messages: [{ role: 'user', content: 'hi' }] });
    await g.admin.channels.update.mutate({ id: other, weight: 1 });
    const [a, b] = await logsOf(g, [r1.id, r2.id]);
    expect([a!.affinity, a!.channel_id]).toEqual(['broken', other]);
    expect([b!.affinity, b!.channel_id]).toEqual(['broken', pinned]);
  });

  test('Anthropic Messages: Claude Code\'s metadata.user_id keeps the session on one channel and key', async () => {
    const ids: string[] = [];
    const messages: Array<{ role: string; content: string }> = [{ role: 'user', content: 'hi' }];
    for (let t = 0; t < 4; t++) {
      const res = await fetch(`${g.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'aff-model', max_tokens: 64, system: 'short', messages, metadata: { user_id: 'user_abc_account_1_session_9f2c' } }),
      });
      expect(res.status).toBe(200);
      const body = await res.json() as { content: Array<{ text?: string }> };
      messages.push({ role: 'assistant', content: body.content[0]?.text ?? 'ok' }, { role: 'user', content: `next ${t}` });
      ids.push(res.headers.get('x-request-id')!);
    }
    const logs = await logsOf(g, ids);
    expect(logs.map((l) => l.affinity)).toEqual(['miss', 'hit', 'hit', 'hit']);
    expect(new Set(logs.map((l) => `${l.channel_id}/${(l.attempts as Array<{ key_id: number }>).at(-1)!.key_id}`)).size).toBe(1);
  });

  test('the weight budget: once per TTL a pin is re-drawn by weight, so a weight change reaches pinned conversations', async () => {
    await g.admin.routing.setSettings.mutate({ affinityTtlMs: 1500 });
    const ask = () => chat(g, key, { prompt_cache_key: 'renew', messages: [{ role: 'user', content: 'hi' }] });
    const first = await ask();
    const [l0] = await logsOf(g, [first.id]);
    const pinned = l0!.channel_id!;
    const other = ch.find((c) => c !== pinned)!;
    await g.admin.channels.update.mutate({ id: other, weight: 1000 });
    try {
      const within: string[] = [];
      for (let i = 0; i < 3; i++) {
        await Bun.sleep(300);
        within.push((await ask()).id);
      }
      await Bun.sleep(900);
      const after = [(await ask()).id, (await ask()).id];
      const a = await logsOf(g, within);
      const b = await logsOf(g, after);
      // Within the TTL the pin holds against the weights; then the weighted draw moves it, once.
      expect(a.map((l) => [l.affinity, l.channel_id])).toEqual(Array(3).fill(['hit', pinned]));
      expect(b.map((l) => [l.affinity, l.channel_id])).toEqual([['broken', other], ['hit', other]]);
    } finally {
      await g.admin.channels.update.mutate({ id: other, weight: 1 });
      await g.admin.routing.setSettings.mutate({ affinityTtlMs: 1_800_000 });
    }
  });

  test('affinity off: no pin, nothing logged', async () => {
    await g.admin.routing.setSettings.mutate({ affinityTtlMs: 0 });
    try {
      const r = await chat(g, key, { prompt_cache_key: 'off', messages: [{ role: 'user', content: 'hi' }] });
      const [l] = await logsOf(g, [r.id]);
      expect(l!.affinity).toBeNull();
    } finally {
      await g.admin.routing.setSettings.mutate({ affinityTtlMs: 1_800_000 });
    }
  });
});

describe('cache affinity shared in Redis across two instances', () => {
  let cluster: Cluster;
  let a: TestGateway;
  let b: TestGateway;
  let up: [CachingUpstream, CachingUpstream];

  beforeAll(async () => {
    up = [await startCachingUpstream(), await startCachingUpstream()];
    cluster = await startCluster(2, { REDIS_URL: 'redis://127.0.0.1:6379' });
    [a, b] = cluster.nodes as [TestGateway, TestGateway];
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
    await Promise.all(up.map((u) => u?.stop()));
  });

  test('a conversation pinned on one instance is a hit on the other', async () => {
    await price(a, 'aff-model');
    const { key } = await account(a);
    await channel(a, up[0].url, ['aff-model'], { keys: ['sk-a1', 'sk-a2'], name: 'A' });
    await channel(a, up[1].url, ['aff-model'], { keys: ['sk-b1', 'sk-b2'], name: 'B' });
    // Wait until B's store has both channels.
    const ready = () => (b.gw.store.routes('aff-model')?.[0]?.channels ?? []).filter((c) => c.keys.length === 2).length === 2;
    for (let i = 0; i < 100 && !ready(); i++) await Bun.sleep(50);
    expect(ready()).toBe(true);
    const firsts: string[] = [];
    const seconds: string[] = [];
    for (let i = 0; i < 10; i++) {
      firsts.push((await chat(a, key, { prompt_cache_key: `shared-${i}`, messages: [{ role: 'user', content: 'hi' }] })).id);
      await Bun.sleep(5);
      const r = await chat(b, key, { prompt_cache_key: `shared-${i}`, messages: [{ role: 'user', content: 'hi' }] });
      expect(r.status).toBe(200);
      seconds.push(r.id);
    }
    const la = await logsOf(a, firsts);
    const lb = await logsOf(b, seconds);
    expect(la.every((l) => l.affinity === 'miss')).toBe(true);
    expect(lb.map((l) => l.affinity)).toEqual(Array(10).fill('hit'));
    expect(lb.map((l) => l.channel_id)).toEqual(la.map((l) => l.channel_id));
  });
});
