// Streams and failover (evidence 5): before the first byte reaches the client a stream fails
// over (slow first byte, connection reset); after it, a dropped upstream stream ends the
// client's stream with an error event, is logged as failed and billed for what was delivered.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { CHUNKS, faults, type FaultyUpstream, startFaultyUpstream } from '../mocks/faulty-upstream.ts';
import { account, channel, chatVia, logOf, price } from './setup.ts';

describe('streams and failover on postgres', () => {
  let g: TestGateway;
  let primary: FaultyUpstream;
  let spare: FaultyUpstream;
  let user: { key: string; userId: number };
  let primaryId: number;
  let spareId: number;

  beforeAll(async () => {
    [primary, spare] = await Promise.all([startFaultyUpstream(), startFaultyUpstream()]);
    g = await startTestGateway('postgres', { UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '400' });
    await price(g, 'st-model');
    user = await account(g);
    primaryId = await channel(g, primary.url, ['st-model'], { priority: 10, name: 'primary' });
    spareId = await channel(g, spare.url, ['st-model'], { priority: 0, name: 'spare' });
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    await Promise.all([primary?.stop(), spare?.stop()]);
  });

  const stream = (headers: Record<string, string> = {}) => chatVia(g, user.key)({ model: 'st-model', stream: true }, headers);
  const contentOf = (sse: string) => sse.split('\n\n').filter((e) => e.startsWith('data: {')).map((e) => JSON.parse(e.slice(6)))
    .map((c) => c.choices?.[0]?.delta?.content ?? '').join('');

  test('a stream dropped after its first byte: error event to the client, logged failed, billed for what was delivered, no failover', async () => {
    primary.next(faults.dropStream(3));
    const spareBefore = spare.chats().length;
    const res = await stream();
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(contentOf(text)).toBe(CHUNKS.slice(0, 3).join(''));
    const last = text.trim().split('\n\n').at(-1)!;
    expect(JSON.parse(last.slice(6))).toEqual({ error: { message: expect.stringContaining('Upstream stream failed'), type: 'upstream_error', code: 'upstream_stream_broken', param: null } });
    expect(text).not.toContain('[DONE]');
    // Too late to fail over: the client already had bytes.
    expect(spare.chats().length).toBe(spareBefore);

    const log = await logOf(g, res.headers.get('x-request-id')!);
    expect(log).toMatchObject({ status: 502, stream: true, estimated: true, channel_id: primaryId, error_type: 'upstream_stream_broken' });
    expect(log.attempts).toEqual([expect.objectContaining({ channel_id: primaryId, status: 200 })]);
    // Billed for the three chunks delivered (estimated), not for the six the upstream meant to send.
    expect(log.completion_tokens).toBeGreaterThanOrEqual(3);
    expect(log.completion_tokens).toBeLessThan(6);
    expect(log.prompt_tokens).toBeGreaterThan(0);
    expect(log.cost).toBeGreaterThan(0n);
    const ledger = await g.gw.db.db.selectFrom('ledger').select(['amount']).where('user_id', '=', user.userId).where('kind', '=', 'usage').execute();
    expect(ledger.reduce((s, r) => s + r.amount, 0n)).toBeLessThan(0n);
  });

  test('the official openai SDK surfaces the dropped stream as an error after the delivered chunks', async () => {
    primary.next(faults.dropStream(2));
    const client = new OpenAI({ baseURL: `${g.url}/v1`, apiKey: user.key, maxRetries: 0 });
    const s = await client.chat.completions.create({ model: 'st-model', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let got = '';
    let error: Error | null = null;
    try {
      for await (const chunk of s) got += chunk.choices[0]?.delta?.content ?? '';
    } catch (e) {
      error = e as Error;
    }
    expect(got).toBe(CHUNKS.slice(0, 2).join(''));
    expect(error?.message).toContain('Upstream stream failed');
  });

  test('a slow first byte fails over before anything reaches the client', async () => {
    primary.next(faults.slowFirstByte(1500));
    const res = await stream();
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(contentOf(text)).toBe(CHUNKS.join(''));
    expect(text).toContain('[DONE]');
    const log = await logOf(g, res.headers.get('x-request-id')!);
    expect(log.status).toBe(200);
    expect(log.channel_id).toBe(spareId);
    expect(log.attempts.map((a) => [a.channel_id, a.status])).toEqual([[primaryId, 504], [spareId, 200]]);
  });

  test('a connection reset fails over, streamed or not', async () => {
    for (const streamed of [true, false]) {
      primary.next(faults.reset);
      const res = await chatVia(g, user.key)({ model: 'st-model', stream: streamed });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(streamed ? contentOf(text) : JSON.parse(text).choices[0].message.content).toBe(CHUNKS.join(''));
      const log = await logOf(g, res.headers.get('x-request-id')!);
      expect(log.attempts.map((a) => [a.channel_id, a.status])).toEqual([[primaryId, 502], [spareId, 200]]);
    }
  });
});
