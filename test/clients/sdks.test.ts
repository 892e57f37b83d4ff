// SDK checks: the Vercel AI SDK (@ai-sdk/openai over Responses and chat, @ai-sdk/anthropic
// including structured output via output_config.format), LangChain (@langchain/openai) and
// @google/genai, each through the gateway onto an OpenAI-compatible channel, streamed and
// not, with the usage the upstream reported and every call billed exactly.
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { GoogleGenAI } from '@google/genai';
import { ChatOpenAI } from '@langchain/openai';
import { generateText, jsonSchema, Output, streamText } from 'ai';
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { FINAL_TEXT, USAGE } from './agent-upstream.ts';
import { PRICE, type Stack, startStack } from './stack.ts';

const CALL_COST = BigInt(USAGE.prompt_tokens - USAGE.prompt_tokens_details.cached_tokens) * PRICE.input
  + BigInt(USAGE.prompt_tokens_details.cached_tokens) * PRICE.cacheRead + BigInt(USAGE.completion_tokens) * PRICE.output;

describe('SDKs through Switchboard', () => {
  let stack: Stack;
  let since: Date;
  beforeAll(async () => {
    stack = await startStack();
  }, 60_000);
  afterAll(() => stack?.close());

  /** Every call since `since` is logged at the upstream's usage and billed exactly. */
  async function expectBilled(endpoint: RegExp, n: number) {
    await stack.g.flush();
    const logs = await stack.g.gw.db.db.selectFrom('call_logs').selectAll().where('key_id', '=', stack.keyId).where('created_at', '>=', since).where('endpoint', 'not in', ['countTokens', 'messages/count_tokens']).execute();
    expect(logs.length).toBe(n);
    for (const l of logs) {
      expect(l.endpoint).toMatch(endpoint);
      expect({ status: l.status, prompt: l.prompt_tokens, completion: l.completion_tokens, estimated: l.estimated, cost: BigInt(l.cost) })
        .toEqual({ status: 200, prompt: USAGE.prompt_tokens, completion: USAGE.completion_tokens, estimated: false, cost: CALL_COST });
    }
  }

  test('Vercel AI SDK, @ai-sdk/openai (Responses API): generateText and streamText', async () => {
    since = new Date();
    const openai = createOpenAI({ baseURL: `${stack.g.url}/v1`, apiKey: stack.key });
    const a = await generateText({ model: openai('gpt-5.5'), prompt: 'hi' });
    expect(a.text).toBe(FINAL_TEXT);
    expect(a.usage.inputTokens).toBe(USAGE.prompt_tokens);
    const s = streamText({ model: openai('gpt-5.5'), prompt: 'hi' });
    expect(await s.text).toBe(FINAL_TEXT);
    expect((await s.usage).outputTokens).toBe(USAGE.completion_tokens);
    await expectBilled(/^responses$/, 2);
  });

  test('Vercel AI SDK, @ai-sdk/openai chat model: streamText', async () => {
    since = new Date();
    const openai = createOpenAI({ baseURL: `${stack.g.url}/v1`, apiKey: stack.key });
    const s = streamText({ model: openai.chat('gpt-5.5'), prompt: 'hi' });
    expect(await s.text).toBe(FINAL_TEXT);
    await expectBilled(/^chat\/completions$/, 1);
  });

  test('Vercel AI SDK, @ai-sdk/anthropic: text, stream, and structured output (output_config.format)', async () => {
    since = new Date();
    const anthropic = createAnthropic({ baseURL: `${stack.g.url}/v1`, apiKey: stack.key });
    const a = await generateText({ model: anthropic('claude-sdk-test'), prompt: 'hi' });
    expect(a.text).toBe(FINAL_TEXT);
    const s = streamText({ model: anthropic('claude-sdk-test'), prompt: 'hi' });
    expect(await s.text).toBe(FINAL_TEXT);
    const schema = jsonSchema<{ city: string; days: number }>({ type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city', 'days'], additionalProperties: false });
    const o = await generateText({ model: anthropic('claude-sdk-test'), prompt: 'plan', output: Output.object({ schema }) });
    // The upstream got the schema as response_format and answered a minimal valid object.
    expect(o.output).toEqual({ city: 'x', days: 0 });
    const sent = stack.upstream.calls.at(-1)!.body;
    expect(sent.response_format).toMatchObject({ type: 'json_schema', json_schema: { schema: { required: ['city', 'days'] } } });
    await expectBilled(/^messages$/, 3);
  });

  test('LangChain @langchain/openai ChatOpenAI: invoke and stream', async () => {
    since = new Date();
    const model = new ChatOpenAI({ model: 'gpt-5.5', apiKey: stack.key, configuration: { baseURL: `${stack.g.url}/v1` }, maxRetries: 0 });
    const r = await model.invoke('hi');
    expect(r.content).toBe(FINAL_TEXT);
    expect(r.usage_metadata?.input_tokens).toBe(USAGE.prompt_tokens);
    let text = '';
    for await (const c of await model.stream('hi')) text += typeof c.content === 'string' ? c.content : '';
    expect(text).toBe(FINAL_TEXT);
    await expectBilled(/^chat\/completions$/, 2);
  });

  test('@google/genai: generateContent, generateContentStream and countTokens (answered locally)', async () => {
    since = new Date();
    const ai = new GoogleGenAI({ apiKey: stack.key, httpOptions: { baseUrl: stack.g.url } });
    const r = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
    expect(r.text).toBe(FINAL_TEXT);
    expect(r.usageMetadata?.promptTokenCount).toBe(USAGE.prompt_tokens);
    let text = '';
    for await (const c of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi' })) text += c.text ?? '';
    expect(text).toBe(FINAL_TEXT);
    const count = await ai.models.countTokens({ model: 'gemini-2.5-flash', contents: 'Hello there, how are you?' });
    expect(count.totalTokens).toBeGreaterThan(3);
    await expectBilled(/^(stream)?[gG]enerateContent$/, 2);
    // The local count is logged too, at cost 0.
    const counted = await stack.g.gw.db.db.selectFrom('call_logs').selectAll().where('key_id', '=', stack.keyId).where('endpoint', '=', 'countTokens').executeTakeFirstOrThrow();
    expect({ model: counted.model, status: counted.status, cost: BigInt(counted.cost) }).toEqual({ model: 'gemini-2.5-flash', status: 200, cost: 0n });
    // Other /v1beta paths answer in Google's error shape.
    const res = await fetch(`${stack.g.url}/v1beta/cachedContents`, { headers: { 'x-goog-api-key': stack.key } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
  });
});
