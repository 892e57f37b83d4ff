// Drives each provider against its mock upstream the way the relay core does:
// url + headers (+ sign), POST the converted body, convert the reply back.
import { expect, test } from 'bun:test';
import type { ChatRequest, ChatResponse, MeteredUsage } from '../../server/relay/protocols/openai/types.ts';
import { providerFor } from '../../server/relay/providers/registry.ts';
import type { ChannelTarget, Provider, SseEvent, UpstreamRequest } from '../../server/relay/providers/types.ts';
import * as anthropicMock from '../mocks/vendors/anthropic.ts';
import * as azureMock from '../mocks/vendors/azure.ts';
import * as bedrockMock from '../mocks/vendors/bedrock.ts';
import * as geminiMock from '../mocks/vendors/gemini.ts';
import * as vertexMock from '../mocks/vendors/vertex.ts';
import { accumulate, parseSse } from './fixtures.ts';

const TOOLS: ChatRequest['tools'] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }];

interface CallResult {
  status: number;
  error?: { message: string; type?: string };
  response?: ChatResponse;
  usage?: MeteredUsage | null;
  events?: SseEvent[];
  stream?: ReturnType<typeof accumulate>;
}

async function call(p: Provider, target: ChannelTarget, req: ChatRequest): Promise<CallResult> {
  const ctx = { model: req.model, stream: Boolean(req.stream) };
  const body = p.wire === 'native' ? JSON.stringify(p.chat!.requestFromChat(req, target)) : JSON.stringify(req);
  let up: UpstreamRequest = { url: p.url(target, 'chat/completions', ctx), method: 'POST', headers: { 'content-type': 'application/json', ...(await p.headers(target, ctx)) }, body };
  if (p.sign) up = await p.sign(up, target);
  const res = await fetch(up.url, { method: up.method, headers: up.headers, body: up.body as BodyInit });
  if (!res.ok) return { status: res.status, error: p.chat?.errorMessage?.(res.status, await res.text()) };
  if (!req.stream) {
    const json = await res.json();
    return { status: res.status, ...(p.wire === 'native' ? p.chat!.responseToChat(json, req.model) : { response: json as ChatResponse, usage: null }) };
  }
  let events: SseEvent[];
  if (p.streamDecoder) {
    const d = p.streamDecoder();
    events = [];
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) events.push(...d.push(chunk));
    events.push(...(d.end?.() ?? []));
  } else {
    events = parseSse(await res.text());
  }
  if (p.wire !== 'native') return { status: res.status, events };
  const conv = p.chat!.streamToChat(req.model);
  const chunks = [...events.flatMap((e) => conv.push(e)), ...conv.end()];
  return { status: res.status, stream: accumulate(chunks), usage: conv.usage() };
}

test('anthropic mock: JSON, streamed tool call, error', async () => {
  const mock = await anthropicMock.start();
  try {
    const p = providerFor(14);
    const t: ChannelTarget = { id: 1, type: 14, baseUrl: mock.url, key: 'sk-ant-mock', config: {} };
    const plain = await call(p, t, { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }] });
    expect(plain.response?.choices[0]?.message.content).toBe('Hello! How can I help you today?');
    const streamed = await call(p, t, { model: 'claude-sonnet-4-5', stream: true, tools: TOOLS, messages: [{ role: 'user', content: 'Weather?' }] });
    expect(streamed.stream?.tools[0]?.arguments).toBe('{"location": "San Francisco, CA"}');
    expect(streamed.usage?.input).toBe(472);
    const err = await call(p, t, { model: 'mock-error', messages: [{ role: 'user', content: 'x' }] });
    expect(err.status).toBe(400);
    expect(err.error?.type).toBe('invalid_request_error');
    expect(mock.requests[0]?.headers['anthropic-version']).toBe('2023-06-01');
    expect(mock.requests[0]?.path).toBe('/v1/messages');
  } finally {
    mock.stop();
  }
});

test('gemini mock: JSON and SSE with functionCall', async () => {
  const mock = await geminiMock.start();
  try {
    const p = providerFor(24);
    const t: ChannelTarget = { id: 1, type: 24, baseUrl: mock.url, key: 'AIzaMock', config: {} };
    const plain = await call(p, t, { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Haiku' }] });
    expect(plain.usage?.reasoning).toBe(112);
    const streamed = await call(p, t, { model: 'gemini-2.5-flash', stream: true, tools: TOOLS, messages: [{ role: 'user', content: 'Weather?' }] });
    expect(streamed.stream?.finish).toBe('tool_calls');
    expect(mock.requests[1]?.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  } finally {
    mock.stop();
  }
});

test('bedrock mock: SigV4 verified by the mock, event-stream decoded across split frames, exceptions', async () => {
  const creds = { accessKeyId: 'AKIAMOCK', secretAccessKey: 'mock/secret', region: 'us-west-2' };
  const mock = await bedrockMock.start({ credentials: creds });
  try {
    const p = providerFor(33);
    const t: ChannelTarget = { id: 1, type: 33, baseUrl: mock.url, key: `${creds.accessKeyId}|${creds.secretAccessKey}|${creds.region}`, config: {} };
    const model = 'anthropic.claude-3-5-haiku-20241022-v1:0';
    const plain = await call(p, t, { model, messages: [{ role: 'user', content: 'Hi' }] });
    expect(plain.status).toBe(200);
    expect(plain.usage?.cacheWrite1h).toBe(800);
    const streamed = await call(p, t, { model, stream: true, tools: TOOLS, messages: [{ role: 'user', content: 'Top song?' }] });
    expect(streamed.stream?.tools[0]).toEqual({ id: 'tooluse_Z8Ki4b4ZSPqTJ9yNvHz0sg', name: 'top_song', arguments: '{"sign": "WZPZ"}' });
    const wrong = await call(p, { ...t, key: `${creds.accessKeyId}|wrong|${creds.region}` }, { model, messages: [{ role: 'user', content: 'Hi' }] });
    expect(wrong.status).toBe(403);
    await expect(call(p, t, { model: 'mock-throttle', stream: true, messages: [{ role: 'user', content: 'Hi' }] })).rejects.toThrow('Too many requests');
  } finally {
    mock.stop();
  }
});

test('azure mock: deployment path, api-version, api-key; OpenAI wire passes through', async () => {
  const mock = await azureMock.start();
  try {
    const p = providerFor(3);
    const t: ChannelTarget = { id: 1, type: 3, baseUrl: mock.url, key: 'azure-key', config: { api_version: '2024-10-21' } };
    const plain = await call(p, t, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    expect(plain.response?.usage?.prompt_tokens_details?.cached_tokens).toBe(1280);
    const streamed = await call(p, t, { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    expect(streamed.events?.some((e) => e.data.includes('"usage"'))).toBe(false);
    expect(mock.requests[0]?.path).toBe('/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21');
    expect(mock.requests[0]?.headers['api-key']).toBe('azure-key');
  } finally {
    mock.stop();
  }
});

test('vertex mock: token exchange once, Gemini and Claude on one channel', async () => {
  const mock = await vertexMock.start();
  try {
    const p = providerFor(42);
    const t: ChannelTarget = { id: 1, type: 42, baseUrl: mock.url, key: mock.serviceAccountKey, config: { region: 'us-east5' } };
    const gem = await call(p, t, { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }] });
    expect(gem.usage?.cacheRead).toBe(1024);
    const claude = await call(p, t, { model: 'claude-sonnet-4-5@20250929', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    expect(claude.stream?.content).toBe('Hello!');
    expect(mock.tokenRequests).toBe(1);
    expect(mock.requests.at(-1)?.path).toBe('/v1/projects/mock-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict');
  } finally {
    mock.stop();
  }
});
