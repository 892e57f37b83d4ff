import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, test } from 'bun:test';
import { countTokens as countText } from 'gpt-tokenizer';
import type { ChatChunk, ChatResponse } from '../../server/relay/protocols/openai/types.ts';
import { anthropicSurface as surface } from '../../server/relay/protocols/anthropic/index.ts';
import type { MessagesRequest } from '../../server/relay/protocols/anthropic/schema.ts';
import { ConversionError } from '../../server/relay/protocols/types.ts';
import { chunk, fixture, fixtureText, parseSse, runStream, serveFixed, usageChunk } from './helpers.ts';

function parsed(body: unknown): MessagesRequest {
  const r = surface.parse(body);
  if (!r.ok) throw new Error(r.message);
  return r.request;
}

const minimal = { model: 'claude-test', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] };

describe('anthropic: request → chat', () => {
  for (const name of ['text', 'image', 'tools', 'thinking']) {
    test(`request-${name}.json converts exactly`, async () => {
      const f = await fixture(`anthropic/request-${name}.json`);
      expect(surface.requestToChat(parsed(f.inbound), f.model)).toEqual(f.chat);
    });
  }

  test('tool_choice auto/tool/none map to chat tool_choice', () => {
    const choose = (tool_choice: unknown) => surface.requestToChat(parsed({ ...minimal, tool_choice }), 'm').tool_choice;
    expect(choose({ type: 'auto' })).toBe('auto');
    expect(choose({ type: 'none' })).toBe('none');
    expect(choose({ type: 'tool', name: 'get_weather' })).toEqual({ type: 'function', function: { name: 'get_weather' } });
  });

  test('images inside a tool_result ride in the following user message', () => {
    const req = parsed({
      ...minimal,
      messages: [
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'shot', input: {} }] },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'done' }, { type: 'image', source: { type: 'base64', media_type: 'image/gif', data: 'R0lG' } }] }],
        },
      ],
    });
    expect(surface.requestToChat(req, 'm').messages.slice(1)).toEqual([
      { role: 'tool', tool_call_id: 't1', content: 'done' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/gif;base64,R0lG' } }] },
    ]);
  });

  test('output_config.effort wins over thinking budget; xhigh caps at high', () => {
    const req = parsed({ ...minimal, thinking: { type: 'enabled', budget_tokens: 1024 }, output_config: { effort: 'max' } });
    expect(surface.requestToChat(req, 'm').reasoning_effort).toBe('high');
    expect(surface.requestToChat(parsed({ ...minimal, thinking: { type: 'enabled', budget_tokens: 2000 } }), 'm').reasoning_effort).toBe('low');
    expect(surface.requestToChat(parsed({ ...minimal, thinking: { type: 'disabled' } }), 'm').reasoning_effort).toBeUndefined();
  });

  test('server tools parse (for passthrough) but refuse conversion', () => {
    const req = parsed({ ...minimal, tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 5 }] });
    expect(() => surface.requestToChat(req, 'm')).toThrow(ConversionError);
    expect(() => surface.requestToChat(req, 'm')).toThrow(/web_search.*Anthropic channel/);
  });
});

describe('anthropic: malformed requests', () => {
  test('missing max_tokens names the field', () => {
    const r = surface.parse({ model: 'claude', messages: [] });
    expect(r).toEqual({ ok: false, message: expect.stringContaining('max_tokens') });
  });

  test('a bad block points at its path', () => {
    const r = surface.parse({ ...minimal, messages: [{ role: 'user', content: [{ type: 'text', text: 42 }] }] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('messages.0.content.0.text');
  });

  test('an unknown role and a non-object body are rejected', () => {
    const r = surface.parse({ ...minimal, messages: [{ role: 'tool', content: 'x' }] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('messages.0.role');
    expect(surface.parse('{"model":1}')).toEqual({ ok: false, message: 'Request body must be a JSON object.' });
  });

  test('image with an unsupported media type is rejected', () => {
    const r = surface.parse({ ...minimal, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/bmp', data: 'x' } }] }] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('media_type');
  });
});

describe('anthropic: chat response → message', () => {
  test('response-tool-use.json: thinking, text, tool_use and cached usage', async () => {
    const f = await fixture('anthropic/response-tool-use.json');
    expect(surface.responseFromChat(f.chat, parsed(minimal))).toEqual(f.message);
  });

  test('finish reasons map to stop reasons', () => {
    const reason = (finish: string) => {
      const res: ChatResponse = { id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, finish_reason: finish }] };
      return (surface.responseFromChat(res, parsed(minimal)) as { stop_reason: string }).stop_reason;
    };
    expect(reason('stop')).toBe('end_turn');
    expect(reason('length')).toBe('max_tokens');
    expect(reason('content_filter')).toBe('refusal');
    expect(reason('tool_calls')).toBe('tool_use');
  });

  test('cache writes are excluded from input_tokens', () => {
    const res: ChatResponse = {
      id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1000, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 200, cache_creation_tokens: 700 } },
    };
    expect((surface.responseFromChat(res, parsed(minimal)) as { usage: unknown }).usage).toEqual({
      input_tokens: 100, output_tokens: 5, cache_creation_input_tokens: 700, cache_read_input_tokens: 200,
    });
  });
});

describe('anthropic: stream', () => {
  test('stream-text-tools: transcript matches the fixture byte for byte', async () => {
    const chunks = await fixture<ChatChunk[]>('anthropic/stream-text-tools.chunks.json');
    const expected = await fixtureText('anthropic/stream-text-tools.sse.txt');
    expect(runStream(surface.streamFromChat(parsed(minimal)), chunks)).toBe(expected);
  });

  test('text then two tool calls: block starts, indices and stops', () => {
    const s = surface.streamFromChat(parsed(minimal));
    const out = runStream(s, [
      chunk({ role: 'assistant', content: 'Hi' }),
      chunk({ content: ' there' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'a', arguments: '{"x"' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'b', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
      usageChunk({ prompt_tokens: 10, completion_tokens: 7 }),
    ]);
    const events = parseSse(out);
    expect(events.every((e) => e.event === e.data.type)).toBe(true);
    expect(events.map((e) => [e.data.type, e.data.index ?? null, e.data.content_block?.type ?? e.data.delta?.type ?? null])).toEqual([
      ['message_start', null, null],
      ['ping', null, null],
      ['content_block_start', 0, 'text'],
      ['content_block_delta', 0, 'text_delta'],
      ['content_block_delta', 0, 'text_delta'],
      ['content_block_stop', 0, null],
      ['content_block_start', 1, 'tool_use'],
      ['content_block_delta', 1, 'input_json_delta'],
      ['content_block_delta', 1, 'input_json_delta'],
      ['content_block_stop', 1, null],
      ['content_block_start', 2, 'tool_use'],
      ['content_block_delta', 2, 'input_json_delta'],
      ['content_block_stop', 2, null],
      ['message_delta', null, null],
      ['message_stop', null, null],
    ]);
    expect(events[13]!.data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { input_tokens: 10, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  test('end(usage) overrides usage seen on chunks; nothing is emitted after end', () => {
    const s = surface.streamFromChat(parsed(minimal));
    s.push(chunk({ content: 'x' }, 'length', { prompt_tokens: 1, completion_tokens: 1 }));
    const tail = parseSse(s.end({ prompt_tokens: 50, completion_tokens: 9, prompt_tokens_details: { cached_tokens: 20 } }));
    expect(tail.find((e) => e.data.type === 'message_delta')!.data.usage).toEqual({ input_tokens: 30, output_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 20 });
    expect(tail.find((e) => e.data.type === 'message_delta')!.data.delta.stop_reason).toBe('max_tokens');
    expect(s.push(chunk({ content: 'late' }))).toBe('');
    expect(s.end()).toBe('');
  });

  test('an empty stream still produces a complete message', () => {
    const types = parseSse(surface.streamFromChat(parsed(minimal)).end()).map((e) => e.data.type);
    expect(types).toEqual(['message_start', 'ping', 'message_delta', 'message_stop']);
  });

  test('fail() emits an error event in Anthropic shape', () => {
    const s = surface.streamFromChat(parsed(minimal));
    s.push(chunk({ content: 'x' }));
    expect(s.fail('upstream died')).toBe('event: error\ndata: {"type":"error","error":{"type":"api_error","message":"upstream died"}}\n\n');
    expect(s.end()).toBe('');
  });
});

describe('anthropic: errors and count_tokens', () => {
  test('status → error type', () => {
    const type = (status: number) => (surface.errorBody(status, 'm').body as { error: { type: string } }).error.type;
    expect(surface.errorBody(400, 'bad')).toEqual({ status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'bad' } } });
    expect([401, 403, 404, 413, 422, 429, 500, 502, 529].map(type)).toEqual([
      'authentication_error', 'permission_error', 'not_found_error', 'request_too_large', 'invalid_request_error', 'rate_limit_error', 'api_error', 'api_error', 'overloaded_error',
    ]);
    expect(type(503)).toBe('api_error');
    expect((surface.errorBody(400, 'm', 'overloaded_error').body as { error: { type: string } }).error.type).toBe('overloaded_error');
  });

  test('count_tokens is the o200k count of the converted text plus framing', () => {
    const r = surface.parseCountTokens({ model: 'claude', system: 'Be brief.', messages: [{ role: 'user', content: 'Hello, world' }] });
    if (!r.ok) throw new Error(r.message);
    expect(surface.countTokens(r.request)).toEqual({ input_tokens: 3 + countText('Be brief.') + 3 + countText('Hello, world') });
  });

  test('count_tokens counts tools and does not need max_tokens', () => {
    const base = { model: 'claude', messages: [{ role: 'user', content: 'Hi' }] };
    const tools = [{ name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }];
    const a = surface.parseCountTokens(base);
    const b = surface.parseCountTokens({ ...base, tools });
    if (!a.ok || !b.ok) throw new Error('parse failed');
    expect(surface.countTokens(b.request).input_tokens).toBeGreaterThan(surface.countTokens(a.request).input_tokens + 10);
  });
});

describe('anthropic: the official SDK reads our output', () => {
  test('messages.stream() → finalMessage() with thinking, text and two tool calls', async () => {
    const chunks = await fixture<ChatChunk[]>('anthropic/stream-text-tools.chunks.json');
    const sse = runStream(surface.streamFromChat(parsed(minimal)), chunks);
    const srv = serveFixed(sse, 'text/event-stream');
    try {
      const client = new Anthropic({ baseURL: srv.url, apiKey: 'x', maxRetries: 0 });
      const stream = client.messages.stream({ model: 'claude-test', max_tokens: 64, messages: [{ role: 'user', content: 'Weather?' }] });
      let text = '';
      stream.on('text', (t) => (text += t));
      const message = await stream.finalMessage();
      expect(text).toBe('Checking both.');
      expect(message.content.map((b) => b.type)).toEqual(['thinking', 'text', 'tool_use', 'tool_use']);
      expect(message.content.filter((b) => b.type === 'tool_use').map((b) => (b as { input: unknown }).input)).toEqual([{ location: 'Paris' }, { location: 'Tokyo' }]);
      expect(message.stop_reason).toBe('tool_use');
      expect(message.usage).toMatchObject({ input_tokens: 20, output_tokens: 40, cache_read_input_tokens: 100 });
    } finally {
      srv.stop();
    }
  });

  test('messages.create() reads fromChat JSON', async () => {
    const f = await fixture('anthropic/response-tool-use.json');
    const srv = serveFixed(JSON.stringify(surface.responseFromChat(f.chat, parsed(minimal))), 'application/json');
    try {
      const client = new Anthropic({ baseURL: srv.url, apiKey: 'x', maxRetries: 0 });
      const message = await client.messages.create({ model: 'claude-test', max_tokens: 64, messages: [{ role: 'user', content: 'Weather?' }] });
      const tool = message.content.find((b) => b.type === 'tool_use');
      expect(tool).toMatchObject({ id: 'call_abc123', name: 'get_weather', input: { location: 'San Francisco, CA' } });
      expect(message.usage.cache_read_input_tokens).toBe(2048);
    } finally {
      srv.stop();
    }
  });

  test('an error body makes the SDK throw with our type and message', async () => {
    const err = surface.errorBody(429, 'slow down');
    const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => Response.json(err.body, { status: err.status }) });
    try {
      const client = new Anthropic({ baseURL: `http://127.0.0.1:${server.port}`, apiKey: 'x', maxRetries: 0 });
      const failure = await client.messages.create({ model: 'c', max_tokens: 1, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(Anthropic.RateLimitError);
      expect((failure as { error: unknown }).error).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } });
    } finally {
      server.stop(true);
    }
  });
});
