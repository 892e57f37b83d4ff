import { expect, test } from 'bun:test';
import type { ChatRequest } from '../../server/relay/protocols/openai/types.ts';
import bedrock, { createAwsEventStreamDecoder, decodeAwsEventStream } from '../../server/relay/providers/bedrock/index.ts';
import { toConverseRequest } from '../../server/relay/providers/bedrock/convert-request.ts';
import { fromConverseResponse } from '../../server/relay/providers/bedrock/convert-response.ts';
import { converseStream } from '../../server/relay/providers/bedrock/convert-stream.ts';
import { bedrockError } from '../../server/relay/providers/bedrock/errors.ts';
import { crc32 } from '../../server/relay/providers/bedrock/eventstream.ts';
import { signSigV4 } from '../../server/relay/providers/bedrock/sigv4.ts';
import { VendorRequestError, VendorStreamError } from '../../server/relay/protocols/shared/errors.ts';
import type { ChannelTarget, SseEvent } from '../../server/relay/providers/types.ts';
import { concatFrames, eventFrame, exceptionFrame } from '../mocks/vendors/eventstream.ts';
import { accumulate, fixtureJson, fixtureText, replay } from './fixtures.ts';

const target = (over: Partial<ChannelTarget> = {}): ChannelTarget => ({ id: 1, type: 33, baseUrl: '', key: 'AKIDEXAMPLE|wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY|us-west-2', config: {}, ...over });
const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';

function framesFor(name: string): Uint8Array {
  const events = fixtureJson('bedrock', name) as Array<[string, unknown]>;
  return concatFrames(events.map(([type, payload]) => eventFrame(type, payload)));
}

test('AWS SigV4 test suite: get-vanilla, post-vanilla and post-vanilla-query', async () => {
  const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  const scope = { service: 'service', region: 'us-east-1' };
  const prefix = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=';
  const sign = (method: 'GET' | 'POST', url: string) => signSigV4({ method, url, headers: {} }, creds, scope, '20150830T123600Z');
  expect((await sign('GET', 'https://example.amazonaws.com/')).headers.authorization).toBe(`${prefix}5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31`);
  expect((await sign('POST', 'https://example.amazonaws.com/')).headers.authorization).toBe(`${prefix}5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b`);
  expect((await sign('POST', 'https://example.amazonaws.com/?Param1=value1')).headers.authorization).toBe(`${prefix}28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11`);
});

test('sign(): Bedrock scope from the key, session token, x-amz-date; bearer keys pass unsigned', async () => {
  const t = target({ key: 'AKID|SECRET|eu-central-1|SESSIONTOKEN' });
  const ctx = { model: MODEL, stream: false };
  const url = bedrock.url(t, 'chat/completions', ctx);
  expect(url).toBe('https://bedrock-runtime.eu-central-1.amazonaws.com/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse');
  const headers = await bedrock.headers(t, ctx);
  const signed = await bedrock.sign!({ url, method: 'POST', headers, body: '{}' }, t);
  expect(signed.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKID\/\d{8}\/eu-central-1\/bedrock\/aws4_request, SignedHeaders=accept;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/);
  expect(signed.headers['x-amz-security-token']).toBe('SESSIONTOKEN');
  expect(signed.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  const bearer = target({ key: 'ABSKQmVkcm9ja0FQSUtleQ==', config: { region: 'ap-northeast-1' } });
  expect(await bedrock.headers(bearer, ctx)).toMatchObject({ authorization: 'Bearer ABSKQmVkcm9ja0FQSUtleQ==' });
  expect(bedrock.url(bearer, 'chat/completions', { ...ctx, stream: true })).toBe('https://bedrock-runtime.ap-northeast-1.amazonaws.com/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream');
  const req = { url, method: 'POST' as const, headers: { a: 'b' }, body: '{}' };
  expect(await bedrock.sign!(req, bearer)).toBe(req);
});

test('request: system, inference config, image bytes, tools and a toolUse/toolResult round trip', () => {
  const req: ChatRequest = {
    model: MODEL,
    max_tokens: 512,
    temperature: 0.5,
    stop: ['###'],
    tools: [{ type: 'function', function: { name: 'top_song', description: 'Most popular song', parameters: { type: 'object', properties: { sign: { type: 'string' } } } } }],
    tool_choice: 'required',
    messages: [
      { role: 'system', content: 'You are a DJ.' },
      { role: 'user', content: [{ type: 'text', text: 'Top song on WZPZ? Also see:' }, { type: 'image_url', image_url: { url: 'data:image/jpg;base64,AAAA' } }] },
      { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'tooluse_1', type: 'function', function: { name: 'top_song', arguments: '{"sign":"WZPZ"}' } }] },
      { role: 'tool', tool_call_id: 'tooluse_1', content: 'Elemental Hotel' },
    ],
  };
  expect(toConverseRequest(req)).toEqual({
    system: [{ text: 'You are a DJ.' }],
    messages: [
      { role: 'user', content: [{ text: 'Top song on WZPZ? Also see:' }, { image: { format: 'jpeg', source: { bytes: 'AAAA' } } }] },
      { role: 'assistant', content: [{ text: 'Checking.' }, { toolUse: { toolUseId: 'tooluse_1', name: 'top_song', input: { sign: 'WZPZ' } } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_1', content: [{ text: 'Elemental Hotel' }] } }] },
    ],
    inferenceConfig: { maxTokens: 512, temperature: 0.5, stopSequences: ['###'] },
    toolConfig: {
      tools: [{ toolSpec: { name: 'top_song', description: 'Most popular song', inputSchema: { json: { type: 'object', properties: { sign: { type: 'string' } } } } } }],
      toolChoice: { any: {} },
    },
  });
});

test('request: remote image URLs are rejected, reasoning_effort on Claude → thinking', () => {
  expect(() => toConverseRequest({ model: MODEL, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] })).toThrow(VendorRequestError);
  const out = toConverseRequest({ model: MODEL, messages: [], reasoning_effort: 'low', temperature: 1 });
  expect(out.additionalModelRequestFields).toEqual({ thinking: { type: 'enabled', budget_tokens: 2048 } });
  expect(out.inferenceConfig).toEqual({});
});

test('response: reasoning + text, cache read/write with 1h breakdown', () => {
  const { response, usage } = fromConverseResponse(fixtureJson('bedrock', 'text.json'), MODEL);
  expect(response.model).toBe(MODEL);
  expect(response.choices).toEqual([{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hello! How can I help you today?', reasoning_content: 'Simple greeting; reply briefly.' } }]);
  expect(usage).toEqual({ input: 12, output: 30, cacheRead: 1200, cacheWrite: 1200, cacheWrite1h: 800, reasoning: 0 });
  expect(response.usage?.prompt_tokens).toBe(2412);
});

test('response: toolUse → tool_calls', () => {
  const { response } = fromConverseResponse(fixtureJson('bedrock', 'tool-use.json'), MODEL);
  expect(response.choices[0]?.finish_reason).toBe('tool_calls');
  expect(response.choices[0]?.message.tool_calls).toEqual([{ id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', type: 'function', function: { name: 'top_song', arguments: '{"sign":"WZPZ"}' } }]);
});

test('event-stream: decoder matches an independent encoder, even fed one byte at a time', () => {
  expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  const bytes = framesFor('text.events.json');
  const whole = decodeAwsEventStream(bytes);
  expect(whole.map((e) => e.event)).toEqual(['messageStart', 'contentBlockDelta', 'contentBlockDelta', 'contentBlockStop', 'messageStop', 'metadata']);
  expect(JSON.parse(whole[1]!.data)).toEqual({ contentBlockIndex: 0, delta: { text: 'Hello' }, p: 'abcdefghijk' });
  const d = createAwsEventStreamDecoder();
  const trickled: SseEvent[] = [];
  for (const b of bytes) trickled.push(...d.push(new Uint8Array([b])));
  expect(trickled).toEqual(whole);
  expect(d.end?.()).toEqual([]);
});

test('event-stream: corrupt CRC and truncated stream are errors', () => {
  const bytes = framesFor('text.events.json');
  const corrupt = bytes.slice();
  corrupt[20] = (corrupt[20] ?? 0) ^ 0xff;
  expect(() => decodeAwsEventStream(corrupt)).toThrow(/CRC/);
  const d = createAwsEventStreamDecoder();
  d.push(bytes.subarray(0, bytes.length - 3));
  expect(() => d.end?.()).toThrow(/inside a frame/);
});

test('stream: text with usage from the trailing metadata event', () => {
  const conv = converseStream(MODEL);
  const chunks = replay(conv, decodeAwsEventStream(framesFor('text.events.json')));
  const acc = accumulate(chunks);
  expect(acc.content).toBe('Hello there!');
  expect(acc.finish).toBe('stop');
  expect(conv.usage()).toEqual({ input: 9, output: 4, cacheRead: 2048, cacheWrite: 0, cacheWrite1h: 0, reasoning: 0 });
  expect(chunks.at(-1)?.usage?.prompt_tokens).toBe(2057);
});

test('stream: tool call start + input deltas', () => {
  const acc = accumulate(replay(converseStream(MODEL), decodeAwsEventStream(framesFor('tool-call.events.json'))));
  expect(acc.content).toBe('Checking.');
  expect(acc.tools).toEqual([{ id: 'tooluse_Z8Ki4b4ZSPqTJ9yNvHz0sg', name: 'top_song', arguments: '{"sign": "WZPZ"}' }]);
  expect(acc.finish).toBe('tool_calls');
});

test('stream: reasoningContent → reasoning_content; max_tokens → length', () => {
  const acc = accumulate(replay(converseStream(MODEL), decodeAwsEventStream(framesFor('reasoning.events.json'))));
  expect(acc.reasoning).toBe('Compare 9.11 and 9.9');
  expect(acc.content).toBe('9.9 is larger.');
  expect(acc.finish).toBe('length');
});

test('stream: an exception frame throws with its type', () => {
  const events = decodeAwsEventStream(concatFrames([eventFrame('messageStart', { role: 'assistant' }), exceptionFrame('throttlingException', 'Too many requests, please wait before trying again.')]));
  expect(events[1]).toEqual({ event: 'throttlingException', data: '{"message":"Too many requests, please wait before trying again."}' });
  const conv = converseStream(MODEL);
  conv.push(events[0]!);
  expect(() => conv.push(events[1]!)).toThrow(VendorStreamError);
});

test('errors: {"message"} body', () => {
  expect(bedrockError(400, fixtureText('bedrock', 'error.json'))).toEqual({ message: 'The provided model identifier is invalid.', type: 'ValidationException' });
});

test('declares its non-SSE stream format', () => {
  expect(typeof bedrock.streamDecoder).toBe('function');
  expect(bedrock.streamDecoder).toBeDefined();
  expect(bedrock.url(target({ baseUrl: 'https://vpce-1.bedrock-runtime.us-west-2.vpce.amazonaws.com/' }), 'chat/completions', { model: 'us.amazon.nova-pro-v1:0', stream: false }))
    .toBe('https://vpce-1.bedrock-runtime.us-west-2.vpce.amazonaws.com/model/us.amazon.nova-pro-v1%3A0/converse');
});
