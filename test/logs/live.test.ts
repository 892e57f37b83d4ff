// Live events over WebSocket: Bun's native client and a Node process (typed client + `ws`)
// see relayed calls within 1 s, including calls served by a second instance on the same
// Postgres; a `user` subscriber never sees another user's calls.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { createSwitchboardClient } from '../../client/index.ts';
import type { Lagged, LiveEvent } from '../../server/live/events.ts';
import { ADMIN_KEY, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { seed, type Seeded } from '../helpers/seed.ts';
import { type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';

type Got = { e: LiveEvent | Lagged; at: number };

/** Subscribe with Bun's global WebSocket; resolves once the server confirmed the subscription. */
async function subscribe(url: string, token: string) {
  const sb = createSwitchboardClient({ url, token });
  const got: Got[] = [];
  let started!: () => void;
  const ready = new Promise<void>((r) => { started = r; });
  const sub = sb.live.events.subscribe(undefined, { onStarted: () => started(), onData: (e) => got.push({ e, at: performance.now() }) });
  await ready;
  return { got, stop: () => sub.unsubscribe() };
}

async function until<T>(fn: () => T | undefined | null | false, ms = 3_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await Bun.sleep(10);
  }
}

const finishedFor = (got: Got[], requestId: string) =>
  got.find((g) => g.e.type === 'call.finished' && g.e.log.request_id === requestId) as (Got & { e: Extract<LiveEvent, { type: 'call.finished' }> }) | undefined;

describe('live events across two instances on one Postgres', () => {
  let mock: MockOpenAI;
  let a: TestGateway;
  let b: TestGateway;
  let s1: Seeded;
  let s2: Seeded;

  beforeAll(async () => {
    mock = await startMockOpenAI();
    // Two instances of one deployment: same database, same master secret.
    const secret = 'live-test-master-secret-0123456789';
    a = await startTestGateway('postgres', { SWITCHBOARD_SECRET: secret });
    b = await startTestGateway('postgres', { SWITCHBOARD_SECRET: secret, DATABASE_URL: a.gw.config.databaseUrl! });
    s1 = await seed(a, mock.url, { username: 'live_ann' });
    s2 = await seed(a, mock.url, { username: 'live_bob' });
    await b.gw.store.reload();
  }, 60_000);
  afterAll(async () => {
    await b.close();
    await a.close();
    mock.stop();
  });

  /** One chat call; returns its request id and when its response was complete. */
  const call = async (g: TestGateway, key: string) => {
    const client = new OpenAI({ baseURL: `${g.url}/v1`, apiKey: key, maxRetries: 0 });
    const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    return { requestId: response.headers.get('x-request-id')!, done: performance.now() };
  };

  test('Bun subscriber on instance A sees calls served by A and by B within 1 s', async () => {
    const sub = await subscribe(a.url, ADMIN_KEY);
    // B learns that A has a subscriber over NOTIFY before it publishes anything.
    await until(() => b.gw.live.remoteActive);

    for (const served of [a, b]) {
      const c = await call(served, s1.key);
      const fin = await until(() => finishedFor(sub.got, c.requestId), 2_000);
      console.log(`call served by ${served === a ? 'A' : 'B'}: finished event on A ${(fin.at - c.done).toFixed(0)} ms after the response`);
      expect(fin.at - c.done).toBeLessThan(1_000);
      expect(fin.e.log).toMatchObject({ request_id: c.requestId, user_id: s1.userId, key_id: s1.keyId, status: 200, model: 'gpt-4o-mini', stream: false });
      expect(typeof fin.e.log.id).toBe('string');
      expect(fin.e.log.cost).toBeGreaterThan(0n);
      const started = sub.got.find((g) => g.e.type === 'call.started' && g.e.requestId === c.requestId);
      expect(started).toBeDefined();
      expect(started!.at).toBeLessThanOrEqual(fin.at);
    }
    const balance = await until(() => sub.got.find((g) => g.e.type === 'balance.changed' && g.e.userId === s1.userId));
    const row = await a.gw.db.db.selectFrom('users').select('balance').where('id', '=', s1.userId).executeTakeFirstOrThrow();
    expect((balance.e as Extract<LiveEvent, { type: 'balance.changed' }>).balance).toBeGreaterThanOrEqual(row.balance);
    sub.stop();
  }, 30_000);

  test('a Node client (typed client + ws) sees a call served by the other instance within 1 s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-node-live-'));
    const bundle = join(dir, 'client.mjs');
    const build = Bun.spawnSync(['bun', 'build', '--target=node', '--outfile', bundle, join(import.meta.dir, 'node-live-client.ts')]);
    expect(build.exitCode).toBe(0);
    const node = spawn('node', [bundle, a.url, ADMIN_KEY], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: Array<{ type: string; requestId?: string; node?: string; at: number }> = [];
    let buf = '';
    node.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        lines.push({ ...JSON.parse(buf.slice(0, nl)), at: performance.now() });
        buf = buf.slice(nl + 1);
      }
    });
    try {
      const hello = await until(() => lines.find((l) => l.type === 'subscribed'), 10_000);
      expect(hello.node).toMatch(/^v\d+/);
      await until(() => b.gw.live.remoteActive);
      for (const served of [b, a]) {
        const c = await call(served, s2.key);
        const fin = await until(() => lines.find((l) => l.type === 'call.finished' && l.requestId === c.requestId), 2_000);
        expect(fin.at - c.done).toBeLessThan(1_000);
        expect(lines.some((l) => l.type === 'call.started' && l.requestId === c.requestId)).toBe(true);
      }
    } finally {
      node.kill();
    }
  }, 30_000);

  test('a user subscriber sees only its own calls and balance, an admin sees all', async () => {
    const { token } = await a.gw.auth.tokens.create(s1.userId, 'live', null);
    const ann = await subscribe(a.url, token);
    const admin = await subscribe(a.url, ADMIN_KEY);
    await until(() => b.gw.live.remoteActive);
    const mine = await call(b, s1.key);
    const theirs = await call(a, s2.key);
    const theirs2 = await call(b, s2.key);
    await until(() => finishedFor(admin.got, mine.requestId) && finishedFor(admin.got, theirs.requestId) && finishedFor(admin.got, theirs2.requestId));
    await until(() => finishedFor(ann.got, mine.requestId));
    await Bun.sleep(300);
    const events = ann.got.map((g) => g.e);
    expect(events.length).toBeGreaterThan(1);
    for (const e of events) {
      if (e.type === 'call.finished') expect(e.log.user_id).toBe(s1.userId);
      else if (e.type === 'call.started' || e.type === 'balance.changed') expect(e.userId).toBe(s1.userId);
      else throw new Error(`user subscriber got a ${e.type} event`);
    }
    expect(admin.got.some((g) => g.e.type === 'balance.changed' && g.e.userId === s2.userId)).toBe(true);
    ann.stop();
    admin.stop();
  }, 30_000);

  test('a burst through B reaches A complete, in NOTIFY payloads under 8000 bytes', async () => {
    const sub = await subscribe(a.url, ADMIN_KEY);
    await until(() => b.gw.live.remoteActive);
    const calls = await Promise.all(Array.from({ length: 120 }, () => call(b, s2.key)));
    await until(() => calls.every((c) => finishedFor(sub.got, c.requestId)), 5_000);
    const startedIds = new Set(sub.got.flatMap((g) => (g.e.type === 'call.started' ? [g.e.requestId] : [])));
    expect(calls.every((c) => startedIds.has(c.requestId))).toBe(true);
    sub.stop();
  }, 30_000);

  test('subscribing needs credentials', async () => {
    const sb = createSwitchboardClient({ url: a.url, token: 'wrong-token-wrong-token' });
    const err = await new Promise<Error>((resolve) => {
      const sub = sb.live.events.subscribe(undefined, { onError: (e) => { sub.unsubscribe(); resolve(e); } });
    });
    expect(err.message).toMatch(/not valid|Sign in/);
  });
});
