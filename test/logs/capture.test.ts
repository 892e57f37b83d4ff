// Body capture: off by default, switched on per key or per model, capped in size, secrets
// redacted, and shown in the log detail.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { redactText } from '../../server/logs/redact.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { seed, type Seeded } from '../helpers/seed.ts';
import { MOCK_TEXT, type MockOpenAI, startMockOpenAI } from '../mocks/openai.ts';

describe('body capture', () => {
  let mock: MockOpenAI;
  let g: TestGateway;
  let s: Seeded;
  let client: OpenAI;

  beforeAll(async () => {
    mock = await startMockOpenAI();
    g = await startTestGateway('postgres');
    s = await seed(g, mock.url);
    client = new OpenAI({ baseURL: `${g.url}/v1`, apiKey: s.key, maxRetries: 0 });
  }, 60_000);
  afterAll(async () => {
    await g.close();
    mock.stop();
  });

  const detail = async (requestId: string) => {
    await g.flush();
    const { rows } = await g.admin.logs.list.query({ requestId });
    return g.admin.logs.get.query({ id: rows[0]!.id, createdAt: rows[0]!.created_at });
  };
  const secretBody = {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user' as const, content: 'my key is sk-proj-ABCdef1234567890 and my header was Bearer abc.def.ghi' }],
    api_key: 'plain-secret-value-1',
    metadata: { client_secret: 'plain-secret-value-2', Authorization: 'Basic dXNlcjpwYXNz' },
  };

  test('off by default: nothing is stored', async () => {
    const { response } = await client.chat.completions.create(secretBody).withResponse();
    const d = await detail(response.headers.get('x-request-id')!);
    expect(d.log.status).toBe(200);
    expect(d.bodies).toBeNull();
  });

  test('on for a key: request and response stored, redacted', async () => {
    await g.admin.logs.setSettings.mutate({ captureKeys: [s.keyId], captureMaxBytes: 4096 });
    const { response } = await client.chat.completions.create(secretBody).withResponse();
    const d = await detail(response.headers.get('x-request-id')!);
    const b = d.bodies!;
    expect(b.truncated).toBe(false);
    expect(b.request_bytes).toBeGreaterThan(100);
    expect(b.request).toContain('"model":"gpt-4o-mini"');
    for (const secret of ['sk-proj-ABCdef1234567890', 'abc.def.ghi', 'plain-secret-value-1', 'plain-secret-value-2', 'dXNlcjpwYXNz', s.key]) {
      expect(b.request).not.toContain(secret);
      expect(JSON.stringify(b.request_headers)).not.toContain(secret);
    }
    expect(b.request).toContain('"api_key":"[redacted]"');
    expect(b.request_headers.authorization).toBe('[redacted]');
    expect(b.request_headers['content-type']).toContain('application/json');
    expect(b.response).toContain(MOCK_TEXT.join(''));
    expect(b.response_bytes).toBeGreaterThan(0);
  });

  test('size cap: bodies are cut at captureMaxBytes and marked truncated', async () => {
    await g.admin.logs.setSettings.mutate({ captureMaxBytes: 512 });
    const long = 'x'.repeat(5000);
    const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: long }] }).withResponse();
    const b = (await detail(response.headers.get('x-request-id')!)).bodies!;
    expect(b.truncated).toBe(true);
    expect(b.request!.length).toBeLessThanOrEqual(512);
    expect(b.request_bytes).toBeGreaterThan(5000);
  });

  test('on for a model: streamed answers and upstream errors are captured too; off again stops it', async () => {
    await g.admin.logs.setSettings.mutate({ captureKeys: [], captureModels: ['gpt-4o-mini'], captureMaxBytes: 65_536 });
    const { data: stream, response } = await client.chat.completions.create({ ...secretBody, stream: true }).withResponse();
    for await (const _ of stream) { /* drain */ }
    const streamed = (await detail(response.headers.get('x-request-id')!)).bodies!;
    expect(streamed.response).toContain('data: ');
    expect(streamed.response).toContain(MOCK_TEXT[0]!);
    expect(streamed.request).not.toContain('sk-proj-ABCdef1234567890');

    mock.next({ kind: 'status', status: 400, body: { error: { message: 'bad things for key sk-proj-ZZZ999888777', type: 'invalid_request_error', code: null } } });
    const err = await client.chat.completions.create(secretBody).catch((e) => e);
    expect(err.status).toBe(400);
    const failed = await detail(err.headers.get('x-request-id'));
    expect(failed.log.status).toBe(400);
    expect(failed.bodies!.request).toContain('"model":"gpt-4o-mini"');
    expect(failed.bodies!.response).toContain('bad things for key');
    expect(failed.bodies!.response).not.toContain('sk-proj-ZZZ999888777');

    await g.admin.logs.setSettings.mutate({ captureModels: [] });
    const { response: r3 } = await client.chat.completions.create(secretBody).withResponse();
    expect((await detail(r3.headers.get('x-request-id')!)).bodies).toBeNull();
  });

  test('redaction rules', () => {
    expect(redactText('{"password": "p\\"w", "max_tokens": 5, "x-api-key":"k"}')).toBe('{"password": "[redacted]", "max_tokens": 5, "x-api-key":"[redacted]"}');
    expect(redactText('key sbp_abcdEFGH1234 and AKIAABCDEFGHIJKLMNOP')).toBe('key [redacted] and [redacted]');
    expect(redactText('Authorization: Bearer sk-abc')).toBe('Authorization: Bearer [redacted]');
  });
});
