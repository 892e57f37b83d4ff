import { expect, test } from 'bun:test';
import type { ChatRequest } from '../../server/relay/protocols/openai/types.ts';
import anthropic from '../../server/relay/providers/anthropic/index.ts';
import { requestFromChat } from '../../server/relay/protocols/anthropic/request-from-chat.ts';
import { responseToChat } from '../../server/relay/protocols/anthropic/response-to-chat.ts';
import { streamToChat } from '../../server/relay/protocols/anthropic/stream-to-chat.ts';
import { errorMessage } from '../../server/relay/protocols/anthropic/upstream-error.ts';
import { VendorStreamError } from '../../server/relay/protocols/shared/errors.ts';
import type { ChannelTarget } from '../../server/relay/providers/types.ts';
import { accumulate, deltas, fixtureJson, fixtureText, parseSse, replay } from './fixtures.ts';

const target = (over: Partial<ChannelTarget> = {}): ChannelTarget => ({ id: 1, type: 14, baseUrl: 'https://api.anthropic.com', key: 'sk-ant-test', config: {}, ...over });
const ctx = { model: 'claude-sonnet-4-5-20250929', stream: false };

test('request: system prompt, default max_tokens, stop, user', () => {
  const req: ChatRequest = {
    model: 'claude-sonnet-4-5-20250929',
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'developer', content: 'Answer in English.' },
      { role: 'user', content: 'Hi' },
    ],
    stop: 'END',
    temperature: 0.2,
    user: 'u-42',
  };
  expect(requestFromChat(req)).toEqual({
    model: 'claude-sonnet-4-5-20250929',
    max_tokens: 8192,
    system: 'You are terse.\n\nAnswer in English.',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    temperature: 0.2,
    stop_sequences: ['END'],
    metadata: { user_id: 'u-42' },
  });
});

test('request: max_tokens default is 4096 for Claude 3 models and explicit values win', () => {
  expect(requestFromChat({ model: 'claude-3-haiku-20240307', messages: [] }).max_tokens).toBe(4096);
  expect(requestFromChat({ model: 'claude-3-5-haiku-20241022', messages: [] }).max_tokens).toBe(8192);
  expect(requestFromChat({ model: 'claude-3-haiku-20240307', messages: [], max_completion_tokens: 100, max_tokens: 50 }).max_tokens).toBe(100);
});

test('request: base64 and URL images', () => {
  const req: ChatRequest = {
    model: 'claude-sonnet-4-5',
    messages: [{
      role: 'user',
      content: [
        { type: 'text', text: 'Compare these' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        { type: 'image_url', image_url: { url: 'https://upload.wikimedia.org/cat.jpg' } },
      ],
    }],
  };
  expect(requestFromChat(req).messages).toEqual([{
    role: 'user',
    content: [
      { type: 'text', text: 'Compare these' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://upload.wikimedia.org/cat.jpg' } },
    ],
  }]);
});

test('request: tools, tool_choice and a tool_use/tool_result round trip', () => {
  const req: ChatRequest = {
    model: 'claude-sonnet-4-5',
    tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather now', parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } } }],
    tool_choice: { type: 'function', function: { name: 'get_weather' } },
    messages: [
      { role: 'user', content: 'Weather in SF and NYC?' },
      { role: 'assistant', content: null, tool_calls: [
        { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"SF"}' } },
        { id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"location":"NYC"}' } },
      ] },
      { role: 'tool', tool_call_id: 'toolu_1', content: '15°C' },
      { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '22°C' }] },
    ],
  };
  const out = requestFromChat(req);
  expect(out.tools).toEqual([{ name: 'get_weather', description: 'Weather now', input_schema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } }]);
  expect(out.tool_choice).toEqual({ type: 'tool', name: 'get_weather' });
  expect(out.messages).toEqual([
    { role: 'user', content: [{ type: 'text', text: 'Weather in SF and NYC?' }] },
    { role: 'assistant', content: [
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'SF' } },
      { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { location: 'NYC' } },
    ] },
    // Both results in one user turn, as Anthropic requires.
    { role: 'user', content: [
      { type: 'tool_result', tool_use_id: 'toolu_1', content: '15°C' },
      { type: 'tool_result', tool_use_id: 'toolu_2', content: '22°C' },
    ] },
  ]);
});

test('request: tool_choice variants and parallel_tool_calls', () => {
  const base: ChatRequest = { model: 'claude-sonnet-4-5', messages: [], tools: [{ type: 'function', function: { name: 'f' } }] };
  expect(requestFromChat({ ...base, tool_choice: 'required' }).tool_choice).toEqual({ type: 'any' });
  expect(requestFromChat({ ...base, tool_choice: 'none' }).tool_choice).toEqual({ type: 'none' });
  expect(requestFromChat({ ...base, tool_choice: 'auto', parallel_tool_calls: false }).tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
  expect(requestFromChat({ ...base, parallel_tool_calls: false }).tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
  expect(requestFromChat(base).tools?.[0]?.input_schema).toEqual({ type: 'object', properties: {} });
});

test('request: reasoning_effort enables thinking and drops sampling overrides', () => {
  const out = requestFromChat({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }], reasoning_effort: 'medium', temperature: 0.5, max_tokens: 1000 });
  expect(out.thinking).toEqual({ type: 'enabled', budget_tokens: 8192 });
  expect(out.max_tokens).toBe(8192 + 8192);
  expect(out.temperature).toBeUndefined();
});

test('response: text with cache read and 5m/1h cache writes', () => {
  const { response, usage } = responseToChat(fixtureJson('anthropic', 'text.json'), 'claude-sonnet-4-5');
  expect(response.id).toBe('msg_01XFDUDYJgAACzvnptvVoYEL');
  expect(response.choices).toEqual([{ index: 0, message: { role: 'assistant', content: 'Hello! How can I help you today?' }, finish_reason: 'stop' }]);
  // input_tokens already excludes cache reads and writes.
  expect(usage).toEqual({ input: 21, output: 12, cacheRead: 3000, cacheWrite: 1500, cacheWrite1h: 500, reasoning: 0 });
  expect(response.usage).toEqual({
    prompt_tokens: 4521, completion_tokens: 12, total_tokens: 4533,
    prompt_tokens_details: { cached_tokens: 3000, cache_creation_tokens: 1500 },
    completion_tokens_details: { reasoning_tokens: 0 },
  });
});

test('response: tool_use becomes tool_calls', () => {
  const { response } = responseToChat(fixtureJson('anthropic', 'tool-use.json'), 'm');
  expect(response.choices[0]).toEqual({
    index: 0,
    finish_reason: 'tool_calls',
    message: {
      role: 'assistant',
      content: "I'll check the weather in San Francisco.",
      tool_calls: [{ id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' } }],
    },
  });
});

test('response: thinking block becomes reasoning_content; max_tokens → length', () => {
  const { response } = responseToChat(fixtureJson('anthropic', 'thinking.json'), 'm');
  expect(response.choices[0]?.message.reasoning_content).toBe('The user asks for 27 * 453. 27 * 453 = 12231.');
  expect(response.choices[0]?.message.content).toBe('27 × 453 = 12,231');
  expect(response.choices[0]?.finish_reason).toBe('length');
});

test('stream: text deltas, finish and usage with cache read', () => {
  const conv = streamToChat('claude-sonnet-4-5');
  const chunks = replay(conv, parseSse(fixtureText('anthropic', 'text.sse')));
  expect(deltas(chunks)).toEqual([
    { role: 'assistant', content: '', finish: null },
    { content: 'Hello', finish: null },
    { content: '!', finish: null },
    { finish: 'stop' },
    { usage: { prompt_tokens: 2073, completion_tokens: 15, total_tokens: 2088, prompt_tokens_details: { cached_tokens: 2048 }, completion_tokens_details: { reasoning_tokens: 0 } } },
  ]);
  expect(chunks[0]?.id).toBe('msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY');
  expect(conv.usage()).toEqual({ input: 25, output: 15, cacheRead: 2048, cacheWrite: 0, cacheWrite1h: 0, reasoning: 0 });
});

test('stream: tool call with input_json_delta argument pieces', () => {
  const chunks = replay(streamToChat('m'), parseSse(fixtureText('anthropic', 'tool-call.sse')));
  const acc = accumulate(chunks);
  expect(acc.content).toBe("Okay, let's check the weather for San Francisco, CA:");
  expect(acc.tools).toEqual([{ id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', arguments: '{"location": "San Francisco, CA"}' }]);
  expect(acc.finish).toBe('tool_calls');
  // The first tool delta names the call; later ones only carry argument text.
  const toolDeltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
  expect(toolDeltas[0]).toEqual({ index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '' } });
  expect(toolDeltas.slice(1)).toEqual([{ index: 0, function: { arguments: '{"location":' } }, { index: 0, function: { arguments: ' "San Francisco, CA"}' } }] as never);
});

test('stream: thinking deltas become reasoning_content, signatures are dropped', () => {
  const acc = accumulate(replay(streamToChat('m'), parseSse(fixtureText('anthropic', 'thinking.sse'))));
  expect(acc.reasoning).toBe('Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3');
  expect(acc.content).toBe('27 * 453 = 12,231');
  expect(acc.finish).toBe('stop');
});

test('stream: an error event throws VendorStreamError with the vendor type', () => {
  const conv = streamToChat('m');
  const events = parseSse(fixtureText('anthropic', 'error.sse'));
  expect(conv.push(events[0]!)).toHaveLength(1);
  let caught: unknown;
  try {
    conv.push(events[1]!);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(VendorStreamError);
  expect((caught as VendorStreamError).message).toBe('Overloaded');
  expect((caught as VendorStreamError).type).toBe('overloaded_error');
});

test('errors: documented body and non-JSON fallback', () => {
  expect(errorMessage(400, fixtureText('anthropic', 'error.json'))).toEqual({
    message: 'messages: roles must alternate between "user" and "assistant", but found multiple "user" roles in a row',
    type: 'invalid_request_error',
  });
  expect(errorMessage(502, '<html>Bad gateway</html>').message).toBe('<html>Bad gateway</html>');
});

test('url and headers: base with or without /v1, full path, beta header', () => {
  expect(anthropic.url(target(), 'chat/completions', ctx)).toBe('https://api.anthropic.com/v1/messages');
  expect(anthropic.url(target({ baseUrl: 'https://proxy.example/v1' }), 'chat/completions', ctx)).toBe('https://proxy.example/v1/messages');
  expect(anthropic.url(target({ baseUrl: 'https://proxy.example/v1/messages' }), 'chat/completions', ctx)).toBe('https://proxy.example/v1/messages');
  expect(anthropic.headers(target({ config: { beta: 'extended-cache-ttl-2025-04-11' } }), ctx)).toEqual({
    'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'extended-cache-ttl-2025-04-11',
  });
});
