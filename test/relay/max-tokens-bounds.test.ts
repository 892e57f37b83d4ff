// Absurd output-token limits: every protocol refuses a max_tokens the gateway cannot honour
// with a 400 in its own error shape, and a reservation too large for Postgres int8 fails as
// insufficient balance (403), never as an error-level "lease claim failed" log line.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { INT8_MAX } from '../../server/billing/money.ts';
import { type PriceEntry, reserveOf } from '../../server/billing/pricing.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { seed, type Seeded } from '../helpers/seed.ts';
import { type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';

let mock: MockOpenAI;
let g: TestGateway;
let s: Seeded;
const errorLogs: string[] = [];

beforeAll(async () => {
  mock = await startMockOpenAI();
  g = await startTestGateway('pglite');
  const log = g.gw.log as { error: (msg: string, fields?: Record<string, unknown>) => void };
  const original = log.error;
  log.error = (msg, fields) => {
    errorLogs.push(`${msg} ${JSON.stringify(fields, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Error ? v.message : v))}`);
    original(msg, fields);
  };
  s = await seed(g, mock.url, { models: ['gpt-4o-mini', 'pricey'] });
  // Dear enough that 2^31 output tokens cost more nano-USD than int8 holds.
  await g.admin.prices.set.mutate({ model: 'pricey', inputUsdPerM: '1', outputUsdPerM: '9000000000' });
}, 60_000);
afterAll(async () => {
  await g?.close();
  mock?.stop();
});

const post = (path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${s.key}` }) =>
  fetch(`${g.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const messages = [{ role: 'user', content: 'hi' }];

describe('max tokens bounds', () => {
  test('chat: max_tokens 1e29, 2^31 or 1.5 is an OpenAI-shaped 400 naming the field', async () => {
    for (const [field, value] of [['max_tokens', '1e29'], ['max_tokens', '123456789012345678901234567890'], ['max_completion_tokens', String(2 ** 31)], ['max_tokens', '1.5']] as const) {
      const res = await post('/v1/chat/completions', `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"${field}":${value}}`);
      const body = (await res.json()) as { error: { message: string; type: string } };
      expect({ field, value, status: res.status, type: body.error.type }).toEqual({ field, value, status: 400, type: 'invalid_request_error' });
      expect(body.error.message).toContain(field);
    }
  });

  test('completions, Anthropic messages, Responses and Gemini refuse it in their own shapes', async () => {
    const completions = await post('/v1/completions', { model: 'gpt-4o-mini', prompt: 'hi', max_tokens: 1e29 });
    expect(completions.status).toBe(400);
    expect(((await completions.json()) as any).error.type).toBe('invalid_request_error');

    const anthropic = await post('/v1/messages', { model: 'gpt-4o-mini', max_tokens: 1e29, messages }, { 'x-api-key': s.key, 'anthropic-version': '2023-06-01' });
    expect(anthropic.status).toBe(400);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });

    const responses = await post('/v1/responses', { model: 'gpt-4o-mini', input: 'hi', max_output_tokens: 1e29 });
    expect(responses.status).toBe(400);
    expect(((await responses.json()) as any).error.message).toContain('max_output_tokens');

    const gemini = await post('/v1beta/models/gpt-4o-mini:generateContent', { contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { maxOutputTokens: 1e29 } }, { 'x-goog-api-key': s.key });
    expect(gemini.status).toBe(400);
    expect(await gemini.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
  });

  test('the largest accepted max_tokens that the balance cannot cover is a 403, before any upstream call', async () => {
    const before = mock.requests.length;
    const res = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages, max_tokens: 2 ** 31 - 1 });
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).error.type).toBe('insufficient_quota');
    expect(mock.requests.length).toBe(before);
  });

  test('a worst case past int8 nano-USD is refused as insufficient balance, on every protocol', async () => {
    // A fresh account each: a refused claim makes equal asks fail fast for a moment without
    // asking Postgres, which would hide the overflow this is about.
    const max = 2 ** 31 - 1;
    const keyOf = async (username: string) => {
      await g.admin.users.create.mutate({ username, balanceUsd: '10' });
      return (await g.admin.keys.create.mutate({ name: 'pricey', user: username })).key;
    };
    const [k1, k2, k3, k4] = await Promise.all(['pricey_a', 'pricey_b', 'pricey_c', 'pricey_d'].map(keyOf));
    const calls = [
      post('/v1/chat/completions', { model: 'pricey', messages, max_tokens: max }, { authorization: `Bearer ${k1}` }),
      post('/v1/messages', { model: 'pricey', max_tokens: max, messages }, { 'x-api-key': k2!, 'anthropic-version': '2023-06-01' }),
      post('/v1/responses', { model: 'pricey', input: 'hi', max_output_tokens: max }, { authorization: `Bearer ${k3}` }),
      post('/v1beta/models/pricey:generateContent', { contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { maxOutputTokens: max } }, { 'x-goog-api-key': k4! }),
    ];
    for (const res of await Promise.all(calls)) expect({ url: res.url, status: res.status }).toEqual({ url: res.url, status: 403 });
    // A normal call still works afterwards (the refused claim left the lease state sane).
    const ok = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages, max_tokens: 5 });
    expect(ok.status).toBe(200);
  });

  test('reserveOf never exceeds int8 and never throws on non-finite token counts', () => {
    const price: PriceEntry = {
      model: 'x', input: 9_000_000_000_000_000_000n, output: 9_000_000_000_000_000_000n, cacheRead: null, cacheWrite5m: null,
      cacheWrite1h: null, perRequest: null, defaultMaxTokens: 4096, extra: {},
    };
    expect(reserveOf(10, 1e29, price)).toBe(INT8_MAX);
    expect(reserveOf(10, Number.POSITIVE_INFINITY, price, 5_000_000)).toBe(INT8_MAX);
    expect(reserveOf(0, Number.NaN, { ...price, output: 1_000_000n })).toBe(0n);
    expect(reserveOf(1_000_000, 1_000_000, { ...price, input: 1_000_000n, output: 2_000_000n })).toBe(3_000_000n);
  });

  test('nothing above was logged at error level', () => {
    expect(errorLogs).toEqual([]);
  });
});
