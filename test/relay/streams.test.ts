// Streams that do not end well: the client leaves mid-stream (upstream aborted, call still
// logged and billed for what was delivered), and an upstream that goes quiet.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { DB_KINDS, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { seed, type Seeded } from '../helpers/seed.ts';
import { type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';

async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await Bun.sleep(20);
  }
}

describe.each(DB_KINDS)('stream edge cases on %s', (kind) => {
  let mock: MockOpenAI;
  let g: TestGateway;
  let s: Seeded;

  beforeAll(async () => {
    mock = await startMockOpenAI();
    g = await startTestGateway(kind, { UPSTREAM_IDLE_TIMEOUT_MS: '300' });
    s = await seed(g, mock.url);
  });
  afterAll(async () => {
    await g.close();
    mock.stop();
  });

  const logs = () => g.gw.db.db.selectFrom('call_logs').selectAll().orderBy('id', 'desc').execute();

  test('client disconnect mid-stream aborts the upstream and still logs and bills the call', async () => {
    mock.next({ kind: 'slow-stream', chunkDelayMs: 100, chunks: 40 });
    const ctrl = new AbortController();
    const client = new OpenAI({ baseURL: `${g.url}/v1`, apiKey: s.key, maxRetries: 0 });
    const stream = await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'tell me a long story' }], stream: true },
      { signal: ctrl.signal },
    );
    let received = 0;
    try {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta?.content) received++;
        if (received === 3) ctrl.abort();
      }
    } catch {}
    expect(received).toBe(3);
    const upstream = mock.requests.at(-1)!;
    await until(() => upstream.aborted);
    await until(async () => { await g.flush(); return (await logs())[0]?.status === 499; });
    const log = (await logs())[0]!;
    expect(log).toMatchObject({ status: 499, stream: true, estimated: true, error_type: 'client_closed' });
    // Billed for what was delivered: at least the three chunks the client read, never the 40 it did not.
    expect(log.completion_tokens).toBeGreaterThanOrEqual(3);
    expect(log.completion_tokens).toBeLessThan(40);
    expect(log.prompt_tokens).toBeGreaterThan(0);
    expect(log.cost).toBeGreaterThan(0n);
    // Nothing is left reserved: the whole balance is available again but for the cost.
    const user = await g.gw.db.db.selectFrom('users').select('balance').where('id', '=', s.userId).executeTakeFirstOrThrow();
    expect(g.gw.accounts.available(s.userId)).toBe(user.balance);
  });

  test('an upstream that goes quiet past the idle timeout ends the stream with an error event', async () => {
    mock.next({ kind: 'slow-stream', chunkDelayMs: 1000, chunks: 3 });
    const res = await fetch(`${g.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.key}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true }),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('"code":"upstream_idle_timeout"');
    await g.flush();
    const log = (await logs())[0]!;
    expect(log.status).toBe(504);
    expect(log.request_id).toBe(res.headers.get('x-request-id')!);
  });

  test('a burst of concurrent streams is metered exactly', async () => {
    const client = new OpenAI({ baseURL: `${g.url}/v1`, apiKey: s.key, maxRetries: 0 });
    await g.flush();
    const before = (await g.gw.db.db.selectFrom('users').select('balance').where('id', '=', s.userId).executeTakeFirstOrThrow()).balance;
    const runs = await Promise.all(Array.from({ length: 30 }, async (_, i) => {
      const st = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `n${i}` }], stream: i % 2 === 0 });
      if (i % 2 === 0) for await (const _c of st as AsyncIterable<unknown>) {}
    }));
    expect(runs).toHaveLength(30);
    await g.flush();
    const rows = (await logs()).slice(0, 30);
    expect(rows.every((r) => r.status === 200)).toBe(true);
    const sum = rows.reduce((a, r) => a + r.cost, 0n);
    const after = (await g.gw.db.db.selectFrom('users').select('balance').where('id', '=', s.userId).executeTakeFirstOrThrow()).balance;
    expect(before - after).toBe(sum);
  });
});
