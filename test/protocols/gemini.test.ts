import { describe, expect, test } from 'bun:test';
import type { ChatChunk, ChatResponse } from '../../server/relay/protocols/openai/types.ts';
import { geminiSurface as surface } from '../../server/relay/protocols/gemini/index.ts';
import type { GenerateContentRequest } from '../../server/relay/protocols/gemini/schema.ts';
import { ConversionError } from '../../server/relay/protocols/types.ts';
import { chunk, fixture, fixtureText, parseSse, runStream, usageChunk } from './helpers.ts';

function parsed(body: unknown): GenerateContentRequest {
  const r = surface.parse(body);
  if (!r.ok) throw new Error(r.message);
  return r.request;
}

const minimal = { contents: [{ parts: [{ text: 'Hi' }] }] };

describe('gemini: request → chat', () => {
  for (const name of ['text', 'image', 'tools']) {
    test(`request-${name}.json converts exactly`, async () => {
      const f = await fixture(`gemini/request-${name}.json`);
      expect(surface.requestToChat(parsed(f.inbound), f.model)).toEqual(f.chat);
    });
  }

  test('the stream flag comes from the URL and asks for usage', () => {
    expect(surface.requestToChat(parsed(minimal), 'm', true)).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(surface.requestToChat(parsed(minimal), 'm').stream).toBeUndefined();
  });

  test('two calls to the same function pair with their responses in order; explicit ids win', () => {
    const chat = surface.requestToChat(
      parsed({
        contents: [
          { role: 'user', parts: [{ text: 'Weather in two cities' }] },
          { role: 'model', parts: [{ functionCall: { name: 'w', args: { c: 'A' } } }, { functionCall: { name: 'w', args: { c: 'B' } } }, { functionCall: { name: 'x', id: 'fixed', args: {} } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'x', id: 'fixed', response: { ok: true } } }, { functionResponse: { name: 'w', response: { t: 1 } } }, { functionResponse: { name: 'w', response: { t: 2 } } }] },
        ],
      }),
      'm',
    );
    const calls = chat.messages[1]!.tool_calls!.map((c) => c.id);
    expect(calls).toEqual(['call_1_w', 'call_2_w', 'fixed']);
    expect(chat.messages.slice(2).map((m) => [m.tool_call_id, m.content])).toEqual([
      ['fixed', '{"ok":true}'],
      ['call_1_w', '{"t":1}'],
      ['call_2_w', '{"t":2}'],
    ]);
  });

  test('audio and pdf inline data, snake_case function args untouched', () => {
    const chat = surface.requestToChat(
      parsed({
        contents: [
          { role: 'model', parts: [{ function_call: { name: 'f', args: { snake_key: 1 } } }] },
          { role: 'user', parts: [{ inline_data: { mime_type: 'audio/wav', data: 'UklG' } }, { inlineData: { mimeType: 'application/pdf', data: 'JVBE' } }] },
        ],
      }),
      'm',
    );
    expect(chat.messages[0]!.tool_calls![0]!.function.arguments).toBe('{"snake_key":1}');
    expect(chat.messages[1]!.content).toEqual([
      { type: 'input_audio', input_audio: { data: 'UklG', format: 'wav' } },
      { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBE' } },
    ]);
  });

  test('built-in tools, cachedContent and Files API uris refuse conversion', () => {
    expect(() => surface.requestToChat(parsed({ ...minimal, tools: [{ googleSearch: {} }] }), 'm')).toThrow(/googleSearch/);
    expect(() => surface.requestToChat(parsed({ ...minimal, cachedContent: 'cachedContents/abc' }), 'm')).toThrow(ConversionError);
    const file = { contents: [{ parts: [{ fileData: { mimeType: 'video/mp4', fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc' } }] }] };
    expect(() => surface.requestToChat(parsed(file), 'm')).toThrow(/inlineData/);
  });
});

describe('gemini: malformed requests', () => {
  test('empty contents, an empty part and a wrong role are named', () => {
    const msg = (body: unknown) => {
      const r = surface.parse(body);
      return r.ok ? 'ok' : r.message;
    };
    expect(msg({ contents: [] })).toBe('Invalid request: contents: contents must not be empty');
    expect(msg({ contents: [{ parts: [{}] }] })).toContain('contents.0.parts.0: each part needs one of text, inlineData');
    expect(msg({ contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] })).toContain('contents.0.role: role must be "user" or "model"');
    expect(msg({ ...minimal, generationConfig: { temperature: 'hot' } })).toContain('generationConfig.temperature');
  });
});

describe('gemini: chat response → GenerateContentResponse', () => {
  test('response-tool-call.json: thought, text, functionCall and usage with cache and thoughts', async () => {
    const f = await fixture('gemini/response-tool-call.json');
    expect(surface.responseFromChat(f.chat, parsed(f.request))).toEqual(f.gemini);
  });

  test('thoughts are left out unless includeThoughts; finish reasons map', () => {
    const res = (finish: string): ChatResponse => ({
      id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'x', reasoning_content: 'hmm' }, finish_reason: finish }],
    });
    const out = (finish: string) => surface.responseFromChat(res(finish), parsed(minimal)) as { candidates: Array<{ content: { parts: unknown[] }; finishReason: string }> };
    expect(out('stop').candidates[0]!.content.parts).toEqual([{ text: 'x' }]);
    expect(['stop', 'length', 'content_filter', 'tool_calls'].map((f) => out(f).candidates[0]!.finishReason)).toEqual(['STOP', 'MAX_TOKENS', 'SAFETY', 'STOP']);
  });
});

describe('gemini: stream', () => {
  test('stream-text-tools: transcript matches the fixture byte for byte, CRLF framed', async () => {
    const chunks = await fixture<ChatChunk[]>('gemini/stream-text-tools.chunks.json');
    const expected = await fixtureText('gemini/stream-text-tools.sse.txt');
    const req = parsed({ contents: [{ parts: [{ text: 'Weather in Paris and Tokyo?' }] }], generationConfig: { thinkingConfig: { includeThoughts: true } } });
    const out = runStream(surface.streamFromChat(req), chunks);
    expect(out).toBe(expected);
    expect(out.split('\r\n\r\n').filter(Boolean).every((frame) => frame.startsWith('data: ') && !frame.includes('\n'))).toBe(true);
  });

  test('text then two tool calls: text streams, calls arrive whole in the last frame with usage', () => {
    const out = runStream(surface.streamFromChat(parsed(minimal)), [
      chunk({ role: 'assistant', content: 'Hi' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'a', arguments: '{"x"' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'b', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
      usageChunk({ prompt_tokens: 10, completion_tokens: 7, total_tokens: 17 }),
    ]);
    const frames = parseSse(out).map((e) => e.data);
    expect(frames).toHaveLength(2);
    expect(frames[0]).toEqual({ candidates: [{ content: { parts: [{ text: 'Hi' }], role: 'model' }, index: 0 }], modelVersion: 'up-model', responseId: 't1' });
    expect(frames[1]).toEqual({
      candidates: [
        {
          content: { parts: [{ functionCall: { id: 'call_a', name: 'a', args: { x: 1 } } }, { functionCall: { id: 'call_b', name: 'b', args: {} } }], role: 'model' },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 7, totalTokenCount: 17 },
      modelVersion: 'up-model',
      responseId: 't1',
    });
  });

  test('fail() sends a Google error frame and ends the stream', () => {
    const s = surface.streamFromChat(parsed(minimal));
    expect(s.fail('boom')).toBe('data: {"error":{"code":500,"message":"boom","status":"INTERNAL"}}\r\n\r\n');
    expect(s.end()).toBe('');
  });
});

describe('gemini: errors', () => {
  test('Google error shape with canonical status names', () => {
    expect(surface.errorBody(400, 'bad')).toEqual({ status: 400, body: { error: { code: 400, message: 'bad', status: 'INVALID_ARGUMENT' } } });
    const status = (code: number) => (surface.errorBody(code, 'm').body as { error: { status: string } }).error.status;
    expect([401, 403, 404, 429, 500, 503, 504, 418, 502].map(status)).toEqual([
      'UNAUTHENTICATED', 'PERMISSION_DENIED', 'NOT_FOUND', 'RESOURCE_EXHAUSTED', 'INTERNAL', 'UNAVAILABLE', 'DEADLINE_EXCEEDED', 'INVALID_ARGUMENT', 'INTERNAL',
    ]);
  });
});
