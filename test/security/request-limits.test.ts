// Issue 20 rows 10 and 11: deep JSON nesting and malformed path escapes are fast 400s in the
// protocol's shape; a client dropping mid-body is not a 500; a slow body is cut at
// REQUEST_BODY_TIMEOUT_MS; MAX_CONCURRENT_PER_KEY caps one key's requests in flight.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { connect } from 'node:net';
import { MAX_JSON_DEPTH } from '../../server/limits/json-depth.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { seed, type Seeded } from '../helpers/seed.ts';
import { type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';

describe('request limits', () => {
  let mock: MockOpenAI;
  let g: TestGateway;
  let s: Seeded;
  const errors: string[] = [];

  beforeAll(async () => {
    mock = await startMockOpenAI();
    g = await startTestGateway('postgres', { MAX_CONCURRENT_PER_KEY: '2', REQUEST_BODY_TIMEOUT_MS: '500' });
    s = await seed(g, mock.url);
    const original = g.gw.log.error.bind(g.gw.log);
    g.gw.log.error = (msg, fields) => { errors.push(msg); original(msg, fields); };
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    mock?.stop();
  });

  const deepTools = (levels: number) => {
    const deep = '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
    return `{"model":"gpt-4o-mini","max_tokens":16,"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${deep}}}]}`;
  };
  const post = (path: string, body: string, headers: Record<string, string> = {}) => fetch(`${g.url}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${s.key}`, ...headers }, body,
  });

  test('100,000-deep nesting: a fast 400 in each protocol\'s shape', async () => {
    const t0 = performance.now();
    const chat = await post('/v1/chat/completions', deepTools(100_000));
    const ms = performance.now() - t0;
    console.log(`[limits] 100,000-deep tools parameters: ${chat.status} in ${ms.toFixed(0)} ms`);
    expect(chat.status).toBe(400);
    expect(((await chat.json()) as { error: { code: string } }).error.code).toBe('nesting_too_deep');
    expect(ms).toBeLessThan(1000);
    const messages = await post('/v1/messages', deepTools(100_000), { 'x-api-key': s.key, 'anthropic-version': '2023-06-01' });
    expect(messages.status).toBe(400);
    // https://docs.anthropic.com/en/api/errors
    expect(await messages.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    // Within the bound it is served.
    expect((await post('/v1/chat/completions', deepTools(MAX_JSON_DEPTH - 10))).status).toBe(200);
  });

  test('a malformed percent-escape in the path is a 400, not a 500', async () => {
    const gem = await fetch(`${g.url}/v1beta/models/%ZZ:generateContent`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': s.key },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    expect(gem.status).toBe(400);
    // https://ai.google.dev/api/rest/v1beta/Status-like error: { error: { code, message, status } }
    expect(await gem.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
  });

  test('a client dropping mid-body is logged as 499, never as a 500', async () => {
    const { port } = new URL(g.url);
    await new Promise<void>((resolve) => {
      const sock = connect(Number(port), '127.0.0.1', () => {
        sock.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.key}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"model":"gpt-4o-mini","messages":[`);
        setTimeout(() => { sock.destroy(); resolve(); }, 100);
      });
    });
    await Bun.sleep(300);
    await g.flush();
    const rows = await g.gw.db.db.selectFrom('call_logs').select(['status', 'error_type']).where('status', '>=', 499).execute();
    console.log(`[limits] client dropped mid-body: logged ${JSON.stringify(rows)}`);
    expect(rows.some((r) => r.status === 499 && r.error_type === 'client_closed')).toBe(true);
    expect(rows.some((r) => r.status === 500)).toBe(false);
    expect(errors.filter((m) => /relay handler failed|unhandled/.test(m))).toEqual([]);
  });

  test('a body that trickles in is cut at REQUEST_BODY_TIMEOUT_MS with a 408', async () => {
    const { port } = new URL(g.url);
    const t0 = performance.now();
    const answer = await new Promise<string>((resolve) => {
      let out = '';
      const sock = connect(Number(port), '127.0.0.1', () => {
        sock.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.key}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"model":`);
      });
      sock.on('data', (d) => { out += d.toString(); if (out.includes('\r\n\r\n') && out.includes('}}')) { sock.destroy(); resolve(out); } });
      sock.on('close', () => resolve(out));
      setTimeout(() => { sock.destroy(); resolve(out); }, 5000);
    });
    const ms = performance.now() - t0;
    console.log(`[limits] trickling body answered after ${ms.toFixed(0)} ms: ${answer.split('\r\n')[0]}`);
    expect(answer).toStartWith('HTTP/1.1 408');
    expect(answer).toContain('request_body_timeout');
    expect(ms).toBeLessThan(3000);
  });

  test('MAX_CONCURRENT_PER_KEY=2: the third concurrent request of a key is a 429; slots come back', async () => {
    mock.always({ kind: 'delay', ms: 400 });
    try {
      const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      const results = await Promise.all(Array.from({ length: 5 }, () => post('/v1/chat/completions', body)));
      const codes = await Promise.all(results.map(async (r) => (r.status === 200 ? 200 : `${r.status} ${((await r.json()) as { error: { code: string } }).error.code}`)));
      console.log(`[limits] 5 concurrent calls, cap 2: ${JSON.stringify(codes)}`);
      expect(codes.filter((c) => c === 200).length).toBe(2);
      expect(codes.filter((c) => c === '429 too_many_concurrent_requests').length).toBe(3);
      expect(g.gw.keyConcurrency.current(s.keyId)).toBe(0);
      expect((await post('/v1/chat/completions', body)).status).toBe(200);
      // A stream holds its slot until it ends, and gives it back.
      const stream = await post('/v1/chat/completions', JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }));
      await stream.text();
      expect(g.gw.keyConcurrency.current(s.keyId)).toBe(0);
    } finally {
      mock.always(null);
    }
  });
});
