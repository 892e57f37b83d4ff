// One API channels whose settings live in `config` / packed keys reach a strict vendor mock after
// import, with a well-formed URL and the vendor's documented auth: Vertex AI (service-account JWT
// → OAuth token), Cloudflare (account id in the path), Azure (api-version, api-key), AWS Bedrock
// (SigV4 with the region, Bedrock model ids), Tencent Hunyuan (TC3-HMAC-SHA256, verified here from
// Tencent's documented algorithm) and Baidu v1 (AK|SK → OAuth access_token).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createHash, createHmac, generateKeyPairSync } from 'node:crypto';
import { importJWK, jwtVerify, exportJWK } from 'jose';
import { importOneApi } from '../../server/importer/index.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { buildSqliteFixture, type FixtureDb } from './fixtures/build.ts';
import { channel, oneApiWorld, WORLD_TOKEN } from './oneapi-world.ts';

const TENCENT = { appId: '1300000001', secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE', secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE' };
const BAIDU = { ak: 'baiduApiKey0123456789abcd', sk: 'baiduSecretKey0123456789abcdef' };
const AWS = { ak: 'AKIAIOSFODNN7EXAMPLE', sk: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const AZURE_KEY = '0123456789abcdef0123456789abcdef';
const CF_TOKEN = 'cf-api-token-0123456789abcdefghij';
const COZE_TOKEN = 'pat_cozeToken0123456789abcdefghijklmnop';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

interface Seen { method: string; path: string; headers: Record<string, string>; body: string }
const seen: Seen[] = [];
const problems: string[] = [];
let vendor: ReturnType<typeof Bun.serve>;
let g: TestGateway;
let src: FixtureDb;

const json = (x: unknown) => Response.json(x);
const sha256hex = (s: string) => createHash('sha256').update(s).digest('hex');

/** Tencent Cloud API 3.0 signature check, from https://cloud.tencent.com/document/api/1729/101843. */
function verifyTc3(h: Record<string, string>, body: string): string | null {
  const m = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/hunyuan\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(h.authorization ?? '');
  if (!m) return `malformed Authorization: ${h.authorization}`;
  const [, id, date, signed, signature] = m;
  if (id !== TENCENT.secretId) return 'wrong SecretId';
  const ts = Number(h['x-tc-timestamp']);
  if (!Number.isInteger(ts) || Math.abs(Date.now() / 1000 - ts) > 300) return 'X-TC-Timestamp missing or stale';
  if (new Date(ts * 1000).toISOString().slice(0, 10) !== date) return 'credential date is not the timestamp\'s UTC date';
  const names = signed!.split(';');
  if (!names.includes('content-type') || !names.includes('host')) return 'content-type and host must be signed';
  const canonicalHeaders = names.map((n) => `${n}:${(h[n] ?? '').trim().toLowerCase()}\n`).join('');
  const canonical = ['POST', '/', '', canonicalHeaders, signed, sha256hex(body)].join('\n');
  const toSign = ['TC3-HMAC-SHA256', String(ts), `${date}/hunyuan/tc3_request`, sha256hex(canonical)].join('\n');
  const kDate = createHmac('sha256', `TC3${TENCENT.secretKey}`).update(date!).digest();
  const kService = createHmac('sha256', kDate).update('hunyuan').digest();
  const kSigning = createHmac('sha256', kService).update('tc3_request').digest();
  return createHmac('sha256', kSigning).update(toSign).digest('hex') === signature ? null : 'signature mismatch';
}

async function handle(req: Request): Promise<Response> {
  const url = new URL(req.url);
  const body = await req.text();
  const headers = Object.fromEntries(req.headers);
  seen.push({ method: req.method, path: url.pathname + url.search, headers, body });
  const fail = (why: string) => {
    problems.push(`${url.pathname}: ${why}`);
    return Response.json({ error: why }, { status: 400 });
  };
  // Vertex AI: the JWT-bearer grant at the service account's token_uri (RFC 7523).
  if (url.pathname === '/google/token') {
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return fail('grant_type');
    try {
      const key = await importJWK(await exportJWK(publicKey), 'RS256');
      const { payload } = await jwtVerify(form.get('assertion') ?? '', key, { issuer: 'sb@my-proj.iam.gserviceaccount.com', audience: `${url.origin}/google/token` });
      if (payload.scope !== 'https://www.googleapis.com/auth/cloud-platform') return fail('scope');
    } catch (e) {
      return fail(`assertion: ${(e as Error).message}`);
    }
    return json({ access_token: 'ya29.mock-access-token', expires_in: 3599, token_type: 'Bearer' });
  }
  if (url.pathname === '/v1/projects/my-proj/locations/us-central1/publishers/google/models/gemini-1.5-pro:generateContent') {
    if (headers.authorization !== 'Bearer ya29.mock-access-token') return fail(`vertex auth ${headers.authorization}`);
    return json({ candidates: [{ content: { role: 'model', parts: [{ text: 'vertex ok' }] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 7 } });
  }
  if (url.pathname === '/client/v4/accounts/cf-account-1/ai/v1/chat/completions') {
    if (headers.authorization !== `Bearer ${CF_TOKEN}`) return fail('cloudflare auth');
    return json({ id: 'c1', object: 'chat.completion', created: 1, model: 'x', choices: [{ index: 0, message: { role: 'assistant', content: 'cloudflare ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } });
  }
  if (url.pathname === '/openai/deployments/gpt-4o/chat/completions') {
    if (url.searchParams.get('api-version') !== '2024-02-15-preview') return fail(`api-version ${url.search}`);
    if (headers['api-key'] !== AZURE_KEY || headers.authorization) return fail('azure auth');
    return json({ id: 'a1', object: 'chat.completion', created: 1, model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'azure ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } });
  }
  if (url.pathname === `/model/${encodeURIComponent('anthropic.claude-3-5-sonnet-20240620-v1:0')}/converse`) {
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/us-west-2\/bedrock\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$/.exec(headers.authorization ?? '');
    if (!m || m[1] !== AWS.ak) return fail(`sigv4 ${headers.authorization}`);
    if (!m[3]!.split(';').includes('host') || !headers['x-amz-date']?.startsWith(m[2]!)) return fail('sigv4 headers');
    return json({ output: { message: { role: 'assistant', content: [{ text: 'bedrock ok' }] } }, stopReason: 'end_turn', usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 }, metrics: { latencyMs: 1 } });
  }
  if (url.pathname === '/' && headers['x-tc-action'] === 'ChatCompletions') {
    if (headers['x-tc-version'] !== '2023-09-01') return fail('X-TC-Version');
    const why = verifyTc3(headers, body);
    // Tencent answers auth failures with HTTP 200 and Response.Error.
    if (why) return json({ Response: { Error: { Code: 'AuthFailure.SignatureFailure', Message: why }, RequestId: 'r1' } });
    const b = JSON.parse(body);
    if (b.Model !== 'hunyuan-lite' || !Array.isArray(b.Messages) || b.Messages[0]?.Role !== 'user') return fail('hunyuan body');
    if (b.Stream) {
      const ev = (x: unknown) => `data: ${JSON.stringify(x)}\n\n`;
      return new Response(ev({ Id: 'h1', Created: 1, Choices: [{ Delta: { Role: 'assistant', Content: 'hunyuan ' }, FinishReason: '' }], Usage: { PromptTokens: 5, CompletionTokens: 1, TotalTokens: 6 } })
        + ev({ Id: 'h1', Created: 1, Choices: [{ Delta: { Role: 'assistant', Content: 'stream' }, FinishReason: 'stop' }], Usage: { PromptTokens: 5, CompletionTokens: 2, TotalTokens: 7 } }), { headers: { 'content-type': 'text/event-stream' } });
    }
    return json({ Response: { Id: 'h1', Created: 1, Choices: [{ Message: { Role: 'assistant', Content: 'hunyuan ok' }, FinishReason: 'stop' }], Usage: { PromptTokens: 5, CompletionTokens: 2, TotalTokens: 7 }, RequestId: 'r1' } });
  }
  if (url.pathname === '/oauth/2.0/token') {
    if (req.method !== 'POST' || url.searchParams.get('grant_type') !== 'client_credentials' || url.searchParams.get('client_id') !== BAIDU.ak || url.searchParams.get('client_secret') !== BAIDU.sk) return json({ error: 'invalid_client', error_description: 'unknown client id' });
    return json({ access_token: '24.mock-baidu-token', expires_in: 2592000, scope: 'public' });
  }
  if (url.pathname === '/rpc/2.0/ai_custom/v1/wenxinworkshop/chat/completions_pro') {
    if (url.searchParams.get('access_token') !== '24.mock-baidu-token') return json({ error_code: 110, error_msg: 'Access token invalid or no longer valid' });
    const b = JSON.parse(body);
    if (!Array.isArray(b.messages) || b.messages[0]?.role !== 'user') return fail('wenxin body');
    return json({ id: 'as-1', object: 'chat.completion', created: 1, result: 'ernie ok', is_truncated: false, need_clear_history: false, usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } });
  }
  if (url.pathname === '/open_api/v2/chat') {
    if (headers.authorization !== `Bearer ${COZE_TOKEN}`) return fail('coze auth');
    const b = JSON.parse(body);
    if (b.bot_id !== '7350000000000000001' || b.user !== 'oneapi-user-9' || b.query !== 'hi' || typeof b.stream !== 'boolean') return fail(`coze body ${body}`);
    const msg = (content: string, type = 'answer') => ({ role: 'assistant', type, content, content_type: 'text' });
    if (b.stream) {
      const ev = (x: unknown) => `data:${JSON.stringify(x)}\n\n`;
      return new Response(ev({ event: 'message', message: msg('coze '), is_finish: false, index: 0, conversation_id: 'cv1' })
        + ev({ event: 'message', message: msg('stream'), is_finish: true, index: 0, conversation_id: 'cv1' })
        + ev({ event: 'message', message: msg('{"k":1}', 'follow_up'), is_finish: true, index: 1, conversation_id: 'cv1' })
        + ev({ event: 'done' }), { headers: { 'content-type': 'text/event-stream' } });
    }
    return json({ messages: [msg('coze ok'), msg('what next?', 'follow_up')], conversation_id: 'cv1', code: 0, msg: 'success' });
  }
  return fail(`unexpected ${req.method} ${url.pathname}${url.search}`);
}

beforeAll(async () => {
  vendor = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: handle });
  const base = `http://127.0.0.1:${vendor.port}`;
  const adc = JSON.stringify({ type: 'service_account', project_id: 'my-proj', private_key_id: 'k1', private_key: pem, client_email: 'sb@my-proj.iam.gserviceaccount.com', token_uri: `${base}/google/token` });
  const channels = [
    // One API's console packs Vertex settings as `region|project|adc` in key, and in config.
    channel({ id: 1, type: 42, name: 'vertex', base_url: base, models: 'gemini-1.5-pro', key: `us-central1|my-proj|${adc}`, config: JSON.stringify({ region: 'us-central1', vertex_ai_project_id: 'my-proj', vertex_ai_adc: adc }) }),
    channel({ id: 2, type: 37, name: 'cloudflare', base_url: base, models: '@cf/meta/llama-3.1-8b-instruct', key: CF_TOKEN, config: JSON.stringify({ user_id: 'cf-account-1' }) }),
    channel({ id: 3, type: 3, name: 'azure', base_url: base, models: 'gpt-4o', key: AZURE_KEY, other: '2024-02-15-preview' }),
    // AWS credentials only in config (older One API versions left key empty).
    channel({ id: 4, type: 33, name: 'aws', base_url: base, models: 'claude-3-5-sonnet-20240620', key: '', config: JSON.stringify({ region: 'us-west-2', ak: AWS.ak, sk: AWS.sk }) }),
    channel({ id: 5, type: 23, name: 'tencent', base_url: base, models: 'hunyuan-lite', key: `${TENCENT.appId}|${TENCENT.secretId}|${TENCENT.secretKey}` }),
    channel({ id: 6, type: 15, name: 'baidu', base_url: base, models: 'ERNIE-4.0-8K', key: `${BAIDU.ak}|${BAIDU.sk}` }),
    // Coze: the model names the bot; config.user_id is the user the bot sees.
    channel({ id: 7, type: 34, name: 'coze', base_url: base, models: 'bot-7350000000000000001', key: COZE_TOKEN, config: JSON.stringify({ user_id: 'oneapi-user-9' }) }),
  ];
  src = await buildSqliteFixture(oneApiWorld(base, { channels }));
  g = await startTestGateway('pglite');
  const report = await importOneApi(g.gw.db.db, g.gw.box, { dsn: src.dsn });
  for (const s of [TENCENT.secretKey, BAIDU.sk, AWS.sk, pem.slice(40, 100)]) expect(JSON.stringify(report)).not.toContain(s);
  await g.gw.invalidate();
}, 60_000);
afterAll(async () => {
  await g?.close();
  vendor?.stop(true);
  await src?.drop();
});

const chat = (model: string, stream = false) =>
  fetch(`${g.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer sk-${WORLD_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] }),
  });

describe('imported One API channels reach their vendor', () => {
  test.each([
    ['Vertex AI', 'gemini-1.5-pro', 'vertex ok'],
    ['Cloudflare', '@cf/meta/llama-3.1-8b-instruct', 'cloudflare ok'],
    ['Azure', 'gpt-4o', 'azure ok'],
    ['AWS Bedrock', 'claude-3-5-sonnet-20240620', 'bedrock ok'],
    ['Tencent (TC3)', 'hunyuan-lite', 'hunyuan ok'],
    ['Baidu v1 (AK|SK)', 'ERNIE-4.0-8K', 'ernie ok'],
    ['Coze', 'bot-7350000000000000001', 'coze ok'],
  ])('%s', async (_name, model, text) => {
    const res = await chat(model);
    const body = await res.json();
    expect(problems).toEqual([]);
    expect(res.status).toBe(200);
    expect(body.choices[0].message.content).toBe(text);
    // Coze's v2 API reports no usage: the gateway estimates it (and bills the estimate).
    if (!model.startsWith('bot-')) expect(body.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 2 });
  });

  test('Coze streams only the answer text', async () => {
    const res = await chat('bot-7350000000000000001', true);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(problems).toEqual([]);
    expect(text).toContain('"content":"coze "');
    expect(text).toContain('"content":"stream"');
    expect(text).not.toContain('\\"k\\"');
    expect(text).toContain('data: [DONE]');
    await g.flush();
    const log = await g.gw.db.db.selectFrom('call_logs').select(['status', 'estimated', 'cost']).where('model', '=', 'bot-7350000000000000001').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    expect(log.status).toBe(200);
    expect(log.estimated).toBe(true);
    expect(log.cost).toBeGreaterThan(0n);
  });

  test('Tencent streams through TC3 too, and a bad signature is a clean 502', async () => {
    const res = await chat('hunyuan-lite', true);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('"content":"hunyuan "');
    expect(text).toContain('"content":"stream"');
    expect(text).toContain('data: [DONE]');
    expect(problems).toEqual([]);
    // Another secret key for the same channel: the mock's check fails and says so in Tencent's shape.
    const ch = await g.gw.db.db.selectFrom('channels').select('id').where('oneapi_id', '=', 5).executeTakeFirstOrThrow();
    await g.gw.db.db.updateTable('channel_keys').set({ key_enc: g.gw.box.seal(`${TENCENT.appId}|${TENCENT.secretId}|wrong-secret`) }).where('channel_id', '=', ch.id).execute();
    await g.gw.invalidate();
    const bad = await chat('hunyuan-lite');
    expect(bad.status).toBe(502);
    const err = await bad.json();
    expect(err.error.message).toContain('AuthFailure.SignatureFailure');
    expect(JSON.stringify(err)).not.toContain('wrong-secret');
  });

  test('Baidu exchanges AK|SK once and reuses the access token', () => {
    expect(seen.filter((s) => s.path.startsWith('/oauth/2.0/token')).length).toBe(1);
  });
});
