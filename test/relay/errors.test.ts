// Every error the relay returns is OpenAI-shaped, carries x-request-id, is logged, and
// never crashes or hangs the gateway.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { DB_KINDS, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { seed, type Seeded } from '../helpers/seed.ts';
import { type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';

describe.each(DB_KINDS)('relay errors on %s', (kind) => {
  let mock: MockOpenAI;
  let g: TestGateway;
  let s: Seeded;

  beforeAll(async () => {
    mock = await startMockOpenAI();
    g = await startTestGateway(kind, { MAX_BODY_BYTES: '65536', UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '400' });
    s = await seed(g, mock.url, { models: ['gpt-4o-mini', 'gpt-4o'] });
  });
  afterAll(async () => {
    await g.close();
    mock.stop();
  });

  const chat = (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${s.key}` }) =>
    fetch(`${g.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : body instanceof Uint8Array ? (body as Uint8Array<ArrayBuffer>) : JSON.stringify(body),
    });
  const ok = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

  async function expectError(res: Response, status: number, type: string, code?: string, message?: RegExp) {
    expect(res.status).toBe(status);
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = (await res.json()) as { error: { message: string; type: string; code: string | null } };
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.type).toBe(type);
    expect(typeof body.error.message).toBe('string');
    expect(body.error.message.length).toBeGreaterThan(5);
    if (code) expect(body.error.code).toBe(code);
    if (message) expect(body.error.message).toMatch(message);
    return res.headers.get('x-request-id')!;
  }

  const logOf = async (requestId: string) => {
    await g.flush();
    return g.gw.db.db.selectFrom('call_logs').selectAll().where('request_id', '=', requestId).executeTakeFirstOrThrow();
  };

  test('400: malformed JSON, non-object, invalid UTF-8, missing or wrong fields', async () => {
    await expectError(await chat('{"model": "gpt-4o-mini", "messages": ['), 400, 'invalid_request_error', 'invalid_json', /not valid JSON/);
    await expectError(await chat('[1,2]'), 400, 'invalid_request_error', 'invalid_json', /JSON object/);
    await expectError(await chat(''), 400, 'invalid_request_error', 'invalid_json', /empty/);
    await expectError(await chat(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])), 400, 'invalid_request_error', 'invalid_json', /UTF-8/);
    await expectError(await chat({ messages: [{ role: 'user', content: 'x' }] }), 400, 'invalid_request_error', 'invalid_request', /model/);
    await expectError(await chat({ model: 'gpt-4o-mini', messages: [] }), 400, 'invalid_request_error', 'invalid_request', /at least one message/);
    await expectError(await chat({ model: 'gpt-4o-mini', messages: [{ role: 'robot', content: 'x' }] }), 400, 'invalid_request_error', 'invalid_request', /role/);
    await expectError(await chat({ ...ok, max_tokens: -5 }), 400, 'invalid_request_error', 'invalid_request', /max_tokens/);
    await expectError(await chat({ ...ok, stream: 'yes' }), 400, 'invalid_request_error', 'invalid_request', /stream/);
  });

  test('401: missing, unknown and disabled keys', async () => {
    await expectError(await chat(ok, {}), 401, 'authentication_error', 'missing_api_key');
    await expectError(await chat(ok, { authorization: 'Bearer sk-not-a-real-key' }), 401, 'authentication_error', 'invalid_api_key');
    const { id, key } = await g.admin.keys.create.mutate({ name: 'to-disable', user: s.userId });
    expect((await chat(ok, { authorization: `Bearer ${key}` })).status).toBe(200);
    await g.admin.keys.setStatus.mutate({ id, status: 2 });
    await expectError(await chat(ok, { authorization: `Bearer ${key}` }), 401, 'authentication_error', 'key_disabled');
    const expired = await g.admin.keys.create.mutate({ name: 'expired', user: s.userId, expiresAt: new Date(Date.now() - 1000).toISOString() });
    await expectError(await chat(ok, { authorization: `Bearer ${expired.key}` }), 401, 'authentication_error', 'key_expired');
  });

  test('403: insufficient balance, exhausted key budget and a model the key may not use', async () => {
    await g.admin.users.create.mutate({ username: `broke-${kind}`, balanceUsd: '0.000001' });
    const broke = await g.admin.keys.create.mutate({ name: 'broke', user: `broke-${kind}` });
    const id = await expectError(await chat(ok, { authorization: `Bearer ${broke.key}` }), 403, 'insufficient_quota', 'insufficient_quota');
    expect((await logOf(id)).cost).toBe(0n);
    expect(mock.requests.some((r) => r.headers['x-test'] === id)).toBe(false);

    const capped = await g.admin.keys.create.mutate({ name: 'capped', user: s.userId, budgetUsd: '0.0000001' });
    await expectError(await chat(ok, { authorization: `Bearer ${capped.key}` }), 403, 'insufficient_quota', 'insufficient_quota', /budget/);

    const narrow = await g.admin.keys.create.mutate({ name: 'narrow', user: s.userId, models: ['gpt-4o'] });
    await expectError(await chat(ok, { authorization: `Bearer ${narrow.key}` }), 403, 'permission_error', 'model_not_allowed');
    expect((await chat({ ...ok, model: 'gpt-4o' }, { authorization: `Bearer ${narrow.key}` })).status).toBe(200);
  });

  test('404: no channel serves the model', async () => {
    const id = await expectError(await chat({ ...ok, model: 'no-such-model' }), 404, 'not_found_error', 'model_not_found');
    expect((await logOf(id)).status).toBe(404);
  });

  test('413: body over the size cap, by Content-Length and by streaming', async () => {
    const big = JSON.stringify({ ...ok, messages: [{ role: 'user', content: 'x'.repeat(70_000) }] });
    await expectError(await chat(big), 413, 'invalid_request_error', 'request_too_large');
    // Chunked upload without Content-Length is cut off at the cap as well.
    const body = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(big)); c.close(); } });
    const res = await fetch(`${g.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${s.key}` }, body });
    await expectError(res, 413, 'invalid_request_error', 'request_too_large');
  });

  test('502: upstream 500 keeps the upstream message; connection refused', async () => {
    mock.next({ kind: 'status', status: 500, body: { error: { message: 'the model melted', type: 'server_error' } } });
    const id = await expectError(await chat(ok), 502, 'upstream_error', undefined, /the model melted/);
    const log = await logOf(id);
    expect(log.status).toBe(502);
    expect(log.error_message).toContain('the model melted');
    expect(log.attempts).toEqual([expect.objectContaining({ channel_id: s.channelId, status: 500 })]);
    expect(log.cost).toBe(0n);

    const { id: dead } = await g.admin.channels.create.mutate({ name: 'dead', type: 50, baseUrl: 'http://127.0.0.1:1', key: 'k', models: ['dead-model'] });
    await g.admin.prices.set.mutate({ model: 'dead-model', inputUsdPerM: '1', outputUsdPerM: '1' });
    const rid = await expectError(await chat({ ...ok, model: 'dead-model' }), 502, 'upstream_error', 'upstream_unreachable');
    expect((await logOf(rid)).channel_id).toBe(dead);
  });

  test('503 and 429 from upstream are passed on with their message', async () => {
    mock.next({ kind: 'status', status: 503, body: { error: { message: 'overloaded right now' } } });
    await expectError(await chat(ok), 503, 'upstream_error', 'upstream_unavailable', /overloaded right now/);
    mock.next({ kind: 'status', status: 429, body: { error: { message: 'slow down' } } });
    await expectError(await chat(ok), 429, 'rate_limit_error', undefined, /slow down/);
  });

  test('502 when the upstream answers 200 with something that is not JSON', async () => {
    mock.next({ kind: 'not-json' });
    await expectError(await chat(ok), 502, 'upstream_error', 'upstream_bad_response');
  });

  test('504: upstream slower than the first-byte timeout', async () => {
    mock.next({ kind: 'delay', ms: 1500 });
    const t = performance.now();
    const id = await expectError(await chat(ok), 504, 'timeout_error', 'upstream_timeout');
    expect(performance.now() - t).toBeLessThan(1400);
    expect((await logOf(id)).status).toBe(504);
  });

  test('NUL and lone surrogates in logged strings never poison the log batch', async () => {
    const id = await expectError(await chat({ ...ok, model: 'bad\u0000model\ud800' }), 404, 'not_found_error', 'model_not_found');
    const log = await logOf(id);
    expect(log.model).toBe('badmodel\ufffd');
    // And the writer keeps committing afterwards.
    expect((await chat(ok)).status).toBe(200);
    await g.flush();
    expect(g.gw.writer.backlog).toBe(0);
  });

  test('the gateway keeps serving after all of the above', async () => {
    const res = await chat(ok);
    expect(res.status).toBe(200);
    const unknownRoute = await fetch(`${g.url}/v1/nope`);
    expect(unknownRoute.status).toBe(404);
    expect(((await unknownRoute.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });
});
