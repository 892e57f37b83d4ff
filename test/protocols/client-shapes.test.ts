// Request shapes real clients send, converted for chat-only channels: Claude Code's
// mid-conversation system messages and structured outputs, Anthropic stop sequences,
// and Codex CLI's namespaced, freeform (custom) and additional_tools tools.
import { describe, expect, test } from 'bun:test';
import type { ChatResponse } from '../../server/relay/protocols/openai/types.ts';
import { anthropicSurface } from '../../server/relay/protocols/anthropic/index.ts';
import type { MessagesRequest } from '../../server/relay/protocols/anthropic/schema.ts';
import { responsesSurface } from '../../server/relay/protocols/responses/index.ts';
import type { ResponsesRequest } from '../../server/relay/protocols/responses/schema.ts';
import { ConversionError } from '../../server/relay/protocols/types.ts';
import { chunk, parseSse, runStream, usageChunk } from './helpers.ts';

const anthropic = (body: unknown): MessagesRequest => {
  const r = anthropicSurface.parse(body);
  if (!r.ok) throw new Error(r.message);
  return r.request;
};
const responses = (body: unknown): ResponsesRequest => {
  const r = responsesSurface.parse(body);
  if (!r.ok) throw new Error(r.message);
  return r.request;
};
const completion = (message: ChatResponse['choices'][number]['message'], finish = 'stop'): ChatResponse => ({
  id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'upstream-model', choices: [{ index: 0, message, finish_reason: finish }],
  usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 },
});

describe('Anthropic Messages from Claude Code', () => {
  // mid-conversation-system-2026-04-07: a system entry after a user turn.
  const body = {
    model: 'claude-opus-4-8', max_tokens: 1024, system: [{ type: 'text', text: 'You are Claude Code.' }],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'List files' }] },
      { role: 'system', content: [{ type: 'text', text: 'Available agents: general-purpose' }, { type: 'text', text: 'Skills: none' }] },
    ],
  };

  test('role "system" inside messages parses and stays a system message in place', () => {
    const chat = anthropicSurface.requestToChat(anthropic(body), 'gpt-4o');
    expect(chat.messages).toEqual([
      { role: 'system', content: 'You are Claude Code.' },
      { role: 'user', content: 'List files' },
      { role: 'system', content: 'Available agents: general-purpose\n\nSkills: none' },
    ]);
  });

  test('a system message with non-text blocks is refused in Anthropic words naming the beta', () => {
    const req = anthropic({ ...body, messages: [body.messages[0], { role: 'system', content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } }] }] });
    expect(() => anthropicSurface.requestToChat(req, 'gpt-4o')).toThrow(ConversionError);
    expect(() => anthropicSurface.requestToChat(req, 'gpt-4o')).toThrow(/mid-conversation-system-2026-04-07.*anthropic-beta/);
  });

  test('output_config.format (and the beta output_format) → response_format json_schema', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    const base = { model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user', content: 'x' }] };
    const expected = { type: 'json_schema', json_schema: { name: 'output', schema, strict: true } };
    expect(anthropicSurface.requestToChat(anthropic({ ...base, output_config: { format: { type: 'json_schema', schema } } }), 'm').response_format).toEqual(expected);
    expect(anthropicSurface.requestToChat(anthropic({ ...base, output_format: { type: 'json_schema', schema } }), 'm').response_format).toEqual(expected);
  });

  test('temperature above 1 is a 400 on the Anthropic surface (its documented range)', () => {
    expect(anthropicSurface.parse({ model: 'm', max_tokens: 10, messages: [], temperature: 1.5 }).ok).toBe(false);
  });

  test('stop_sequences: stop_reason "stop_sequence" with the matched sequence, JSON and stream; model is the requested name', () => {
    const req = anthropic({ model: 'claude-haiku-4-5-20251001', max_tokens: 50, stop_sequences: ['END'], messages: [{ role: 'user', content: 'count' }] });
    const res = anthropicSurface.responseFromChat(completion({ role: 'assistant', content: '1 2 3 ' }), req) as Record<string, unknown>;
    expect(res).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'END', model: 'claude-haiku-4-5-20251001' });
    // vLLM names the matched string among several.
    const two = anthropic({ ...req, stop_sequences: ['END', 'STOP'] });
    const vllm = completion({ role: 'assistant', content: '1 2' });
    (vllm.choices[0] as Record<string, unknown>).stop_reason = 'STOP';
    expect(anthropicSurface.responseFromChat(vllm, two)).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'STOP' });
    // Without stop sequences a plain stop stays end_turn.
    const plain = anthropic({ ...req, stop_sequences: undefined });
    expect(anthropicSurface.responseFromChat(completion({ role: 'assistant', content: 'x' }), plain)).toMatchObject({ stop_reason: 'end_turn', stop_sequence: null });
    const events = parseSse(runStream(anthropicSurface.streamFromChat(req), [chunk({ content: '1 2 3 ' }), chunk({}, 'stop'), usageChunk({ prompt_tokens: 5, completion_tokens: 4 })]));
    expect(events.find((e) => e.event === 'message_start')?.data.message.model).toBe('claude-haiku-4-5-20251001');
    expect(events.find((e) => e.event === 'message_delta')?.data.delta).toEqual({ stop_reason: 'stop_sequence', stop_sequence: 'END' });
  });
});

describe('Responses from Codex CLI', () => {
  // The shape Codex 0.171 sends ("responses lite"): tools in an additional_tools input item,
  // grouped in namespaces, with a freeform (custom) tool carrying a lark grammar.
  const codex = {
    model: 'gpt-6.2-sol', stream: true, store: false, parallel_tool_calls: false, tool_choice: 'auto',
    reasoning: { effort: 'low', context: 'all_turns' }, include: ['reasoning.encrypted_content'],
    input: [
      {
        type: 'additional_tools', id: 'at_1', role: 'developer',
        tools: [
          { type: 'namespace', name: 'functions', description: '', tools: [
            { type: 'custom', name: 'exec', description: 'Run JavaScript', format: { type: 'grammar', syntax: 'lark', definition: 'start: SOURCE\nSOURCE: /[\\s\\S]+/' } },
            { type: 'function', name: 'wait', strict: false, parameters: { type: 'object', properties: { cell_id: { type: 'string' } }, required: ['cell_id'] } },
          ] },
          { type: 'namespace', name: 'clock', tools: [{ type: 'function', name: 'sleep', parameters: { type: 'object', properties: { duration_ms: { type: 'number' } } } }] },
          { type: 'web_search', external_web_access: false },
        ],
      },
      { type: 'message', id: 'msg_1', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] },
      { type: 'message', id: 'msg_2', role: 'user', content: [{ type: 'input_text', text: 'run ls' }] },
    ],
  };

  test('namespaces flatten, custom tools become one-string functions, hosted tools are listed not sent', () => {
    const req = responses(codex);
    const chat = responsesSurface.requestToChat(req, 'deepseek-chat');
    expect(chat.tools?.map((t) => t.function.name)).toEqual(['exec', 'wait', 'sleep']);
    expect(chat.tools?.[0]?.function.parameters).toEqual({ type: 'object', properties: { input: { type: 'string', description: 'The raw input text for this tool.' } }, required: ['input'], additionalProperties: false });
    expect(chat.tools?.[0]?.function.description).toContain('lark grammar');
    expect(responsesSurface.hostedTools?.(req)).toEqual(['web_search']);
    expect(chat.messages.map((m) => m.role)).toEqual(['system', 'user']);
  });

  test('colliding names across namespaces are qualified', () => {
    const req = responses({ model: 'm', input: [{ type: 'additional_tools', tools: [
      { type: 'namespace', name: 'a', tools: [{ type: 'function', name: 'run', parameters: { type: 'object' } }] },
      { type: 'namespace', name: 'b', tools: [{ type: 'function', name: 'run', parameters: { type: 'object' } }] },
    ] }, { role: 'user', content: 'x' }] });
    expect(responsesSurface.requestToChat(req, 'm').tools?.map((t) => t.function.name)).toEqual(['a__run', 'b__run']);
  });

  test('calls map back: custom_tool_call with the raw input, function_call with its namespace (JSON and stream)', () => {
    const req = responses(codex);
    const res = responsesSurface.responseFromChat(completion({ role: 'assistant', content: null, tool_calls: [
      { id: 'call_1', type: 'function', function: { name: 'exec', arguments: JSON.stringify({ input: 'text(await tools.ls())' }) } },
      { id: 'call_2', type: 'function', function: { name: 'sleep', arguments: '{"duration_ms":5}' } },
    ] }, 'tool_calls'), req) as { output: Array<Record<string, unknown>>; model: string };
    expect(res.model).toBe('gpt-6.2-sol');
    expect(res.output[0]).toMatchObject({ type: 'custom_tool_call', call_id: 'call_1', name: 'exec', namespace: 'functions', input: 'text(await tools.ls())', status: 'completed' });
    expect(res.output[1]).toMatchObject({ type: 'function_call', call_id: 'call_2', name: 'sleep', namespace: 'clock', arguments: '{"duration_ms":5}' });

    const events = parseSse(runStream(responsesSurface.streamFromChat(req), [
      chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'exec', arguments: '{"input":"text(' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '1)"}' } }] }),
      chunk({}, 'tool_calls'),
      usageChunk({ prompt_tokens: 5, completion_tokens: 4 }),
    ]));
    const types = events.map((e) => e.data.type);
    expect(types).toContain('response.custom_tool_call_input.done');
    expect(types).not.toContain('response.function_call_arguments.delta');
    const done = events.find((e) => e.data.type === 'response.output_item.done')?.data.item;
    expect(done).toMatchObject({ type: 'custom_tool_call', name: 'exec', namespace: 'functions', input: 'text(1)', call_id: 'call_1' });
    const completed = events.find((e) => e.data.type === 'response.completed')?.data.response;
    expect(completed.output[0]).toMatchObject({ type: 'custom_tool_call', input: 'text(1)' });
  });

  test('the next turn: custom_tool_call / custom_tool_call_output and namespaced function_call items convert', () => {
    const req = responses({ ...codex, input: [...codex.input,
      { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAA' },
      { type: 'custom_tool_call', call_id: 'call_1', name: 'exec', namespace: 'functions', input: 'text(1)' },
      { type: 'custom_tool_call_output', call_id: 'call_1', output: 'README.md' },
      { type: 'function_call', call_id: 'call_2', name: 'sleep', namespace: 'clock', arguments: '{}' },
      { type: 'function_call_output', call_id: 'call_2', output: 'slept' },
    ] });
    const chat = responsesSurface.requestToChat(req, 'm');
    expect(chat.messages.slice(2)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'exec', arguments: '{"input":"text(1)"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'README.md' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_2', type: 'function', function: { name: 'sleep', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'call_2', content: 'slept' },
    ]);
  });
});
