// FastGPT pointed at Switchboard (AIPROXY_API_ENDPOINT = the gateway, AIPROXY_API_TOKEN =
// ADMIN_KEY): its model-provider pages' exact requests, replayed through its proxy, with
// every answer validated by FastGPT's own zod schemas; a channel made this way relays real
// calls (OpenAI SDK with the admin key, as FastGPT's model test sends them) that show up in
// logs/search and dashboardv2, and is tested, re-prioritised, disabled, re-enabled and
// deleted exactly like a channel made in the console.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { ADMIN_KEY, DB_KINDS, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { mulberry32 } from '../helpers/prng.ts';
import { type MockOpenAI, mockPromptTokens, MOCK_COMPLETION_TOKENS, startMockOpenAI } from '../mocks/openai.ts';
import { startMockEndpoints } from '../mocks/openai-endpoints.ts';
import { fastgptServerCall, viaFastGPTProxy } from './fastgpt-client.ts';
import {
  AIProxyChannelSchema, AIProxyMutationResponseSchema, CreateAdminAIProxyChannelBodySchema, CreateAdminAIProxyChannelResponseSchema,
  DashboardDataItemSchema, GetAIProxyChannelListResponseSchema, GetAIProxyChannelTypesResponseSchema, GetAIProxyDashboardEnvelopeSchema,
  GetAIProxyDashboardQuerySchema, GetAIProxyLogDetailResponseSchema, NamedChannelsSchema, SearchAIProxyLogsQuerySchema,
  SearchAIProxyLogsResponseSchema, UpdateAIProxyChannelBodySchema, UpdateAIProxyChannelStatusBodySchema,
} from './fastgpt-schemas.ts';

const TOKEN = ADMIN_KEY;
const MODEL = 'fastgpt-chat-model';

/** FastGPT's createChannel.ts: refuse a duplicate name, POST /api/channel/, resolve the id by name when `data` is empty. */
async function fastgptCreateChannel(endpoint: string, body: unknown) {
  const parsed = CreateAdminAIProxyChannelBodySchema.parse(body);
  const named = async () => NamedChannelsSchema.parse((await fastgptServerCall(endpoint, TOKEN, 'GET', '/api/channels/all')).json).data
    .filter((c) => c.name.trim() === parsed.name);
  if ((await named()).length > 0) throw new Error('channel_name_duplicate');
  const { json } = await fastgptServerCall(endpoint, TOKEN, 'POST', '/api/channel/', parsed);
  if (json?.success === true && json.data == null) {
    const found = await named();
    if (found.length !== 1 || found[0]!.type !== parsed.type) throw new Error('unresolved');
    return CreateAdminAIProxyChannelResponseSchema.parse({ success: true, data: { id: found[0]!.id } });
  }
  return CreateAdminAIProxyChannelResponseSchema.parse(json);
}

describe.each(DB_KINDS)('FastGPT against the AI Proxy API on %s', (kind) => {
  let g: TestGateway;
  let mock: MockOpenAI;
  let openai: OpenAI;
  let channelId = 0;
  let consoleChannelId = 0;
  const t0 = Date.now() - 60_000;

  const proxy = (call: Parameters<typeof viaFastGPTProxy>[2]) => viaFastGPTProxy(g.url, TOKEN, call);
  const listAll = async () => GetAIProxyChannelListResponseSchema.parse((await proxy({ method: 'GET', path: 'api/channels/all', query: { page: '1', perPage: '10' } })).json).data;
  /** FastGPT's model test (pages/api/core/ai/model/test.ts): the OpenAI SDK, base `${AIPROXY_API_ENDPOINT}/v1`, pinned by Aiproxy-Channel. */
  const modelTest = (id?: number, model = MODEL) => openai.chat.completions.create(
    { model, messages: [{ role: 'user', content: 'hi' }] },
    id ? { headers: { 'Aiproxy-Channel': String(id) } } : {},
  );
  const consoleRow = async (id: number) => (await g.admin.channels.list.query()).find((c) => c.id === id);

  beforeAll(async () => {
    g = await startTestGateway(kind);
    mock = await startMockOpenAI();
    openai = new OpenAI({ apiKey: TOKEN, baseURL: `${g.url}/v1`, maxRetries: 0 });
    // The price FastGPT never sets: the console sets it for this model so user keys may call it.
    await g.admin.prices.set.mutate({ model: MODEL, inputUsdPerM: '1', outputUsdPerM: '2' });
  });
  afterAll(async () => {
    mock?.stop();
    await g?.close();
  });

  test('type_metas: AI Proxy ids with name, defaultBaseUrl and keyHelp', async () => {
    const res = await proxy({ method: 'GET', path: 'api/channels/type_metas' });
    expect(res.status).toBe(200);
    const metas = GetAIProxyChannelTypesResponseSchema.parse(res.json).data;
    expect(metas['1']!.name).toBe('openai');
    expect(metas['14']!.name).toBe('anthropic');
    // AI Proxy's numbering, not One API's: 43 is SiliconFlow there (44 here), 12 Gemini's OpenAI API.
    expect(metas['43']!.name).toBe('siliconflow');
    expect(metas['12']!.name).toBe('google gemini (openai)');
    expect(metas['4']!.keyHelp).toBe('key or key|api-version');
    // No vendor here for doubao audio: not offered.
    expect(metas['44']).toBeUndefined();
  });

  test('create through FastGPT\'s createChannel handler: the id comes back and the name round-trips exactly', async () => {
    const created = await fastgptCreateChannel(g.url, {
      type: 1, name: 'FastGPT 渠道 A', base_url: mock.url, models: [MODEL, 'gpt-4o-mini'], model_mapping: {}, key: 'sk-upstream-fastgpt-0123456789', priority: 1,
      // Fields AI Proxy knows and we have no use for are ignored.
      enabled_auto_balance_check: false, skip_tls_verify: false, some_future_field: { x: 1 },
    });
    expect(created.success).toBe(true);
    channelId = (created as { data: { id: number } }).data.id;
    expect(channelId).toBeGreaterThan(0);
    const listed = (await listAll()).find((c) => c.id === channelId)!;
    expect(listed.name).toBe('FastGPT 渠道 A');
    expect(listed.type).toBe(1);
    expect(listed.models).toEqual([MODEL, 'gpt-4o-mini']);
    expect(listed.status).toBe(1);
    expect(listed.priority).toBe(1);
    expect(listed.base_url).toBe(mock.url);
    // Milliseconds, as AI Proxy sends created_at.
    expect(listed.created_at!).toBeGreaterThan(t0);
    expect(listed.created_at!).toBeLessThan(Date.now() + 1000);
    // The upstream key is never shown in full.
    expect(listed.key).not.toContain('0123456789');
    expect(AIProxyChannelSchema.parse(listed).id).toBe(channelId);
    // The same channel made in the console, for the side-by-side checks below.
    consoleChannelId = (await g.admin.channels.create.mutate({
      name: 'console twin', type: 1, baseUrl: mock.url, key: 'sk-upstream-console-twin-000', models: [MODEL, 'gpt-4o-mini'], priority: 1,
    })).id;
    const [mine, twin] = [await consoleRow(channelId), await consoleRow(consoleChannelId)];
    const comparable = (c: typeof mine) => ({ ...c, id: 0, name: '', testAt: null, testLatencyMs: null, keys: c!.keys.map((k) => ({ ...k, id: 0, key_hint: '' })) });
    expect(comparable(mine)).toEqual(comparable(twin));
  });

  test('the older paths create too: POST /api/channel (web proxy) and POST /api/createChannel', async () => {
    const viaWeb = await proxy({ method: 'POST', path: 'api/channel', body: { type: 14, name: 'web-anthropic', base_url: mock.url, models: ['claude-x'], model_mapping: { 'claude-x': 'claude-upstream' }, key: 'sk-ant-abcdefghijklmnop' } });
    expect(viaWeb.status).toBe(200);
    expect(viaWeb.json.success).toBe(true);
    const old = await proxy({ method: 'POST', path: 'api/createChannel', body: { type: 43, name: 'old-silicon', base_url: '', models: ['Qwen/Qwen2.5-7B-Instruct'], model_mapping: {}, key: 'sk-silicon-abcdefghijkl' } });
    expect(CreateAdminAIProxyChannelResponseSchema.parse(old.json).success).toBe(true);
    const all = await listAll();
    const anthropic = all.find((c) => c.name === 'web-anthropic')!;
    expect(anthropic.type).toBe(14);
    expect(anthropic.model_mapping).toEqual({ 'claude-x': 'claude-upstream' });
    // AI Proxy's 43 (SiliconFlow) is our 44 and reads back as 43.
    const silicon = all.find((c) => c.name === 'old-silicon')!;
    expect(silicon.type).toBe(43);
    expect((await consoleRow(silicon.id))!.type).toBe(44);
  });

  test('a duplicate name is caught by FastGPT before any write', async () => {
    await expect(fastgptCreateChannel(g.url, { type: 1, name: 'FastGPT 渠道 A', base_url: mock.url, models: [MODEL], key: 'sk-x-0123456789abc' })).rejects.toThrow('channel_name_duplicate');
  });

  test('the model test relays through the pinned channel with the admin key; the call is in logs/search and dashboardv2', async () => {
    const before = mock.requests.length;
    // The console twin serves the same model with another key: only the pin keeps every call on this channel.
    for (let i = 0; i < 3; i++) {
      await modelTest(channelId);
      expect(mock.requests.at(-1)!.headers.authorization).toBe('Bearer sk-upstream-fastgpt-0123456789');
    }
    const completion = await modelTest(channelId);
    expect(completion.choices[0]!.message.content).toBe('Hello from the mock');
    expect(mock.requests.length).toBe(before + 4);
    expect(mock.requests.at(-1)!.headers.authorization).toBe('Bearer sk-upstream-fastgpt-0123456789');
    const requestId = completion._request_id!;
    expect(requestId).toMatch(/^req_/);
    await g.flush();

    const query = {
      result_only: 'true', request_id: requestId, channel: String(channelId), model_name: MODEL, code_type: 'all',
      start_timestamp: String(t0), end_timestamp: String(Date.now() + 1000), p: '1', per_page: '20',
    };
    SearchAIProxyLogsQuerySchema.parse({ ...query, channel: channelId, start_timestamp: t0, end_timestamp: Date.now(), p: 1, per_page: 20 });
    const res = await proxy({ method: 'GET', path: 'api/logs/search', query });
    const { logs, total } = SearchAIProxyLogsResponseSchema.parse(res.json).data;
    // request_id picks this call out of the four.
    expect(total).toBe(1);
    const log = logs[0]!;
    expect(log.request_id).toBe(requestId);
    expect(log.channel).toBe(channelId);
    expect(log.code).toBe(200);
    expect(log.endpoint).toBe('/v1/chat/completions');
    expect(log.mode).toBe(1);
    expect(log.token_name).toBe('ADMIN_KEY');
    expect(log.ip).toBe('127.0.0.1');
    const prompt = mockPromptTokens({ messages: [{}] });
    expect(log.usage).toMatchObject({ input_tokens: prompt, output_tokens: MOCK_COMPLETION_TOKENS, total_tokens: prompt + MOCK_COMPLETION_TOKENS, cached_tokens: 0, cache_creation_tokens: 0 });
    expect(log.created_at).toBeGreaterThanOrEqual(log.request_at);
    expect(log.request_at).toBeGreaterThan(t0);

    // Seconds work as well as milliseconds (AI Proxy reads the unit from the digit count), and the error filter excludes it.
    const errors = await proxy({ method: 'GET', path: 'api/logs/search', query: { ...query, request_id: '', code_type: 'error', start_timestamp: String(Math.floor(t0 / 1000)) } });
    expect(SearchAIProxyLogsResponseSchema.parse(errors.json).data.total).toBe(0);
    const success = await proxy({ method: 'GET', path: 'api/logs/search', query: { ...query, request_id: '', code_type: 'success', start_timestamp: String(Math.floor(t0 / 1000)), per_page: '2' } });
    const page1 = SearchAIProxyLogsResponseSchema.parse(success.json).data;
    expect(page1.total).toBe(4);
    expect(page1.logs).toHaveLength(2);

    const detail = await proxy({ method: 'GET', path: `api/logs/detail/${log.id}` });
    expect(GetAIProxyLogDetailResponseSchema.parse(detail.json).data).toMatchObject({ request_body: '', response_body: '' });
    expect(detail.json.message).toContain('capture');

    const dq = { channel: String(channelId), model: MODEL, start_timestamp: String(t0), end_timestamp: String(Date.now() + 1000), timezone: 'Asia/Shanghai', timespan: 'hour' };
    GetAIProxyDashboardQuerySchema.parse({ ...dq, channel: channelId, start_timestamp: t0, end_timestamp: Date.now() });
    const dash = await proxy({ method: 'GET', path: 'api/dashboardv2', query: dq });
    const points = GetAIProxyDashboardEnvelopeSchema.parse(dash.json).data;
    const items = points.flatMap((p) => p.summary.map((s) => DashboardDataItemSchema.parse(s)));
    expect(items.reduce((n, s) => n + s.request_count, 0)).toBe(4);
    expect(items[0]).toMatchObject({ channel_id: channelId, model: MODEL, exception_count: 0, input_tokens: 4 * prompt, output_tokens: 4 * MOCK_COMPLETION_TOKENS });
    expect(items[0]!.max_rpm).toBeGreaterThanOrEqual(2);
    // Bucket starts are epoch seconds on the hour.
    expect(points[0]!.timestamp % 3600).toBe(0);
    expect(points[0]!.timestamp * 1000).toBeLessThanOrEqual(Date.now());

    // Past 7 days the hourly rollups answer (no per-minute peaks); days are cut in the time zone.
    const month = await proxy({ method: 'GET', path: 'api/dashboardv2', query: { ...dq, start_timestamp: String(Date.now() - 30 * 86_400_000), timezone: 'Asia/Shanghai', timespan: 'day' } });
    const days = GetAIProxyDashboardEnvelopeSchema.parse(month.json).data;
    const dayItems = days.flatMap((p) => p.summary.map((s) => DashboardDataItemSchema.parse(s)));
    expect(dayItems.reduce((n, s) => n + s.request_count, 0)).toBe(4);
    expect(dayItems[0]!.max_rpm).toBe(0);
    // Midnight in Shanghai is 16:00 UTC.
    expect(days[0]!.timestamp % 86_400).toBe(16 * 3600);
  });

  test('AI Proxy\'s channel test endpoint answers a ChannelTest with latency', async () => {
    const res = await proxy({ method: 'GET', path: `api/channel/${channelId}/test/${MODEL}` });
    expect(res.json.success).toBe(true);
    expect(res.json.data).toMatchObject({ channel_id: channelId, model: MODEL, success: true, code: 200, mode: 1, channel_name: 'FastGPT 渠道 A' });
    expect(typeof res.json.data.took).toBe('number');
    // Recorded like a console test.
    expect((await consoleRow(channelId))!.testLatencyMs).not.toBeNull();
    const unknown = await proxy({ method: 'GET', path: `api/channel/${channelId}/test/not-a-model` });
    expect(unknown.json).toEqual({ success: false, message: 'model not supported by channel' });
  });

  test('re-prioritise: FastGPT PUTs the whole channel back, key hints included; the key pool stays', async () => {
    const current = (await listAll()).find((c) => c.id === channelId)!;
    const keysBefore = (await consoleRow(channelId))!.keys;
    // FastGPT's putChannel (web) body.
    const body = {
      type: current.type, name: current.name, base_url: current.base_url, models: current.models, model_mapping: current.model_mapping,
      key: current.key, status: current.status, priority: 7,
    };
    UpdateAIProxyChannelBodySchema.parse({ ...body, proxy_url: current.proxy_url, configs: current.configs, sets: current.sets });
    const res = await proxy({ method: 'PUT', path: `api/channel/${channelId}`, body });
    expect(AIProxyMutationResponseSchema.parse(res.json).success).toBe(true);
    await g.admin.channels.update.mutate({ id: consoleChannelId, priority: 7 });
    const [mine, twin] = [await consoleRow(channelId), await consoleRow(consoleChannelId)];
    expect(mine!.priority).toBe(7);
    expect(twin!.priority).toBe(7);
    expect(mine!.keys).toEqual(keysBefore);
    // Still relays with the original upstream key.
    await modelTest(channelId);
    expect(mock.requests.at(-1)!.headers.authorization).toBe('Bearer sk-upstream-fastgpt-0123456789');

    // thirdProvider/aiproxy/channel.ts: the model-binding update sends every field it read, new models appended.
    const snapshot = AIProxyChannelSchema.parse((await listAll()).find((c) => c.id === channelId));
    const update = await fastgptServerCall(g.url, TOKEN, 'PUT', `/api/channel/${channelId}`, {
      type: snapshot.type, name: snapshot.name, base_url: snapshot.base_url, proxy_url: snapshot.proxy_url, model_mapping: snapshot.model_mapping,
      configs: snapshot.configs, key: snapshot.key, status: snapshot.status, priority: snapshot.priority, sets: snapshot.sets,
      enabled_auto_balance_check: snapshot.enabled_auto_balance_check, skip_tls_verify: snapshot.skip_tls_verify,
      enabled_no_permission_ban: snapshot.enabled_no_permission_ban, warn_error_rate: snapshot.warn_error_rate, max_error_rate: snapshot.max_error_rate,
      models: [...snapshot.models, 'gpt-4.1-mini'],
    });
    expect(AIProxyMutationResponseSchema.parse(update.json).success).toBe(true);
    expect((await consoleRow(channelId))!.models).toEqual([MODEL, 'gpt-4o-mini', 'gpt-4.1-mini']);
    expect((await consoleRow(channelId))!.keys).toHaveLength(1);

    // Unbinding a deleted model may leave a channel with none (AI Proxy allows it); then it serves nothing.
    const empty = await fastgptServerCall(g.url, TOKEN, 'PUT', `/api/channel/${channelId}`, { ...snapshot, id: undefined, models: [] });
    expect(AIProxyMutationResponseSchema.parse(empty.json).success).toBe(true);
    expect((await consoleRow(channelId))!.models).toEqual([]);
    const back = await fastgptServerCall(g.url, TOKEN, 'PUT', `/api/channel/${channelId}`, { ...snapshot, id: undefined, models: [MODEL, 'gpt-4o-mini', 'gpt-4.1-mini'] });
    expect(back.json.success).toBe(true);
    expect((await consoleRow(channelId))!.models).toEqual([MODEL, 'gpt-4o-mini', 'gpt-4.1-mini']);
    const none = await proxy({ method: 'POST', path: 'api/channel/', body: { type: 1, name: 'no models yet', base_url: mock.url, key: 'sk-upstream-nomodels-01' } });
    expect(none.json.success).toBe(true);
    expect((await consoleRow(none.json.data.id))!.models).toEqual([]);
    expect((await proxy({ method: 'DELETE', path: `api/channel/${none.json.data.id}` })).json.success).toBe(true);
  });

  test('a new key in a PUT replaces the pool', async () => {
    const current = (await listAll()).find((c) => c.id === channelId)!;
    const res = await proxy({ method: 'PUT', path: `api/channel/${channelId}`, body: { ...current, id: undefined, key: 'sk-upstream-rotated-9876543210' } });
    expect(res.json.success).toBe(true);
    await modelTest(channelId);
    expect(mock.requests.at(-1)!.headers.authorization).toBe('Bearer sk-upstream-rotated-9876543210');
    expect((await consoleRow(channelId))!.keys).toHaveLength(1);
  });

  test('disable and re-enable: the relay follows, as for a console channel', async () => {
    UpdateAIProxyChannelStatusBodySchema.parse({ status: 2 });
    const off = await proxy({ method: 'POST', path: `api/channel/${channelId}/status`, body: { status: 2 } });
    expect(AIProxyMutationResponseSchema.parse(off.json).success).toBe(true);
    await g.admin.channels.setStatus.mutate({ id: consoleChannelId, enabled: false });
    expect((await consoleRow(channelId))!.status).toBe(2);
    expect((await listAll()).find((c) => c.id === channelId)!.status).toBe(2);
    // Both channels serving MODEL are off: unpinned and pinned calls are refused alike.
    const unpinned = await modelTest().catch((e) => e as InstanceType<typeof OpenAI.APIError>);
    expect(unpinned).toBeInstanceOf(OpenAI.APIError);
    expect((unpinned as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
    const pinned = await modelTest(channelId).catch((e) => e as InstanceType<typeof OpenAI.APIError>);
    expect(pinned).toBeInstanceOf(OpenAI.APIError);
    // AI Proxy's test endpoint still tests a disabled channel, like the console's test.
    const tested = await proxy({ method: 'GET', path: `api/channel/${channelId}/test/${MODEL}` });
    expect(tested.json).toMatchObject({ success: true, data: { success: true, channel_id: channelId } });
    expect((await consoleRow(channelId))!.status).toBe(2);

    const on = await proxy({ method: 'POST', path: `api/channel/${channelId}/status`, body: { status: 1 } });
    expect(AIProxyMutationResponseSchema.parse(on.json).success).toBe(true);
    expect((await consoleRow(channelId))!.status).toBe(1);
    const before = mock.requests.length;
    await modelTest();
    expect(mock.requests.length).toBe(before + 1);
  });

  test('delete: gone from the list, the console and the relay', async () => {
    const res = await proxy({ method: 'DELETE', path: `api/channel/${channelId}` });
    expect(AIProxyMutationResponseSchema.parse(res.json).success).toBe(true);
    expect((await listAll()).some((c) => c.id === channelId)).toBe(false);
    expect(await consoleRow(channelId)).toBeUndefined();
    const pinned = await modelTest(channelId).catch((e) => e as InstanceType<typeof OpenAI.APIError>);
    expect((pinned as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
    const again = await proxy({ method: 'DELETE', path: `api/channel/${channelId}` });
    expect(again.status).toBe(404);
    expect(again.json.success).toBe(false);
    expect(again.json.message).toMatch(/record not found/);
  });

  test('keys in AI Proxy\'s packed formats are unpacked; several lines make a key pool; types read back as sent', async () => {
    const azure = await proxy({ method: 'POST', path: 'api/channel/', body: { type: 4, name: 'az', base_url: 'https://example-resource.openai.azure.com', models: ['gpt-4o'], key: 'azurekey0123456789abcdef|2024-10-21' } });
    const azureId = azure.json.data.id as number;
    const old = await proxy({ method: 'POST', path: 'api/channel/', body: { type: 3, name: 'az-old', base_url: 'https://example-resource.openai.azure.com', models: ['gpt-4o'], key: 'azurekey0123456789abcdef' } });
    const aws = await proxy({ method: 'POST', path: 'api/channel/', body: { type: 33, name: 'aws', models: ['anthropic.claude-x'], key: 'us-east-1|AKIAEXAMPLE0123456|secretsecretsecret' } });
    const pool = await proxy({ method: 'POST', path: 'api/channel/', body: { type: 1, name: 'pool', base_url: mock.url, models: ['gpt-4o-mini'], key: 'sk-pool-one-0123456789\nsk-pool-two-0123456789\n' } });
    const badAws = await proxy({ method: 'POST', path: 'api/channel/', body: { type: 33, name: 'aws2', models: ['m'], key: 'just-a-key' } });
    expect(badAws.json.success).toBe(false);
    expect(badAws.json.message).toContain('region|ak|sk');
    expect(aws.json.success).toBe(true);
    expect((await consoleRow(aws.json.data.id))!.baseUrl).toBe('https://bedrock-runtime.us-east-1.amazonaws.com');
    const all = await listAll();
    expect(all.find((c) => c.id === azureId)!.type).toBe(4);
    expect(all.find((c) => c.id === old.json.data.id)!.type).toBe(3);
    const azureRow = (await consoleRow(azureId))!;
    expect(azureRow.type).toBe(3);
    expect(azureRow.config.api_version).toBe('2024-10-21');
    expect(azureRow.keys[0]!.key_hint).toBe('azur…cdef');
    expect(g.gw.store.channel(azureId)!.keys[0]!.key).toBe('azurekey0123456789abcdef');
    expect(g.gw.store.channel(aws.json.data.id)!.keys[0]!.key).toBe('AKIAEXAMPLE0123456|secretsecretsecret|us-east-1');
    expect((await consoleRow(pool.json.data.id))!.keys).toHaveLength(2);
    expect(all.find((c) => c.id === pool.json.data.id)!.key!.split('\n')).toHaveLength(2);
  });

  test('logs/detail answers the captured bodies when capture is on; a model name with / is tested by path', async () => {
    const slashModel = 'Qwen/Qwen2.5-7B-Instruct';
    const created = await fastgptCreateChannel(g.url, { type: 1, name: 'slash', base_url: mock.url, models: [slashModel], key: 'sk-upstream-slash-0123456789' });
    const id = (created as { data: { id: number } }).data.id;
    // FastGPT encodes the model; its Next.js proxy hands the decoded segments on, joined with /.
    const tested = await proxy({ method: 'GET', path: `api/channel/${id}/test/${slashModel}` });
    expect(tested.json).toMatchObject({ success: true, data: { model: slashModel, success: true } });
    const encoded = await fastgptServerCall(g.url, TOKEN, 'GET', `/api/channel/${id}/test/${encodeURIComponent(slashModel)}`);
    expect(encoded.json).toMatchObject({ success: true, data: { model: slashModel } });

    await g.admin.logs.setSettings.mutate({ captureModels: [slashModel] });
    const completion = await modelTest(id, slashModel);
    await g.flush();
    const search = await proxy({ method: 'GET', path: 'api/logs/search', query: { result_only: 'true', request_id: completion._request_id!, code_type: 'all', start_timestamp: String(t0), end_timestamp: String(Date.now() + 1000), p: '1', per_page: '10' } });
    const [log] = SearchAIProxyLogsResponseSchema.parse(search.json).data.logs;
    const detail = GetAIProxyLogDetailResponseSchema.parse((await proxy({ method: 'GET', path: `api/logs/detail/${log!.id}` })).json).data;
    expect(JSON.parse(detail.request_body).model).toBe(slashModel);
    expect(detail.response_body).toContain('Hello from the mock');
  });

  test('paged list and batch status/delete (FastGPT\'s newer client)', async () => {
    const mk = async (name: string) => (await proxy({ method: 'POST', path: 'api/channel/', body: { type: 1, name, base_url: mock.url, models: ['batch-model'], key: 'sk-batch-0123456789ab' } })).json.data.id as number;
    const [a, b] = [await mk('batch-a'), await mk('batch-b')];
    const page = await fastgptServerCall(g.url, TOKEN, 'GET', '/api/channels/?page=1&per_page=2');
    expect(page.json.success).toBe(true);
    expect(page.json.data.channels).toHaveLength(2);
    expect(page.json.data.total).toBe((await listAll()).length);
    const off = await fastgptServerCall(g.url, TOKEN, 'POST', '/api/channels/batch_status', { ids: [a, b], status: 2 });
    expect(AIProxyMutationResponseSchema.parse(off.json).success).toBe(true);
    expect((await consoleRow(a))!.status).toBe(2);
    expect((await consoleRow(b))!.status).toBe(2);
    const del = await fastgptServerCall(g.url, TOKEN, 'POST', '/api/channels/batch_delete', { ids: [a] });
    expect(AIProxyMutationResponseSchema.parse(del.json).success).toBe(true);
    const delArray = await fastgptServerCall(g.url, TOKEN, 'POST', '/api/channels/batch_delete', [b]);
    expect(delArray.json.success).toBe(true);
    expect(await consoleRow(a)).toBeUndefined();
    expect(await consoleRow(b)).toBeUndefined();
    const bad = await fastgptServerCall(g.url, TOKEN, 'POST', '/api/channels/batch_delete', { ids: [] });
    expect(bad.json.success).toBe(false);
  });

  test('bad input and bad credentials answer success: false with a clear message', async () => {
    const noAuth = await fetch(`${g.url}/api/channels/all`);
    expect(noAuth.status).toBe(401);
    expect(await noAuth.json()).toMatchObject({ success: false });
    const wrong = await viaFastGPTProxy(g.url, 'not-the-admin-key-123456', { method: 'GET', path: 'api/channels/all' });
    expect(wrong.status).toBe(401);
    expect(wrong.json.success).toBe(false);
    const badType = await proxy({ method: 'POST', path: 'api/channel/', body: { type: 44, name: 'audio', key: 'a|b', models: ['x'] } });
    expect(badType.json).toMatchObject({ success: false });
    expect(badType.json.message).toContain('44');
    const badModels = await proxy({ method: 'POST', path: 'api/channel/', body: { type: 1, name: 'x', key: 'sk-x', models: 'gpt' } });
    expect(badModels.status).toBe(400);
    expect(badModels.json.message).toContain('models');
    const notJson = await fetch(`${g.url}/api/channel/`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{nope' });
    expect(await notJson.json()).toEqual({ success: false, message: 'The request body must be JSON.' });
    const huge = await fetch(`${g.url}/api/channel/`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 1, name: 'x', key: 'k'.repeat(5 * 1024 * 1024) }) });
    expect(huge.status).toBe(413);
    expect((await huge.json()).success).toBe(false);
    const notObject = await proxy({ method: 'POST', path: 'api/channel/', body: [1, 2] });
    expect(notObject.json.success).toBe(false);
    const badStatus = await proxy({ method: 'POST', path: `api/channel/${consoleChannelId}/status`, body: { status: 'on' } });
    expect(badStatus.json.success).toBe(false);
    const badId = await proxy({ method: 'PUT', path: 'api/channel/abc', body: {} });
    expect(badId.json).toMatchObject({ success: false });
    const badSpan = await proxy({ method: 'GET', path: 'api/dashboardv2', query: { timespan: 'week', timezone: 'UTC' } });
    expect(badSpan.json.success).toBe(false);
    const badTz = await proxy({ method: 'GET', path: 'api/dashboardv2', query: { timespan: 'day', timezone: 'Mars/Base' } });
    expect(badTz.json.success).toBe(false);
    const badCode = await proxy({ method: 'GET', path: 'api/logs/search', query: { code_type: 'maybe' } });
    expect(badCode.json.success).toBe(false);
    const missingLog = await proxy({ method: 'GET', path: 'api/logs/detail/999999' });
    expect(missingLog.json.success).toBe(false);
  });

  test('every model kind FastGPT tests (embedding, rerank, TTS, STT, image) runs unpriced with the admin key', async () => {
    const ep = await startMockEndpoints();
    try {
      const models = ['fg-embed', 'fg-rerank', 'fg-tts', 'fg-whisper', 'fg-image'];
      const created = await fastgptCreateChannel(g.url, { type: 1, name: 'kinds', base_url: ep.url, models, key: 'sk-upstream-kinds-0123456789' });
      const id = (created as { data: { id: number } }).data.id;
      const pin = { headers: { 'Aiproxy-Channel': String(id) } };
      const ids: string[] = [];
      const emb = await openai.embeddings.create({ model: 'fg-embed', input: 'hi', encoding_format: 'float' }, pin).withResponse();
      ids.push(emb.response.headers.get('x-request-id')!);
      const rerank = await fetch(`${g.url}/v1/rerank`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'aiproxy-channel': String(id) }, body: JSON.stringify({ model: 'fg-rerank', query: 'q', documents: ['a', 'b'] }) });
      expect(rerank.status).toBe(200);
      ids.push(rerank.headers.get('x-request-id')!);
      const tts = await openai.audio.speech.create({ model: 'fg-tts', input: 'hello', voice: 'alloy' }, pin).withResponse();
      expect((await tts.data.arrayBuffer()).byteLength).toBeGreaterThan(0);
      ids.push(tts.response.headers.get('x-request-id')!);
      const stt = await openai.audio.transcriptions.create({ model: 'fg-whisper', file: new File([new Uint8Array(64)], 'a.wav', { type: 'audio/wav' }) }, pin).withResponse();
      ids.push(stt.response.headers.get('x-request-id')!);
      const img = await openai.images.generate({ model: 'fg-image', prompt: 'a cat' }, pin).withResponse();
      ids.push(img.response.headers.get('x-request-id')!);
      await g.flush();
      for (const requestId of ids) {
        const { rows } = await g.admin.logs.list.query({ requestId });
        expect(rows[0]).toMatchObject({ status: 200, channel_id: id, unpriced: true, cost: 0n });
      }
    } finally {
      ep.stop();
    }
  });

  test('hostile input never makes a 500: every answer is the envelope', async () => {
    const rnd = mulberry32(0xa1b2c3);
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
    const scalar = () => pick<unknown>([null, true, -1, 0, 1.5, 2 ** 31, 1e308, -(2 ** 63), '', 'x', 'a\u0000b', '\ud800', '9'.repeat(40), 'https://127.0.0.1:1/v1', 'sk-\n\n|', '…']);
    const value = (depth: number): unknown => depth > 2 || rnd() < 0.5 ? scalar()
      : rnd() < 0.5 ? Array.from({ length: Math.floor(rnd() * 3) }, () => value(depth + 1))
      : Object.fromEntries(Array.from({ length: Math.floor(rnd() * 4) }, () => [pick(['type', 'name', 'key', 'models', 'model_mapping', 'priority', 'status', 'sets', 'configs', 'base_url', 'proxy_url', 'x']), value(depth + 1)]));
    const body = () => {
      const b: Record<string, unknown> = { type: pick([1, 14, 4, 33, 42, 44, 99, 0, -1, '1']), name: pick(['n', '', ' ', 'a\u0000']), key: pick(['sk-abcdefghijkl', 'a|b', 'us|x|y', '', '\n']), models: pick([['m'], [], 'm', [1], null]) };
      for (let i = 0; i < 3; i++) b[pick(Object.keys(b).concat(['model_mapping', 'priority', 'status', 'sets', 'configs', 'base_url']))] = value(0);
      return rnd() < 0.1 ? value(0) : b;
    };
    const queryValue = () => pick(['', '0', '-1', 'abc', '99999999999999999999', String(Date.now()), String(Math.floor(Date.now() / 1000)), 'all', 'error', 'day', 'minute', 'month', 'UTC', 'Asia/Shanghai', 'Mars/X', '%00']);
    for (let i = 0; i < 150; i++) {
      const kind = i % 6;
      const res = kind === 0 ? await proxy({ method: 'POST', path: 'api/channel/', body: body() })
        : kind === 1 ? await proxy({ method: 'PUT', path: `api/channel/${pick([consoleChannelId, 999999, 0])}`, body: body() })
        : kind === 2 ? await proxy({ method: 'POST', path: `api/channel/${consoleChannelId}/status`, body: { status: value(0) } })
        : kind === 3 ? await proxy({ method: 'GET', path: 'api/logs/search', query: Object.fromEntries(['p', 'per_page', 'channel', 'code_type', 'start_timestamp', 'end_timestamp', 'code'].map((k) => [k, queryValue()])) })
        : kind === 4 ? await proxy({ method: 'GET', path: 'api/dashboardv2', query: Object.fromEntries(['channel', 'timespan', 'timezone', 'start_timestamp', 'end_timestamp'].map((k) => [k, queryValue()])) })
        : await proxy({ method: 'GET', path: `api/logs/detail/${pick(['0', '-1', 'x', '99999999999999999999', '1'])}` });
      expect(res.status).toBeLessThan(500);
      expect(typeof res.json.success).toBe('boolean');
      if (!res.json.success) expect(typeof res.json.message).toBe('string');
    }
    // The console twin survived whatever the PUTs did to it, or was refused cleanly.
    expect(await consoleRow(consoleChannelId)).toBeDefined();
  });

  test('ADMIN_KEY calls run unpriced (logged with tokens, marked, in bills); user keys keep the missing-price policy', async () => {
    const unpriced = 'fastgpt-unpriced-model';
    const created = await fastgptCreateChannel(g.url, { type: 1, name: 'unpriced channel', base_url: mock.url, models: [unpriced], key: 'sk-upstream-unpriced-0123' });
    const id = (created as { data: { id: number } }).data.id;
    const completion = await modelTest(undefined, unpriced);
    expect(completion.usage!.total_tokens).toBeGreaterThan(0);
    await g.flush();
    const { rows } = await g.admin.logs.list.query({ requestId: completion._request_id! });
    expect(rows[0]).toMatchObject({ model: unpriced, channel_id: id, status: 200, unpriced: true, cost: 0n });
    expect(rows[0]!.prompt_tokens).toBeGreaterThan(0);
    const bills = await g.admin.billing.bills.query({ from: new Date(t0), to: new Date(Date.now() + 60_000), by: 'model', model: unpriced });
    expect(bills.rows[0]).toMatchObject({ group: unpriced, calls: 1, unpricedCalls: 1 });

    // The admin-key account is an ordinary, visible account with its ADMIN_KEY key.
    const keys = await g.admin.keys.list.query({});
    const adminKeyRow = keys.find((k: { name: string }) => k.name === 'ADMIN_KEY');
    expect(adminKeyRow).toBeDefined();

    const { id: userId } = await g.admin.users.create.mutate({ username: 'fg-user', balanceUsd: '5' });
    const { key } = await g.admin.keys.create.mutate({ name: 'u', user: 'fg-user' });
    const user = new OpenAI({ apiKey: key, baseURL: `${g.url}/v1`, maxRetries: 0 });
    const refused = await user.chat.completions.create({ model: unpriced, messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e as InstanceType<typeof OpenAI.APIError>);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(403);
    expect((refused as InstanceType<typeof OpenAI.APIError>).code).toBe('model_price_missing');
    // For a plain user Aiproxy-Channel means nothing (AI Proxy's alias is for admin callers); our own pin header is refused.
    await g.admin.prices.set.mutate({ model: unpriced, inputUsdPerM: '1', outputUsdPerM: '1' });
    const ignored = await user.chat.completions.create({ model: unpriced, messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'Aiproxy-Channel': '999999' } });
    expect(ignored.choices[0]!.message.content).toBe('Hello from the mock');
    const pin = await user.chat.completions.create({ model: unpriced, messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'X-Switchboard-Channel': String(id) } })
      .catch((e) => e as InstanceType<typeof OpenAI.APIError>);
    expect((pin as InstanceType<typeof OpenAI.APIError>).status).toBe(403);
    // The admin key's pin to a channel that does not exist is an error, not a silent fallback.
    const missing = await modelTest(999999, unpriced).catch((e) => e as InstanceType<typeof OpenAI.APIError>);
    expect((missing as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
    expect(userId).toBeGreaterThan(0);
  });
});
