import { afterAll, beforeAll, beforeEach, expect, test } from 'bun:test';
import { exportPKCS8, exportSPKI, generateKeyPair, importSPKI, jwtVerify } from 'jose';
import vertex from '../../server/relay/providers/vertex/index.ts';
import { clearTokenCache, getAccessToken } from '../../server/relay/providers/vertex/token.ts';
import type { ChannelTarget } from '../../server/relay/providers/types.ts';
import { accumulate, fixtureJson, fixtureText, parseSse, replay } from './fixtures.ts';

let server: ReturnType<typeof Bun.serve>;
let tokenUri = '';
let publicPem = '';
let privatePem = '';
const assertions: string[] = [];
let issued = 0;
let expiresIn = 3599;

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  publicPem = await exportSPKI(publicKey);
  privatePem = await exportPKCS8(privateKey);
  server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      const form = new URLSearchParams(await req.text());
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return Response.json({ error: 'unsupported_grant_type' }, { status: 400 });
      if (form.get('assertion') === null) return Response.json({ error: 'invalid_request' }, { status: 400 });
      assertions.push(form.get('assertion') ?? '');
      issued += 1;
      return Response.json({ access_token: `ya29.token-${issued}`, expires_in: expiresIn, token_type: 'Bearer' });
    },
  });
  tokenUri = `http://127.0.0.1:${server.port}/token`;
});
afterAll(() => server.stop(true));
beforeEach(() => {
  clearTokenCache();
  assertions.length = 0;
  issued = 0;
  expiresIn = 3599;
});

const serviceAccount = (email = 'relay@proj-1.iam.gserviceaccount.com') => JSON.stringify({
  type: 'service_account', project_id: 'proj-1', private_key_id: 'kid-1', private_key: privatePem, client_email: email, token_uri: tokenUri,
});
const target = (over: Partial<ChannelTarget> = {}): ChannelTarget => ({ id: 1, type: 42, baseUrl: '', key: serviceAccount(), config: { region: 'us-east5' }, ...over });

test('token: RS256 assertion with the documented claims, exchanged once and cached', async () => {
  const h1 = await vertex.headers(target(), { model: 'gemini-2.5-flash', stream: false });
  const h2 = await vertex.headers(target(), { model: 'claude-sonnet-4-5@20250929', stream: true });
  expect(h1).toEqual({ authorization: 'Bearer ya29.token-1' });
  expect(h2).toEqual({ authorization: 'Bearer ya29.token-1' });
  expect(issued).toBe(1);
  const { payload, protectedHeader } = await jwtVerify(assertions[0]!, await importSPKI(publicPem, 'RS256'), { audience: tokenUri, issuer: 'relay@proj-1.iam.gserviceaccount.com' });
  expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'kid-1' });
  expect(payload.scope).toBe('https://www.googleapis.com/auth/cloud-platform');
  expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
});

test('token: concurrent first requests share one exchange; other accounts get their own', async () => {
  const sa = JSON.parse(serviceAccount());
  const tokens = await Promise.all([getAccessToken(sa), getAccessToken(sa), getAccessToken(sa)]);
  expect(new Set(tokens)).toEqual(new Set(['ya29.token-1']));
  expect(issued).toBe(1);
  await getAccessToken(JSON.parse(serviceAccount('other@proj-1.iam.gserviceaccount.com')));
  expect(issued).toBe(2);
});

test('token: refreshed when close to expiry', async () => {
  expiresIn = 60; // inside the 5 minute refresh margin
  const sa = JSON.parse(serviceAccount());
  expect(await getAccessToken(sa)).toBe('ya29.token-1');
  expect(await getAccessToken(sa)).toBe('ya29.token-2');
  expect(issued).toBe(2);
});

test('token: a failed exchange is an error, and a raw access token key is used as is', async () => {
  const bad = JSON.parse(serviceAccount());
  bad.token_uri = `http://127.0.0.1:${server.port}/token?x`;
  server.reload({ fetch: () => Response.json({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }, { status: 400 }) });
  try {
    await expect(getAccessToken(bad)).rejects.toThrow('Invalid JWT Signature.');
  } finally {
    server.reload({ fetch: async () => { issued += 1; return Response.json({ access_token: `ya29.token-${issued}`, expires_in: 3599 }); } });
  }
  expect(await vertex.headers(target({ key: 'ya29.raw-token' }), { model: 'x', stream: false })).toEqual({ authorization: 'Bearer ya29.raw-token' });
});

test('url: Gemini generateContent vs Claude rawPredict, regional and global hosts, project from key or config', () => {
  const ctx = (model: string, stream: boolean) => ({ model, stream });
  expect(vertex.url(target(), 'chat/completions', ctx('gemini-2.5-flash', false)))
    .toBe('https://us-east5-aiplatform.googleapis.com/v1/projects/proj-1/locations/us-east5/publishers/google/models/gemini-2.5-flash:generateContent');
  expect(vertex.url(target(), 'chat/completions', ctx('gemini-2.5-flash', true)))
    .toBe('https://us-east5-aiplatform.googleapis.com/v1/projects/proj-1/locations/us-east5/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  expect(vertex.url(target(), 'chat/completions', ctx('claude-sonnet-4-5@20250929', false)))
    .toBe('https://us-east5-aiplatform.googleapis.com/v1/projects/proj-1/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict');
  expect(vertex.url(target({ config: { region: 'global', project_id: 'proj-2' } }), 'chat/completions', ctx('claude-sonnet-4-5@20250929', true)))
    .toBe('https://aiplatform.googleapis.com/v1/projects/proj-2/locations/global/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict');
  expect(vertex.url(target({ baseUrl: 'http://127.0.0.1:9/v1', config: {} }), 'chat/completions', ctx('gemini-2.5-pro', false)))
    .toBe('http://127.0.0.1:9/v1/projects/proj-1/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent');
});

test('request body: Claude gets anthropic_version and no model; Gemini gets generateContent', () => {
  const claude = vertex.chat!.requestFromChat({ model: 'claude-sonnet-4-5@20250929', messages: [{ role: 'user', content: 'Hi' }], stream: true }, target()) as Record<string, unknown>;
  expect(claude).toEqual({ anthropic_version: 'vertex-2023-10-16', max_tokens: 8192, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream: true });
  const gem = vertex.chat!.requestFromChat({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }] }, target());
  expect(gem).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
});

test('responses and streams are read per model family', () => {
  const c = vertex.chat!.responseToChat(fixtureJson('anthropic', 'tool-use.json'), 'claude-sonnet-4-5@20250929');
  expect(c.response.choices[0]?.finish_reason).toBe('tool_calls');
  const g = vertex.chat!.responseToChat(fixtureJson('gemini', 'text.json'), 'gemini-2.5-flash');
  expect(g.usage?.cacheRead).toBe(1024);
  expect(accumulate(replay(vertex.chat!.streamToChat('claude-haiku-4-5@20251001'), parseSse(fixtureText('anthropic', 'tool-call.sse')))).tools[0]?.name).toBe('get_weather');
  expect(accumulate(replay(vertex.chat!.streamToChat('gemini-2.5-flash'), parseSse(fixtureText('gemini', 'text.sse')))).content).toBe('The quick brown fox jumps.');
});

test('a mapped model name does not confuse the reply format', () => {
  // The core passes the client-facing name; "house-model" could be either family.
  expect(vertex.chat!.responseToChat(fixtureJson('anthropic', 'text.json'), 'house-model').usage?.cacheWrite1h).toBe(500);
  expect(vertex.chat!.responseToChat(fixtureJson('gemini', 'text.json'), 'house-model').usage?.reasoning).toBe(112);
  expect(accumulate(replay(vertex.chat!.streamToChat('house-model'), parseSse(fixtureText('anthropic', 'text.sse')))).content).toBe('Hello!');
  expect(accumulate(replay(vertex.chat!.streamToChat('claude-x'), parseSse(fixtureText('gemini', 'text.sse')))).content).toBe('The quick brown fox jumps.');
});

test('errors: Google-style and Anthropic-style bodies', () => {
  const err = vertex.chat!.errorMessage!;
  expect(err(403, '{"error":{"code":403,"message":"Permission denied on resource project proj-1.","status":"PERMISSION_DENIED"}}')).toEqual({ message: 'Permission denied on resource project proj-1.', type: 'PERMISSION_DENIED', code: '403' });
  expect(err(400, fixtureText('anthropic', 'error.json')).type).toBe('invalid_request_error');
});
