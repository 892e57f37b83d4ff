import { describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import type { ChatChunk, ChatResponse } from '../../server/relay/protocols/openai/types.ts';
import { responsesSurface as surface } from '../../server/relay/protocols/responses/index.ts';
import type { ResponsesRequest } from '../../server/relay/protocols/responses/schema.ts';
import { ConversionError } from '../../server/relay/protocols/types.ts';
import { chunk, fixture, fixtureText, parseSse, runStream, serveFixed, usageChunk } from './helpers.ts';

function parsed(body: unknown): ResponsesRequest {
  const r = surface.parse(body);
  if (!r.ok) throw new Error(r.message);
  return r.request;
}

const minimal = { model: 'gpt-4.1', input: 'Hi' };

describe('responses: request → chat', () => {
  for (const name of ['text', 'items']) {
    test(`request-${name}.json converts exactly`, async () => {
      const f = await fixture(`responses/request-${name}.json`);
      expect(surface.requestToChat(parsed(f.inbound), f.model)).toEqual(f.chat);
    });
  }

  test('json_object format, input_file and allowed_tools', () => {
    const chat = surface.requestToChat(
      parsed({
        model: 'm',
        input: [{ role: 'user', content: [{ type: 'input_file', filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBE' }] }],
        text: { format: { type: 'json_object' } },
        tools: [
          { type: 'function', name: 'a', parameters: { type: 'object' } },
          { type: 'function', name: 'b', parameters: { type: 'object' } },
        ],
        tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'b' }] },
      }),
      'm',
    );
    expect(chat.response_format).toEqual({ type: 'json_object' });
    expect(chat.messages[0]!.content).toEqual([{ type: 'file', file: { file_data: 'data:application/pdf;base64,JVBE', filename: 'a.pdf' } }]);
    expect(chat.tool_choice).toBe('required');
    expect(chat.tools!.map((t) => t.function.name)).toEqual(['b']);
  });

  test('hosted tools are left out and listed; file ids and item references refuse conversion', () => {
    const req = parsed({ ...minimal, tools: [{ type: 'web_search_preview' }, { type: 'function', name: 'f', parameters: { type: 'object' } }] });
    expect(surface.requestToChat(req, 'm').tools?.map((t) => t.function.name)).toEqual(['f']);
    expect(surface.hostedTools?.(req)).toEqual(['web_search_preview']);
    expect(() => surface.requestToChat(parsed({ model: 'm', input: [{ type: 'item_reference', id: 'msg_1' }] }), 'm')).toThrow(ConversionError);
    expect(() => surface.requestToChat(parsed({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1', detail: 'auto' }] }] }), 'm')).toThrow(/file_id/);
  });
});

describe('responses: malformed and stateful requests', () => {
  test('previous_response_id is refused with the reason', () => {
    const r = surface.parse({ ...minimal, previous_response_id: 'resp_123' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe('Invalid request: previous_response_id: previous_response_id is not supported: this gateway is stateless and keeps no responses; send the whole conversation in `input` instead');
  });

  test('background mode and conversations are refused; background:false and store are accepted', () => {
    expect(surface.parse({ ...minimal, background: true }).ok).toBe(false);
    expect(surface.parse({ ...minimal, conversation: 'conv_1' }).ok).toBe(false);
    expect(surface.parse({ ...minimal, background: false, store: true }).ok).toBe(true);
  });

  test('bad input and bad field types point at the field', () => {
    const a = surface.parse({ model: 'm', input: 42 });
    expect(a).toEqual({ ok: false, message: 'Invalid request: input: input must be a string or an array of input items' });
    const b = surface.parse({ ...minimal, max_output_tokens: 'lots' });
    expect(b.ok).toBe(false);
    if (!b.ok) expect(b.message).toContain('max_output_tokens');
    const c = surface.parse({ model: 'm', input: [{ type: 'function_call', name: 'x', arguments: '{}' }] });
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.message).toContain('call_id');
  });
});

describe('responses: chat response → response object', () => {
  test('response-tool-call.json: reasoning, message, function call, cached and reasoning usage', async () => {
    const f = await fixture('responses/response-tool-call.json');
    expect(surface.responseFromChat(f.chat, parsed(f.request))).toEqual(f.response);
  });

  test('length ends as incomplete with max_output_tokens', () => {
    const res: ChatResponse = { id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, finish_reason: 'length' }] };
    expect(surface.responseFromChat(res, parsed(minimal))).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
  });
});

describe('responses: stream', () => {
  test('stream-text-tools: transcript matches the fixture byte for byte', async () => {
    const chunks = await fixture<ChatChunk[]>('responses/stream-text-tools.chunks.json');
    const expected = await fixtureText('responses/stream-text-tools.sse.txt');
    expect(runStream(surface.streamFromChat(parsed({ model: 'gpt-4.1', input: 'Weather in Paris and Tokyo?', stream: true })), chunks)).toBe(expected);
  });

  test('text then two tool calls: item order, indices and sequence numbers', () => {
    const out = runStream(surface.streamFromChat(parsed(minimal)), [
      chunk({ role: 'assistant', content: 'Hi' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'a', arguments: '{"x"' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'b', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
      usageChunk({ prompt_tokens: 10, completion_tokens: 7, total_tokens: 17 }),
    ]);
    const events = parseSse(out);
    expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events.every((e) => e.event === e.data.type)).toBe(true);
    expect(events.map((e) => [e.data.type, e.data.output_index ?? null])).toEqual([
      ['response.created', null],
      ['response.in_progress', null],
      ['response.output_item.added', 0],
      ['response.content_part.added', 0],
      ['response.output_text.delta', 0],
      ['response.output_text.done', 0],
      ['response.content_part.done', 0],
      ['response.output_item.done', 0],
      ['response.output_item.added', 1],
      ['response.function_call_arguments.delta', 1],
      ['response.function_call_arguments.delta', 1],
      ['response.function_call_arguments.done', 1],
      ['response.output_item.done', 1],
      ['response.output_item.added', 2],
      ['response.function_call_arguments.delta', 2],
      ['response.function_call_arguments.done', 2],
      ['response.output_item.done', 2],
      ['response.completed', null],
    ]);
    const done = events.at(-1)!.data.response;
    expect(done.output.map((i: { type: string; call_id?: string; arguments?: string }) => [i.type, i.call_id ?? null, i.arguments ?? null])).toEqual([
      ['message', null, null],
      ['function_call', 'call_a', '{"x":1}'],
      ['function_call', 'call_b', '{}'],
    ]);
    expect(done.usage).toEqual({ input_tokens: 10, input_tokens_details: { cached_tokens: 0 }, output_tokens: 7, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 17 });
  });

  test('a length stop ends with response.incomplete', () => {
    const events = parseSse(runStream(surface.streamFromChat(parsed(minimal)), [chunk({ content: 'x' }, 'length')]));
    expect(events.at(-1)!.data).toMatchObject({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } });
  });

  test('fail() before any chunk still opens the response, then fails it', () => {
    const events = parseSse(surface.streamFromChat(parsed(minimal)).fail('upstream timed out'));
    expect(events.map((e) => e.data.type)).toEqual(['response.created', 'response.in_progress', 'response.failed']);
    expect(events[2]!.data.response).toMatchObject({ status: 'failed', error: { code: 'server_error', message: 'upstream timed out' } });
  });
});

describe('responses: errors', () => {
  test('OpenAI error shape with status-derived type and code', () => {
    expect(surface.errorBody(400, 'bad')).toEqual({ status: 400, body: { error: { message: 'bad', type: 'invalid_request_error', param: null, code: null } } });
    expect(surface.errorBody(401, 'key').body).toEqual({ error: { message: 'key', type: 'authentication_error', param: null, code: 'invalid_api_key' } });
    expect(surface.errorBody(429, 'slow').body).toMatchObject({ error: { type: 'rate_limit_error', code: 'rate_limit_exceeded' } });
    expect(surface.errorBody(502, 'down').body).toMatchObject({ error: { type: 'server_error' } });
  });
});

describe('responses: the official openai SDK reads our output', () => {
  test('responses.create({stream:true}) → events and finalResponse', async () => {
    const chunks = await fixture<ChatChunk[]>('responses/stream-text-tools.chunks.json');
    const sse = runStream(surface.streamFromChat(parsed({ ...minimal, stream: true })), chunks);
    const srv = serveFixed(sse, 'text/event-stream');
    try {
      const client = new OpenAI({ baseURL: srv.url, apiKey: 'x', maxRetries: 0 });
      const stream = client.responses.stream({ model: 'gpt-4.1', input: 'Weather?' });
      let text = '';
      stream.on('response.output_text.delta', (e) => (text += e.delta));
      const final = await stream.finalResponse();
      expect(text).toBe('Checking both.');
      expect(final.output_text).toBe('Checking both.');
      expect(final.output.map((i) => i.type)).toEqual(['reasoning', 'message', 'function_call', 'function_call']);
      expect(final.output.filter((i) => i.type === 'function_call').map((i) => (i as { arguments: string }).arguments)).toEqual(['{"location":"Paris"}', '{"location":"Tokyo"}']);
      expect(final.usage?.input_tokens_details.cached_tokens).toBe(100);

      // The raw iterator sees the same events in order.
      const raw = await client.responses.create({ model: 'gpt-4.1', input: 'Weather?', stream: true });
      const types: string[] = [];
      for await (const event of raw) types.push(event.type);
      expect(types[0]).toBe('response.created');
      expect(types.at(-1)).toBe('response.completed');
    } finally {
      srv.stop();
    }
  });

  test('responses.create() reads fromChat JSON', async () => {
    const f = await fixture('responses/response-tool-call.json');
    const srv = serveFixed(JSON.stringify(surface.responseFromChat(f.chat, parsed(f.request))), 'application/json');
    try {
      const client = new OpenAI({ baseURL: srv.url, apiKey: 'x', maxRetries: 0 });
      const res = await client.responses.create({ model: 'gpt-4.1', input: 'Weather?' });
      expect(res.output_text).toBe('Let me look that up.');
      expect(res.output.find((i) => i.type === 'function_call')).toMatchObject({ call_id: 'call_12345xyz', name: 'get_weather' });
    } finally {
      srv.stop();
    }
  });
});
