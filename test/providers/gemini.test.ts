import { expect, test } from 'bun:test';
import type { ChatRequest } from '../../server/relay/protocols/openai/types.ts';
import gemini from '../../server/relay/providers/gemini/index.ts';
import { requestFromChat } from '../../server/relay/protocols/gemini/request-from-chat.ts';
import { responseToChat } from '../../server/relay/protocols/gemini/response-to-chat.ts';
import { streamToChat } from '../../server/relay/protocols/gemini/stream-to-chat.ts';
import { errorMessage } from '../../server/relay/protocols/gemini/upstream-error.ts';
import type { ChannelTarget } from '../../server/relay/providers/types.ts';
import { accumulate, deltas, fixtureJson, fixtureText, parseSse, replay } from './fixtures.ts';

const target = (baseUrl = 'https://generativelanguage.googleapis.com'): ChannelTarget => ({ id: 1, type: 24, baseUrl, key: 'AIzaTest', config: {} });

test('request: systemInstruction, inlineData and remote images, generationConfig', () => {
  const req: ChatRequest = {
    model: 'gemini-2.5-flash',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
      ] },
      { role: 'assistant', content: 'A cat.' },
      { role: 'user', content: 'Sure?' },
    ],
    temperature: 0.3,
    top_p: 0.9,
    max_tokens: 256,
    stop: ['\n\n'],
    response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
  };
  expect(requestFromChat(req)).toEqual({
    contents: [
      { role: 'user', parts: [{ text: 'What is this?' }, { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQ' } }, { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/a.png' } }] },
      { role: 'model', parts: [{ text: 'A cat.' }] },
      { role: 'user', parts: [{ text: 'Sure?' }] },
    ],
    systemInstruction: { parts: [{ text: 'Be brief.' }] },
    generationConfig: {
      temperature: 0.3, topP: 0.9, maxOutputTokens: 256, stopSequences: ['\n\n'],
      responseMimeType: 'application/json', responseJsonSchema: { type: 'object' },
    },
  });
});

test('request: functionDeclarations with cleaned schema, toolConfig, functionCall/functionResponse round trip', () => {
  const req: ChatRequest = {
    model: 'gemini-2.5-flash',
    tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', additionalProperties: false, properties: { location: { type: 'string' } } } } }],
    tool_choice: { type: 'function', function: { name: 'get_weather' } },
    messages: [
      { role: 'user', content: 'Weather in Paris and Rome?' },
      { role: 'assistant', content: '', tool_calls: [
        { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
        { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Rome"}' } },
      ] },
      { role: 'tool', tool_call_id: 'call_a', content: '{"temp":18}' },
      { role: 'tool', tool_call_id: 'call_b', content: 'sunny' },
    ],
  };
  const out = requestFromChat(req);
  expect(out.tools).toEqual([{ functionDeclarations: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } }] }]);
  expect(out.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } });
  expect(out.contents.slice(1)).toEqual([
    { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { location: 'Paris' } } }, { functionCall: { name: 'get_weather', args: { location: 'Rome' } } }] },
    // Both responses in one user turn, named after the calls they answer.
    { role: 'user', parts: [
      { functionResponse: { name: 'get_weather', response: { temp: 18 } } },
      { functionResponse: { name: 'get_weather', response: { result: 'sunny' } } },
    ] },
  ]);
});

test('request: reasoning_effort → thinkingConfig with thought summaries', () => {
  expect(requestFromChat({ model: 'gemini-2.5-pro', messages: [], reasoning_effort: 'low' }).generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 1024, includeThoughts: true } });
  expect(requestFromChat({ model: 'gemini-2.5-flash', messages: [], reasoning_effort: 'none' }).generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 0 } });
  expect(requestFromChat({ model: 'gemini-2.5-flash', messages: [], tool_choice: 'none' }).toolConfig).toEqual({ functionCallingConfig: { mode: 'NONE' } });
});

test('response: thought parts → reasoning_content; cached tokens are inside promptTokenCount', () => {
  const { response, usage } = responseToChat(fixtureJson('gemini', 'text.json'), 'gemini-2.5-flash');
  expect(response.id).toBe('mPHSaJ3vLs2XmNAPr9e3oAc');
  expect(response.choices).toEqual([{
    index: 0,
    finish_reason: 'stop',
    message: {
      role: 'assistant',
      content: 'Waves fold into foam,\nsalt wind carries gull voices,\nthe tide keeps its time.',
      reasoning_content: 'The user wants a haiku about the sea. Think of waves, salt, horizon.',
    },
  }]);
  // 1200 prompt tokens of which 1024 cached; 24 answer + 112 thought tokens.
  expect(usage).toEqual({ input: 176, output: 136, cacheRead: 1024, cacheWrite: 0, cacheWrite1h: 0, reasoning: 112 });
  expect(response.usage?.prompt_tokens).toBe(1200);
  expect(response.usage?.completion_tokens).toBe(136);
  expect(response.usage?.prompt_tokens_details?.cached_tokens).toBe(1024);
});

test('response: functionCall parts → tool_calls with finish_reason tool_calls', () => {
  const { response } = responseToChat(fixtureJson('gemini', 'function-call.json'), 'm');
  const choice = response.choices[0]!;
  expect(choice.finish_reason).toBe('tool_calls');
  expect(choice.message.content).toBeNull();
  expect(choice.message.tool_calls?.map((c) => [c.type, c.function.name, c.function.arguments])).toEqual([
    ['function', 'get_weather', '{"location":"Boston, MA"}'],
    ['function', 'get_time', '{"timezone":"America/New_York"}'],
  ]);
  expect(choice.message.tool_calls?.every((c) => /^call_/.test(c.id))).toBe(true);
});

test('response: SAFETY finish and a blocked prompt both become content_filter', () => {
  expect(responseToChat(fixtureJson('gemini', 'safety.json'), 'm').response.choices[0]?.finish_reason).toBe('content_filter');
  const blocked = responseToChat(fixtureJson('gemini', 'blocked-prompt.json'), 'm');
  expect(blocked.response.choices).toEqual([{ index: 0, message: { role: 'assistant', content: '' }, finish_reason: 'content_filter' }]);
  expect(blocked.usage).toEqual({ input: 9, output: 0, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, reasoning: 0 });
});

test('stream: text slices, finish, cumulative usage taken from the last event', () => {
  const conv = streamToChat('gemini-2.5-flash');
  const chunks = replay(conv, parseSse(fixtureText('gemini', 'text.sse')));
  expect(deltas(chunks)).toEqual([
    { role: 'assistant', content: '', finish: null },
    { content: 'The', finish: null },
    { content: ' quick brown fox', finish: null },
    { content: ' jumps.', finish: null },
    { finish: 'stop' },
    { usage: { prompt_tokens: 8, completion_tokens: 37, total_tokens: 45, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 30 } } },
  ]);
  expect(chunks[1]?.id).toBe('sse-text-1');
});

test('stream: a functionCall arrives whole in one tool_calls delta', () => {
  const acc = accumulate(replay(streamToChat('m'), parseSse(fixtureText('gemini', 'function-call.sse'))));
  expect(acc.content).toBe('Let me look that up.');
  expect(acc.tools.map((t) => [t.name, t.arguments])).toEqual([['get_weather', '{"location":"Paris"}']]);
  expect(acc.tools[0]?.id).toMatch(/^call_/);
  expect(acc.finish).toBe('tool_calls');
});

test('stream: thoughts → reasoning_content and cached tokens subtracted from input', () => {
  const conv = streamToChat('m');
  const acc = accumulate(replay(conv, parseSse(fixtureText('gemini', 'thinking.sse'))));
  expect(acc.reasoning).toBe('**Weighing the options**\n\nComparing both numbers.');
  expect(acc.content).toBe('9.11 is smaller than 9.9.');
  expect(conv.usage()).toEqual({ input: 100, output: 72, cacheRead: 400, cacheWrite: 0, cacheWrite1h: 0, reasoning: 60 });
});

test('stream: SAFETY mid-stream ends with content_filter', () => {
  const acc = accumulate(replay(streamToChat('m'), parseSse(fixtureText('gemini', 'safety.sse'))));
  expect(acc.content).toBe('Here is how');
  expect(acc.finish).toBe('content_filter');
});

test('errors: Google error body, array-wrapped body', () => {
  const body = fixtureText('gemini', 'error.json');
  expect(errorMessage(400, body)).toEqual({ message: 'API key not valid. Please pass a valid API key.', type: 'INVALID_ARGUMENT', code: '400' });
  expect(errorMessage(400, `[${body}]`).type).toBe('INVALID_ARGUMENT');
});

test('url and headers: version segment, models/ prefix, pasted full path', () => {
  const s = { model: 'gemini-2.5-flash', stream: true };
  expect(gemini.url(target(), 'chat/completions', { ...s, stream: false })).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent');
  expect(gemini.url(target(), 'chat/completions', s)).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  expect(gemini.url(target('https://gw.example/v1beta/'), 'chat/completions', { model: 'models/gemini-2.5-pro', stream: false })).toBe('https://gw.example/v1beta/models/gemini-2.5-pro:generateContent');
  expect(gemini.url(target('https://gw.example/v1beta/models/gemini-pro:generateContent'), 'chat/completions', s)).toBe('https://gw.example/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  expect(gemini.headers(target(), s)).toEqual({ 'x-goog-api-key': 'AIzaTest' });
});
