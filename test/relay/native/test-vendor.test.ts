// A native vendor that serves chat and embeddings and passes its own protocol through needs
// only its provider folder and one registry line: the test vendor in
// test/fixtures/vendors/acme/ (Gemini's API under its own host) is registered with one call
// and then serves /v1/chat/completions, /v1/embeddings and Gemini's generateContent
// through the gateway, with no change to the core. Its upstream mock speaks the Gemini API
// (https://ai.google.dev/api/generate-content, https://ai.google.dev/api/embeddings).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { registerProvider } from '../../../server/relay/providers/registry.ts';
import acme, { ACME_TYPE } from '../../fixtures/vendors/acme/index.ts';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.ts';

interface Seen { path: string; key: string | null; body: string }

function startGeminiApi() {
  const seen: Seen[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const url = new URL(req.url);
      const body = await req.text();
      seen.push({ path: url.pathname, key: req.headers.get('x-goog-api-key'), body });
      if (url.pathname.endsWith(':batchEmbedContents')) {
        const { requests } = JSON.parse(body) as { requests: unknown[] };
        return Response.json({ embeddings: requests.map((_, i) => ({ values: [i, 0.5, -0.25] })) });
      }
      if (url.pathname.endsWith(':generateContent')) {
        return Response.json({
          candidates: [{ content: { role: 'model', parts: [{ text: 'Hello from Acme' }] }, finishReason: 'STOP', index: 0 }],
          usageMetadata: { promptTokenCount: 7, candidatesTokenCount: 4, totalTokenCount: 11 },
          modelVersion: 'acme-1',
        });
      }
      return Response.json({ error: { code: 404, message: 'not found', status: 'NOT_FOUND' } }, { status: 404 });
    },
  });
  return { server, seen, url: `http://127.0.0.1:${server.port}` };
}

describe('a native test vendor registered with one line', () => {
  let upstream: ReturnType<typeof startGeminiApi>;
  let unregister: () => void;
  let g: TestGateway;
  let key: string;

  beforeAll(async () => {
    unregister = registerProvider(acme); // the one registry line
    upstream = startGeminiApi();
    g = await startTestGateway('pglite');
    await g.admin.users.create.mutate({ username: 'acme-user', balanceUsd: '10' });
    await g.admin.channels.create.mutate({ name: 'acme', type: ACME_TYPE, baseUrl: upstream.url, key: 'acme-upstream-key', models: ['acme-1', 'acme-embed-1'] });
    for (const model of ['acme-1', 'acme-embed-1']) await g.admin.prices.set.mutate({ model, inputUsdPerM: '1', outputUsdPerM: '2' });
    key = (await g.admin.keys.create.mutate({ name: 'k', user: 'acme-user' })).key;
  });
  afterAll(async () => {
    await g.close();
    upstream.server.stop(true);
    unregister();
  });

  const post = (path: string, body: unknown) =>
    fetch(`${g.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const logOf = async (res: Response) => {
    await g.flush();
    return g.gw.db.db.selectFrom('call_logs').selectAll().where('request_id', '=', res.headers.get('x-request-id')!).executeTakeFirstOrThrow();
  };

  test('chat: converted to generateContent and back, metered from usageMetadata', async () => {
    const res = await post('/v1/chat/completions', { model: 'acme-1', messages: [{ role: 'user', content: 'Hi' }] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]!.message.content).toBe('Hello from Acme');
    const call = upstream.seen.at(-1)!;
    expect(call.path).toBe('/v1beta/models/acme-1:generateContent');
    expect(call.key).toBe('acme-upstream-key');
    expect(JSON.parse(call.body).contents).toEqual([{ role: 'user', parts: [{ text: 'Hi' }] }]);
    expect(await logOf(res)).toMatchObject({ status: 200, prompt_tokens: 7, completion_tokens: 4, estimated: false });
  });

  test('embeddings: served by the operation the provider declares, answered in OpenAI\'s shape', async () => {
    const res = await post('/v1/embeddings', { model: 'acme-embed-1', input: ['one', 'two'] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      object: 'list', model: 'acme-embed-1',
      data: [{ object: 'embedding', index: 0, embedding: [0, 0.5, -0.25] }, { object: 'embedding', index: 1, embedding: [1, 0.5, -0.25] }],
    });
    const call = upstream.seen.at(-1)!;
    expect(call.path).toBe('/v1beta/models/acme-embed-1:batchEmbedContents');
    expect(JSON.parse(call.body)).toEqual({ requests: [
      { model: 'models/acme-embed-1', content: { parts: [{ text: 'one' }] } },
      { model: 'models/acme-embed-1', content: { parts: [{ text: 'two' }] } },
    ] });
    // No usage in Gemini's embedding answer: the input is counted locally.
    const log = await logOf(res);
    expect(log).toMatchObject({ status: 200, endpoint: 'embeddings', estimated: true });
    expect(log.prompt_tokens).toBeGreaterThan(0);
  });

  test('its own protocol passes through: a Gemini request reaches it byte for byte', async () => {
    const sent = '{"contents":[{"role":"user","parts":[{"text":"Hi"}]}],"generationConfig":{"temperature":0.3}}';
    const res = await fetch(`${g.url}/v1beta/models/acme-1:generateContent`, { method: 'POST', headers: { 'x-goog-api-key': key, 'content-type': 'application/json' }, body: sent });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { modelVersion: string }).modelVersion).toBe('acme-1');
    expect(upstream.seen.at(-1)).toEqual({ path: '/v1beta/models/acme-1:generateContent', key: 'acme-upstream-key', body: sent });
    expect(await logOf(res)).toMatchObject({ status: 200, endpoint: 'generateContent', prompt_tokens: 7, completion_tokens: 4 });
  });
});
