// The inbound protocols end to end with their official clients: Anthropic Messages
// (@anthropic-ai/sdk), OpenAI Responses (openai) and Gemini (fetch, as Google's REST docs
// show it). Each runs against a channel that speaks it natively (bytes through) and one
// that only speaks chat (converted), with tool calls, streaming, metering and errors.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { anthropicSurface } from '../../../server/relay/protocols/anthropic/index.ts';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.ts';
import { CHAT_USAGE, type MockEndpoints, RESPONSE_TEXT, RESPONSE_USAGE, startMockEndpoints, TOOL_CALL } from '../../mocks/openai-endpoints.ts';
import * as anthropicMock from '../../mocks/vendors/anthropic.ts';
import * as bedrockMock from '../../mocks/vendors/bedrock.ts';
import * as geminiMock from '../../mocks/vendors/gemini.ts';
import type { MockUpstream } from '../../mocks/vendors/shared.ts';
import { fixture } from '../../mocks/vendors/shared.ts';
import * as vertexMock from '../../mocks/vendors/vertex.ts';
import { logFor, setPrice } from './helpers.ts';

// $1/M input, $2/M output: 1 000 and 2 000 nano-USD per token.
const CHAT_COST = BigInt(CHAT_USAGE.prompt_tokens) * 1_000n + BigInt(CHAT_USAGE.completion_tokens) * 2_000n;
// $3/M input, $15/M output, $0.30/M cache read, $3.75/M cache write.
const claudeCost = (u: { input: number; output: number; cacheRead?: number; cacheWrite?: number }) =>
  BigInt(u.input) * 3_000n + BigInt(u.output) * 15_000n + BigInt(u.cacheRead ?? 0) * 300n + BigInt(u.cacheWrite ?? 0) * 3_750n;

const WEATHER_TOOL = { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] } };

describe('inbound surfaces', () => {
  let endpoints: MockEndpoints;
  let claude: MockUpstream;
  let gemini: MockUpstream;
  let vertex: vertexMock.VertexMock;
  let bedrock: MockUpstream;
  let g: TestGateway;
  let key: string;

  beforeAll(async () => {
    endpoints = await startMockEndpoints();
    claude = await anthropicMock.start();
    gemini = await geminiMock.start();
    vertex = await vertexMock.start();
    bedrock = await bedrockMock.start();
    g = await startTestGateway('pglite');
    await g.admin.users.create.mutate({ username: 'surfaces', balanceUsd: '100' });
    key = (await g.admin.keys.create.mutate({ name: 'k', user: 'surfaces' })).key;
    const channel = (name: string, type: number, baseUrl: string, models: string[]) => g.admin.channels.create.mutate({ name, type, baseUrl, key: 'sk-upstream', models });
    await channel('chat-only', 8, endpoints.url, ['claude-via-chat', 'resp-convert', 'gem-via-chat']);
    await channel('openai', 1, endpoints.url, ['resp-native']);
    await channel('anthropic', 14, claude.url, ['claude-sonnet-4-5']);
    await channel('gemini', 24, gemini.url, ['gemini-2.5-flash']);
    await g.admin.channels.create.mutate({ name: 'vertex', type: 42, baseUrl: vertex.url, key: vertex.serviceAccountKey, models: ['claude-opus-4-1@20250805'], config: { region: 'us-east5' } });
    await g.admin.channels.create.mutate({ name: 'bedrock', type: 33, baseUrl: bedrock.url, key: 'AKIA|secret|us-east-1', models: ['mock-throttle'] });
    await setPrice(g, 'mock-throttle', { input: '1', output: '2' });
    for (const m of ['claude-via-chat', 'resp-convert', 'gem-via-chat']) await setPrice(g, m, { input: '1', output: '2' });
    await setPrice(g, 'resp-native', { input: '1', output: '2', cacheRead: '0.5' });
    for (const model of ['claude-sonnet-4-5', 'claude-opus-4-1@20250805']) {
      await g.admin.prices.set.mutate({ model, inputUsdPerM: '3', outputUsdPerM: '15', cacheReadUsdPerM: '0.3', cacheWrite5mUsdPerM: '3.75', cacheWrite1hUsdPerM: '3.75' });
    }
    await setPrice(g, 'gemini-2.5-flash', { input: '1', output: '2', cacheRead: '0.25' });
  }, 60_000);
  afterAll(async () => {
    await g.close();
    endpoints.stop();
    claude.stop();
    gemini.stop();
    vertex.stop();
    bedrock.stop();
  });

  describe('Anthropic Messages', () => {
    let client: Anthropic;
    let sentVersion: string | null = null;
    beforeAll(() => {
      const spy = (async (input: RequestInfo | URL, init?: RequestInit) => {
        sentVersion = new Headers(init?.headers).get('anthropic-version');
        return fetch(input, init);
      }) as typeof fetch;
      client = new Anthropic({ baseURL: g.url, apiKey: key, maxRetries: 0, fetch: spy });
    });

    test('messages.create on an OpenAI-format channel: converted, tool call, metered', async () => {
      const { data, response } = await client.messages.create({
        model: 'claude-via-chat', max_tokens: 256, tools: [WEATHER_TOOL], messages: [{ role: 'user', content: 'Weather in Paris?' }],
      }).withResponse();
      expect(data.stop_reason).toBe('tool_use');
      const tool = data.content.find((b) => b.type === 'tool_use');
      expect(tool).toMatchObject({ id: TOOL_CALL.id, name: TOOL_CALL.name, input: { city: 'Paris' } });
      expect(data.usage.input_tokens).toBe(CHAT_USAGE.prompt_tokens);
      expect(endpoints.last('/chat/completions')!.body.tools[0].function.name).toBe('get_weather');
      const log = await logFor(g, response.headers.get('x-request-id'));
      expect(log).toMatchObject({ endpoint: 'messages', status: 200, stream: false, prompt_tokens: CHAT_USAGE.prompt_tokens, completion_tokens: CHAT_USAGE.completion_tokens });
      expect(log.cost).toBe(CHAT_COST);
    });

    test('messages.stream on an OpenAI-format channel: events rebuilt, tool call, metered', async () => {
      const stream = client.messages.stream({ model: 'claude-via-chat', max_tokens: 256, tools: [WEATHER_TOOL], messages: [{ role: 'user', content: 'Weather in Paris?' }] });
      const message = await stream.finalMessage();
      expect(message.stop_reason).toBe('tool_use');
      expect(message.content.find((b) => b.type === 'tool_use')).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
      expect(message.usage.output_tokens).toBe(CHAT_USAGE.completion_tokens);
      const res = (await stream.withResponse()).response;
      const log = await logFor(g, res.headers.get('x-request-id'));
      expect(log).toMatchObject({ endpoint: 'messages', stream: true, status: 200, estimated: false });
      expect(log.cost).toBe(CHAT_COST);
    });

    test('messages.create on an Anthropic channel: bytes through, headers forwarded, cache tokens metered', async () => {
      const { data, response } = await client.messages.create(
        { model: 'claude-sonnet-4-5', max_tokens: 256, tools: [WEATHER_TOOL], messages: [{ role: 'user', content: 'Weather in SF?' }] },
        { headers: { 'anthropic-beta': 'token-efficient-tools-2025-02-19' } },
      ).withResponse();
      expect(data).toEqual(JSON.parse(fixture('anthropic', 'tool-use.json')));
      const up = claude.requests.at(-1)!;
      expect(up.path).toBe('/v1/messages');
      expect(up.headers['x-api-key']).toBe('sk-upstream');
      // The client's API version is forwarded, not replaced by the gateway's default.
      expect(up.headers['anthropic-version']).toBe(sentVersion!);
      expect(up.headers['anthropic-beta']).toBe('token-efficient-tools-2025-02-19');
      expect((up.body as { tools: unknown[] }).tools).toEqual([WEATHER_TOOL]);
      const log = await logFor(g, response.headers.get('x-request-id'));
      expect(log).toMatchObject({ endpoint: 'messages', prompt_tokens: 384, completion_tokens: 76 });
      expect(log.cost).toBe(claudeCost({ input: 384, output: 76 }));
    });

    test('messages.stream on an Anthropic channel: the stream comes back byte for byte, usage from message_start/message_delta', async () => {
      const stream = client.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 256, tools: [WEATHER_TOOL], messages: [{ role: 'user', content: 'Weather in SF?' }] });
      const message = await stream.finalMessage();
      expect(message.content.find((b) => b.type === 'tool_use')).toMatchObject({ name: 'get_weather', input: { location: 'San Francisco, CA' } });
      const log = await logFor(g, (await stream.withResponse()).response.headers.get('x-request-id'));
      expect(log).toMatchObject({ stream: true, prompt_tokens: 472, completion_tokens: 89, estimated: false });
      expect(log.cost).toBe(claudeCost({ input: 472, output: 89 }));

      const raw = await fetch(`${g.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
      });
      expect(await raw.text()).toBe(fixture('anthropic', 'text.sse'));
      const textLog = await logFor(g, raw.headers.get('x-request-id'));
      // text.sse: 25 input, 2 048 cache read, 15 output.
      expect(textLog).toMatchObject({ prompt_tokens: 25 + 2048, cached_tokens: 2048, completion_tokens: 15 });
      expect(textLog.cost).toBe(claudeCost({ input: 25, cacheRead: 2048, output: 15 }));
    });

    test('Claude on Vertex AI: the body goes through with Vertex\'s anthropic_version and no model', async () => {
      const { data, response } = await client.messages.create({ model: 'claude-opus-4-1@20250805', max_tokens: 256, tools: [WEATHER_TOOL], messages: [{ role: 'user', content: 'Weather?' }] }).withResponse();
      expect(data).toEqual(JSON.parse(fixture('anthropic', 'tool-use.json')));
      const up = vertex.requests.at(-1)!;
      expect(up.path).toBe('/v1/projects/mock-project/locations/us-east5/publishers/anthropic/models/claude-opus-4-1@20250805:rawPredict');
      expect(up.body).toMatchObject({ anthropic_version: 'vertex-2023-10-16', max_tokens: 256, tools: [WEATHER_TOOL] });
      expect((up.body as { model?: string }).model).toBeUndefined();
      const log = await logFor(g, response.headers.get('x-request-id'));
      expect(log.cost).toBe(claudeCost({ input: 384, output: 76 }));

      const stream = client.messages.stream({ model: 'claude-opus-4-1@20250805', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
      expect((await stream.finalMessage()).content[0]).toMatchObject({ type: 'text', text: 'Hello!' });
      expect(vertex.requests.at(-1)!.path).toEndWith(':streamRawPredict');
      const slog = await logFor(g, (await stream.withResponse()).response.headers.get('x-request-id'));
      expect(slog).toMatchObject({ stream: true, cached_tokens: 2048, estimated: false });
    });

    test('an upstream failure inside a converted stream ends it with Anthropic\'s error event and logs a 502', async () => {
      const res = await fetch(`${g.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'mock-throttle', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
      });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"[^"]*Too many requests/);
      expect(text).not.toContain('message_stop');
      const log = await logFor(g, res.headers.get('x-request-id'));
      expect(log).toMatchObject({ status: 502, stream: true });
      expect(log.error_message).toContain('Too many requests');
      await expect(client.messages.stream({ model: 'mock-throttle', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage()).rejects.toThrow('Too many requests');
    });

    test('count_tokens: answered and logged at cost 0', async () => {
      const params = { model: 'claude-sonnet-4-5', messages: [{ role: 'user' as const, content: 'How many tokens is this?' }], tools: [WEATHER_TOOL] };
      const { data, response } = await client.messages.countTokens(params).withResponse();
      expect(data.input_tokens).toBe(anthropicSurface.countTokens(params).input_tokens);
      expect(data.input_tokens).toBeGreaterThan(10);
      const log = await logFor(g, response.headers.get('x-request-id'));
      expect(log).toMatchObject({ endpoint: 'messages/count_tokens', status: 200, prompt_tokens: data.input_tokens, estimated: true });
      expect(log.cost).toBe(0n);
    });

    test('errors come back in Anthropic\'s shape', async () => {
      const post = (body: string, headers: Record<string, string> = { 'x-api-key': key }) =>
        fetch(`${g.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers }, body });
      const cases: Array<[Response, number, string, string]> = [
        [await post('{"model":'), 400, 'invalid_request_error', 'not valid JSON'],
        [await post(JSON.stringify({ model: 'claude-sonnet-4-5', messages: [] })), 400, 'invalid_request_error', 'max_tokens'],
        [await post(JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'robot', content: 'x' }] })), 400, 'invalid_request_error', 'role'],
        [await post(JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [] }), { 'x-api-key': 'sk-wrong' }), 401, 'authentication_error', 'Invalid API key'],
        [await post(JSON.stringify({ model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })), 404, 'not_found_error', 'nope'],
        // A server tool only an Anthropic channel can run, on a model served by chat only.
        [await post(JSON.stringify({ model: 'claude-via-chat', max_tokens: 5, tools: [{ type: 'web_search_20250305', name: 'web_search' }], messages: [{ role: 'user', content: 'x' }] })), 400, 'invalid_request_error', 'server tool'],
      ];
      for (const [res, status, type, mentions] of cases) {
        expect(res.status).toBe(status);
        const body = (await res.json()) as { type: string; error: { type: string; message: string } };
        expect(body.type).toBe('error');
        expect(body.error.type).toBe(type);
        expect(body.error.message).toContain(mentions);
      }
      const ct = await fetch(`${g.url}/v1/messages/count_tokens`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: '{"messages":[]}' });
      expect(ct.status).toBe(400);
      expect(((await ct.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    });
  });

  describe('OpenAI Responses', () => {
    let client: OpenAI;
    beforeAll(() => {
      client = new OpenAI({ baseURL: `${g.url}/v1`, apiKey: key, maxRetries: 0 });
    });
    const tools = [{ type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false }];
    const nativeCost = BigInt(RESPONSE_USAGE.input_tokens - 10) * 1_000n + 10n * 500n + BigInt(RESPONSE_USAGE.output_tokens) * 2_000n;

    test('responses.create on a chat-only channel: converted, function call, metered', async () => {
      const { data, response } = await client.responses.create({ model: 'resp-convert', input: 'Weather in Paris?', tools }).withResponse();
      const call = data.output.find((o) => o.type === 'function_call');
      expect(call).toMatchObject({ name: 'get_weather', arguments: TOOL_CALL.arguments, call_id: TOOL_CALL.id });
      expect(data.usage?.input_tokens).toBe(CHAT_USAGE.prompt_tokens);
      expect(endpoints.last('/chat/completions')!.body.model).toBe('resp-convert');
      const log = await logFor(g, response.headers.get('x-request-id'));
      expect(log).toMatchObject({ endpoint: 'responses', status: 200, prompt_tokens: CHAT_USAGE.prompt_tokens });
      expect(log.cost).toBe(CHAT_COST);
    });

    test('responses.create streamed on a chat-only channel: response.* events rebuilt', async () => {
      const { data: stream, response } = await client.responses.create({ model: 'resp-convert', input: 'Hi', stream: true }).withResponse();
      let text = '';
      let completed: OpenAI.Responses.Response | null = null;
      for await (const ev of stream) {
        if (ev.type === 'response.output_text.delta') text += ev.delta;
        if (ev.type === 'response.completed') completed = ev.response;
      }
      expect(text).toBe('Hello from chat');
      expect(completed!.usage?.output_tokens).toBe(CHAT_USAGE.completion_tokens);
      const log = await logFor(g, response.headers.get('x-request-id'));
      expect(log).toMatchObject({ stream: true, estimated: false });
      expect(log.cost).toBe(CHAT_COST);
    });

    test('responses.create on an OpenAI channel: passed through to /v1/responses', async () => {
      const { data, response } = await client.responses.create({ model: 'resp-native', input: 'Hi', store: true }).withResponse();
      expect(data.output_text).toBe(RESPONSE_TEXT);
      const up = endpoints.last('/responses')!;
      expect(up.body).toEqual({ model: 'resp-native', input: 'Hi', store: true });
      const log = await logFor(g, response.headers.get('x-request-id'));
      expect(log).toMatchObject({ endpoint: 'responses', prompt_tokens: RESPONSE_USAGE.input_tokens, cached_tokens: 10, completion_tokens: RESPONSE_USAGE.output_tokens });
      expect(log.cost).toBe(nativeCost);
    });

    test('responses.create streamed on an OpenAI channel: bytes through, metered from response.completed', async () => {
      const { data: stream, response } = await client.responses.create({ model: 'resp-native', input: 'Hi', stream: true }).withResponse();
      let text = '';
      for await (const ev of stream) if (ev.type === 'response.output_text.delta') text += ev.delta;
      expect(text).toBe(RESPONSE_TEXT);
      const log = await logFor(g, response.headers.get('x-request-id'));
      expect(log).toMatchObject({ stream: true, estimated: false, cached_tokens: 10 });
      expect(log.cost).toBe(nativeCost);
    });

    test('stateful fields and malformed bodies are 400s in OpenAI\'s shape', async () => {
      const post = (body: string) => fetch(`${g.url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
      for (const [body, mentions] of [
        [JSON.stringify({ model: 'resp-native', input: 'x', previous_response_id: 'resp_1' }), 'previous_response_id'],
        [JSON.stringify({ model: 'resp-native', input: 7 }), 'input'],
        ['not json', 'not valid JSON'],
      ] as const) {
        const res = await post(body);
        expect(res.status).toBe(400);
        const err = (await res.json()) as { error: { type: string; message: string } };
        expect(err.error.type).toBe('invalid_request_error');
        expect(err.error.message).toContain(mentions);
      }
    });
  });

  describe('Gemini inbound', () => {
    const contents = [{ role: 'user', parts: [{ text: 'Hello' }] }];

    test('generateContent with x-goog-api-key, converted onto an OpenAI channel', async () => {
      const res = await fetch(`${g.url}/v1beta/models/gem-via-chat:generateContent`, {
        method: 'POST', headers: { 'x-goog-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify({ contents }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { candidates: Array<{ content: { parts: Array<{ text?: string }> }; finishReason: string }>; usageMetadata: { promptTokenCount: number } };
      expect(body.candidates[0]!.content.parts[0]!.text).toBe('Hello from chat');
      expect(body.candidates[0]!.finishReason).toBe('STOP');
      expect(body.usageMetadata.promptTokenCount).toBe(CHAT_USAGE.prompt_tokens);
      const log = await logFor(g, res.headers.get('x-request-id'));
      expect(log).toMatchObject({ endpoint: 'generateContent', model: 'gem-via-chat', stream: false });
      expect(log.cost).toBe(CHAT_COST);
    });

    test('streamGenerateContent?alt=sse with ?key=, a function call, converted', async () => {
      const tools = [{ functionDeclarations: [{ name: 'get_weather', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } } } }] }];
      const res = await fetch(`${g.url}/v1beta/models/gem-via-chat:streamGenerateContent?alt=sse&key=${key}`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contents, tools }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const frames = (await res.text()).split(/\r\n\r\n/).filter(Boolean).map((f) => JSON.parse(f.replace(/^data: /, '')));
      const last = frames.at(-1);
      expect(last.candidates[0].content.parts[0].functionCall).toMatchObject({ name: 'get_weather', args: { city: 'Paris' } });
      expect(last.usageMetadata.candidatesTokenCount).toBe(CHAT_USAGE.completion_tokens);
      const log = await logFor(g, res.headers.get('x-request-id'));
      expect(log).toMatchObject({ endpoint: 'generateContent', stream: true, estimated: false });
      expect(log.cost).toBe(CHAT_COST);
    });

    test('on a Gemini channel the request and answer pass through', async () => {
      const res = await fetch(`${g.url}/v1beta/models/gemini-2.5-flash:generateContent?key=${key}`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contents }),
      });
      expect(await res.text()).toBe(fixture('gemini', 'text.json'));
      expect(gemini.requests.at(-1)!.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
      expect(gemini.requests.at(-1)!.body).toEqual({ contents });
      const log = await logFor(g, res.headers.get('x-request-id'));
      // text.json: 1 200 prompt (1 024 cached), 24 candidates + 112 thoughts.
      expect(log).toMatchObject({ prompt_tokens: 1200, cached_tokens: 1024, completion_tokens: 136, reasoning_tokens: 112 });
      expect(log.cost).toBe(176n * 1_000n + 1024n * 250n + 136n * 2_000n);

      const sse = await fetch(`${g.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
        method: 'POST', headers: { 'x-goog-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify({ contents }),
      });
      expect(await sse.text()).toBe(fixture('gemini', 'text.sse'));
      const slog = await logFor(g, sse.headers.get('x-request-id'));
      // text.sse, last frame: 8 prompt, 7 candidates + 30 thoughts.
      expect(slog).toMatchObject({ prompt_tokens: 8, completion_tokens: 37, estimated: false });
    });

    test('errors come back in Gemini\'s shape', async () => {
      const post = (path: string, body: string, headers: Record<string, string> = { 'x-goog-api-key': key }) =>
        fetch(`${g.url}/v1beta/models/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const cases: Array<[Response, number, string]> = [
        [await post('gem-via-chat:generateContent', JSON.stringify({ contents: [] })), 400, 'INVALID_ARGUMENT'],
        [await post('gem-via-chat:generateContent', '{'), 400, 'INVALID_ARGUMENT'],
        [await post('gem-via-chat:streamGenerateContent', JSON.stringify({ contents })), 400, 'INVALID_ARGUMENT'],
        [await post('gem-via-chat:generateContent', JSON.stringify({ contents }), {}), 401, 'UNAUTHENTICATED'],
        [await post('gem-via-chat:embedContent', JSON.stringify({ contents })), 404, 'NOT_FOUND'],
      ];
      for (const [res, status, name] of cases) {
        expect(res.status).toBe(status);
        const body = (await res.json()) as { error: { code: number; status: string; message: string } };
        expect(body.error).toMatchObject({ code: status, status: name });
        expect(body.error.message.length).toBeGreaterThan(5);
      }
    });
  });
});
