// The chat relay end to end: official `openai` client → Switchboard → local OpenAI mock,
// on embedded PGlite and on real Postgres, with the log row and balance checked to the unit.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { DB_KINDS, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { expectedCost, seed, type Seeded } from '../helpers/seed.ts';
import { MOCK_COMPLETION_TOKENS, MOCK_TEXT, mockPromptTokens, type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';

describe.each(DB_KINDS)('chat relay on %s', (kind) => {
  let mock: MockOpenAI;
  let g: TestGateway;
  let s: Seeded;
  let client: OpenAI;

  beforeAll(async () => {
    mock = await startMockOpenAI();
    g = await startTestGateway(kind);
    s = await seed(g, mock.url);
    client = new OpenAI({ baseURL: `${g.url}/v1`, apiKey: s.key, maxRetries: 0 });
  });
  afterAll(async () => {
    await g.close();
    mock.stop();
  });

  const logFor = async (requestId: string) => {
    await g.flush();
    return g.gw.db.db.selectFrom('call_logs').selectAll().where('request_id', '=', requestId).executeTakeFirstOrThrow();
  };
  const balance = async () => (await g.gw.db.db.selectFrom('users').select('balance').where('id', '=', s.userId).executeTakeFirstOrThrow()).balance;

  test('non-streaming call: answer, log row and balance exact to the nano-USD', async () => {
    const before = await balance();
    const messages = [{ role: 'user' as const, content: 'Say hello.' }];
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse();
    expect(data.choices[0]!.message.content).toBe(MOCK_TEXT.join(''));
    const requestId = response.headers.get('x-request-id')!;
    expect(requestId).toMatch(/^req_/);
    expect(Number(response.headers.get('x-switchboard-overhead-ms'))).toBeGreaterThanOrEqual(0);

    const log = await logFor(requestId);
    const prompt = mockPromptTokens({ messages });
    const cost = expectedCost(prompt, MOCK_COMPLETION_TOKENS);
    expect(log).toMatchObject({
      status: 200, model: 'gpt-4o-mini', upstream_model: 'gpt-4o-mini', endpoint: 'chat/completions', stream: false,
      prompt_tokens: prompt, completion_tokens: MOCK_COMPLETION_TOKENS, cached_tokens: 0, user_id: s.userId, key_id: s.keyId,
      channel_id: s.channelId, estimated: false, error_message: null,
    });
    expect(log.cost).toBe(cost);
    expect(log.latency_ms).toBeGreaterThanOrEqual(0);
    expect(await balance()).toBe(before - cost);

    const ledger = await g.gw.db.db.selectFrom('ledger').selectAll().where('user_id', '=', s.userId).where('kind', '=', 'usage').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(ledger.amount).toBe(-cost);
    expect(ledger.balance_after).toBe(before - cost);
    const key = await g.gw.db.db.selectFrom('api_keys').select('used').where('id', '=', s.keyId).executeTakeFirstOrThrow();
    expect(key.used).toBeGreaterThanOrEqual(cost);
  });

  test('streaming call without include_usage: the client never sees the usage chunk, the call is still metered', async () => {
    const messages = [{ role: 'user' as const, content: 'Stream please.' }, { role: 'user' as const, content: 'Now.' }];
    const { data: stream, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }).withResponse();
    let text = '';
    let sawUsage = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) sawUsage = true;
    }
    expect(text).toBe(MOCK_TEXT.join(''));
    expect(sawUsage).toBe(false);
    // The gateway asked the upstream for usage on the client's behalf.
    expect(mock.requests.at(-1)!.body.stream_options).toEqual({ include_usage: true });
    const log = await logFor(response.headers.get('x-request-id')!);
    expect(log).toMatchObject({ stream: true, status: 200, prompt_tokens: mockPromptTokens({ messages }), completion_tokens: MOCK_COMPLETION_TOKENS, estimated: false });
    expect(log.cost).toBe(expectedCost(mockPromptTokens({ messages }), MOCK_COMPLETION_TOKENS));
    expect(log.ttft_ms).not.toBeNull();
  });

  test('streaming call with include_usage: the usage chunk reaches the client', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true },
    });
    const usages = [];
    for await (const chunk of stream) if (chunk.usage) usages.push(chunk.usage);
    expect(usages).toHaveLength(1);
    expect(usages[0]!.completion_tokens).toBe(MOCK_COMPLETION_TOKENS);
  });

  test('unknown fields pass through and the request bytes are forwarded untouched', async () => {
    const body = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"vendor_knob":{"a":[1,2,3]},"seed":7}';
    const res = await fetch(`${g.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' }, body });
    expect(res.status).toBe(200);
    const upstream = mock.requests.at(-1)!;
    expect(upstream.body).toEqual(JSON.parse(body));
    // The client's key never reaches the upstream; the channel's key does.
    expect(upstream.headers.authorization).toBe('Bearer sk-upstream-secret-1');
  });

  test('X-API-Key header and a key without the sk- prefix authenticate too', async () => {
    const variants: Array<Record<string, string>> = [{ 'x-api-key': s.key }, { authorization: `Bearer ${s.key.slice(3)}` }];
    for (const headers of variants) {
      const res = await fetch(`${g.url}/v1/models`, { headers });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: Array<{ id: string }> };
      expect(body.data.map((m) => m.id)).toContain('gpt-4o-mini');
    }
  });

  test('model mapping sends the upstream name and logs both names', async () => {
    const { id } = await g.admin.channels.create.mutate({
      name: 'mapped', type: 50, baseUrl: `${mock.url}/v1`, key: 'sk-upstream-mapped', models: ['house-model'], mapping: { 'house-model': 'gpt-4o-mini' },
    });
    await g.admin.prices.set.mutate({ model: 'house-model', inputUsdPerM: '1', outputUsdPerM: '2' });
    const { data, response } = await client.chat.completions.create({ model: 'house-model', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(data.choices[0]!.message.content).toBe(MOCK_TEXT.join(''));
    expect(mock.requests.at(-1)!.body.model).toBe('gpt-4o-mini');
    expect(mock.requests.at(-1)!.path).toBe('/v1/chat/completions');
    const log = await logFor(response.headers.get('x-request-id')!);
    expect(log).toMatchObject({ model: 'house-model', upstream_model: 'gpt-4o-mini', channel_id: id });
  });

  test('GET /v1/models lists what the key may reach, and /v1/models/{id}', async () => {
    const list = await client.models.list();
    const ids = list.data.map((m) => m.id);
    expect(ids).toContain('gpt-4o-mini');
    expect(ids).toContain('house-model');
    const one = await client.models.retrieve('gpt-4o-mini');
    expect(one.id).toBe('gpt-4o-mini');
    const missing = await client.models.retrieve('nope').then(() => null, (e: unknown) => e);
    expect(missing).toMatchObject({ status: 404, code: 'model_not_found' });
  });

  test('X-AI-Provider limits routing to that vendor', async () => {
    const ok = await fetch(`${g.url}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: `Bearer ${s.key}`, 'x-ai-provider': 'openai' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(ok.status).toBe(200);
    const none = await fetch(`${g.url}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: `Bearer ${s.key}`, 'x-ai-provider': '36' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(none.status).toBe(404);
  });

  test('healthz reports the database', async () => {
    const res = await fetch(`${g.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', database: kind });
  });
});
