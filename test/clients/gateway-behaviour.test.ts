// Gateway behaviours real clients depend on, through the official SDKs against a scripted
// OpenAI-wire upstream: JSON answers to stream requests, SSE answers to JSON requests,
// DeepSeek's cache-hit usage fields, streams that break mid-way (each protocol's own error
// event, which its SDK raises), Anthropic's request-id, dated names and price patterns,
// and refused calls logged under the model the client asked for.
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { logFor } from '../relay/endpoints/helpers.ts';

type Mode = 'json' | 'sse' | 'broken' | 'deepseek-json' | 'deepseek-sse' | 'think-json' | 'think-sse';
const THINK = '<think>Compare 9.11 and 9.8.</think>\n\n9.8 is larger.';
const USAGE = { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 };
// DeepSeek: https://api-docs.deepseek.com/api/create-chat-completion (usage.prompt_cache_hit_tokens / _miss_tokens).
const DEEPSEEK_USAGE = { prompt_tokens: 1000, completion_tokens: 10, total_tokens: 1010, prompt_cache_hit_tokens: 800, prompt_cache_miss_tokens: 200 };

/** Answers by the mode named in the model: `m-json`, `m-sse`, … — whatever the request's own `stream` says. */
function startScripted() {
  const bodies: any[] = [];
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      const body = await req.json() as { model: string };
      bodies.push(body);
      const mode = body.model.replace(/^.*?-(json|sse|broken|deepseek-json|deepseek-sse|think-json|think-sse)$/, '$1') as Mode;
      const usage = mode.startsWith('deepseek') ? DEEPSEEK_USAGE : USAGE;
      const id = 'chatcmpl-scripted';
      if (mode === 'json' || mode === 'deepseek-json') {
        return Response.json({ id, object: 'chat.completion', created: 1, model: body.model, choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there' }, finish_reason: 'stop' }], usage });
      }
      if (mode === 'think-json') {
        return Response.json({ id, object: 'chat.completion', created: 1, model: body.model, choices: [{ index: 0, message: { role: 'assistant', content: THINK }, finish_reason: 'stop' }], usage });
      }
      const chunk = (delta: unknown, finish: string | null) => `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      if (mode === 'broken') {
        // One chunk, then the connection drops without [DONE].
        const stream = new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode(chunk({ role: 'assistant', content: 'Hel' }, null)));
            setTimeout(() => c.error(new Error('upstream dropped')), 20);
          },
        });
        return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
      }
      if (mode === 'think-sse') {
        // Tags cut across chunks, three characters at a time.
        let sse = chunk({ role: 'assistant', content: '' }, null);
        for (let i = 0; i < THINK.length; i += 3) sse += chunk({ content: THINK.slice(i, i + 3) }, null);
        sse += chunk({}, 'stop') + `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model: body.model, choices: [], usage })}\n\n` + 'data: [DONE]\n\n';
        return new Response(sse, { headers: { 'content-type': 'text/event-stream' } });
      }
      const sse = chunk({ role: 'assistant', content: 'Hello' }, null) + chunk({ content: ' there' }, null) + chunk({}, 'stop')
        + `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model: body.model, choices: [], usage })}\n\n` + 'data: [DONE]\n\n';
      return new Response(sse, { headers: { 'content-type': 'text/event-stream' } });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, bodies, stop: () => server.stop(true) };
}

describe('gateway behaviours clients depend on', () => {
  let g: TestGateway;
  let up: ReturnType<typeof startScripted>;
  let key: string;
  const models = ['m-json', 'm-sse', 'm-broken', 'm-deepseek-json', 'm-deepseek-sse', 'claude-m-json', 'claude-m-sse', 'claude-m-broken', 'gemini-m-json', 'gemini-m-broken', 'resp-m-json', 'resp-m-broken'];

  beforeAll(async () => {
    up = startScripted();
    g = await startTestGateway('pglite');
    await g.admin.users.create.mutate({ username: 'behave', balanceUsd: '10' });
    key = (await g.admin.keys.create.mutate({ name: 'k', user: 'behave' })).key;
    await g.admin.channels.create.mutate({ name: 'scripted', type: 50, baseUrl: up.url, key: 'sk-up', models: [...models, 'claude-haiku-*', 'claude-sonnet-*'], mapping: { 'claude-haiku-*': 'm-json', 'claude-sonnet-*': 'm-json' } });
    await g.admin.channels.create.mutate({ name: 'r1', type: 50, baseUrl: up.url, key: 'sk-up', models: ['r1-think-json', 'r1-think-sse', 'claude-r1-think-sse'], config: { think_tags: 'split' } });
    for (const m of ['r1-think-json', 'r1-think-sse', 'claude-r1-think-sse']) await g.admin.prices.set.mutate({ model: m, inputUsdPerM: '1', outputUsdPerM: '2' });
    await g.admin.channels.create.mutate({ name: 'openai', type: 1, baseUrl: up.url, key: 'sk-up', models: ['oai-m-json'] });
    await g.admin.prices.set.mutate({ model: 'oai-m-json', inputUsdPerM: '1', outputUsdPerM: '2' });
    // $1/M input, $2/M output, $0.10/M cache reads: 1 000, 2 000 and 100 nano-USD per token.
    for (const m of models) await g.admin.prices.set.mutate({ model: m, inputUsdPerM: '1', outputUsdPerM: '2', cacheReadUsdPerM: '0.1' });
    await g.admin.prices.set.mutate({ model: 'claude-haiku-4-5', inputUsdPerM: '1', outputUsdPerM: '5' });
    await g.admin.prices.set.mutate({ model: 'claude-*', inputUsdPerM: '100', outputUsdPerM: '100' });
    await g.admin.prices.set.mutate({ model: 'claude-sonnet-*', inputUsdPerM: '3', outputUsdPerM: '15' });
  }, 60_000);
  afterAll(async () => {
    await g.close();
    up.stop();
  });

  const openai = () => new OpenAI({ baseURL: `${g.url}/v1`, apiKey: key, maxRetries: 0 });
  const anthropic = () => new Anthropic({ baseURL: g.url, apiKey: key, maxRetries: 0 });

  test('a JSON answer to a chat stream request becomes a valid stream, billed by the upstream usage (12+2), not an estimate', async () => {
    const stream = await openai().chat.completions.create({ model: 'm-json', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    let text = '';
    let usage: unknown = null;
    for await (const c of stream.data) {
      text += c.choices[0]?.delta.content ?? '';
      if (c.usage) usage = c.usage;
    }
    expect(text).toBe('Hello there');
    expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 2 });
    const log = await logFor(g, stream.response.headers.get('x-request-id'));
    expect({ p: log.prompt_tokens, c: log.completion_tokens, estimated: log.estimated, cost: BigInt(log.cost) }).toEqual({ p: 12, c: 2, estimated: false, cost: 12n * 1_000n + 2n * 2_000n });
  });

  test('a JSON answer to an Anthropic stream request becomes Anthropic events, billed by upstream usage', async () => {
    const { data: stream, response } = await anthropic().messages.stream({ model: 'claude-m-json', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    const final = await stream.finalMessage();
    expect(final.content.map((b) => [b.type, b.type === 'text' ? b.text : ''])).toEqual([['text', 'Hello there']]);
    expect(final.usage.output_tokens).toBe(2);
    expect(final.model).toBe('claude-m-json');
    const log = await logFor(g, response.headers.get('x-request-id'));
    expect({ p: log.prompt_tokens, c: log.completion_tokens, estimated: log.estimated }).toEqual({ p: 12, c: 2, estimated: false });
  });

  test('an SSE answer to a JSON request is aggregated into one completion', async () => {
    const res = await openai().chat.completions.create({ model: 'm-sse', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.choices[0]?.message.content).toBe('Hello there');
    expect(res.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 2 });
    const msg = await anthropic().messages.create({ model: 'claude-m-sse', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
    expect(msg.content.map((b) => [b.type, b.type === 'text' ? b.text : ''])).toEqual([['text', 'Hello there']]);
  });

  test('DeepSeek cache hits (prompt_cache_hit_tokens) are billed at the cache price, JSON and streamed', async () => {
    // 200 misses at $1/M + 800 hits at $0.10/M + 10 output at $2/M.
    const expected = 200n * 1_000n + 800n * 100n + 10n * 2_000n;
    const json = await openai().chat.completions.create({ model: 'm-deepseek-json', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    const a = await logFor(g, json.response.headers.get('x-request-id'));
    expect({ cached: a.cached_tokens, prompt: a.prompt_tokens, cost: BigInt(a.cost) }).toEqual({ cached: 800, prompt: 1000, cost: expected });
    const streamed = await openai().chat.completions.create({ model: 'm-deepseek-sse', stream: true, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    for await (const _ of streamed.data) { /* drain */ }
    const b = await logFor(g, streamed.response.headers.get('x-request-id'));
    expect({ cached: b.cached_tokens, cost: BigInt(b.cost) }).toEqual({ cached: 800, cost: expected });
  });

  test('a broken upstream stream ends in each protocol\'s error event, which its SDK raises', async () => {
    // Anthropic: `event: error`.
    const claude = anthropic().messages.stream({ model: 'claude-m-broken', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
    await expect(claude.finalMessage()).rejects.toThrow(/upstream/i);
    // Responses: `response.failed`.
    const resp = await openai().responses.create({ model: 'resp-m-broken', input: 'hi', stream: true });
    const types: string[] = [];
    for await (const e of resp) types.push(e.type);
    expect(types.at(-1)).toBe('response.failed');
    // Gemini: a data event with a Google error object, which @google/genai raises.
    const genai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: g.url } });
    const run = async () => {
      let text = '';
      for await (const c of await genai.models.generateContentStream({ model: 'gemini-m-broken', contents: 'hi' })) text += c.text ?? '';
      return text;
    };
    await expect(run()).rejects.toThrow();
  });

  test('Anthropic responses carry request-id (the SDK\'s _request_id), errors too, in Anthropic\'s shape', async () => {
    const msg = await anthropic().messages.create({ model: 'claude-m-json', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
    expect(msg._request_id).toMatch(/^req_/);
    // temperature above Anthropic's documented 0–1 range (this SDK version no longer types the field).
    const err = await anthropic().messages.create({ model: 'claude-m-json', max_tokens: 20, temperature: 1.5, messages: [{ role: 'user', content: 'hi' }] } as never).catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err.requestID).toMatch(/^req_/);
    expect(err.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  test('dated names and patterns: exact price of the undated name wins, then the longest pattern; mapping patterns serve aliases', async () => {
    const dated = await anthropic().messages.create({ model: 'claude-haiku-4-5-20251001', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(dated.data.model).toBe('claude-haiku-4-5-20251001');
    const a = await logFor(g, dated.response.headers.get('x-request-id'));
    expect({ model: a.model, upstream: a.upstream_model, cost: BigInt(a.cost) }).toEqual({ model: 'claude-haiku-4-5-20251001', upstream: 'm-json', cost: 12n * 1_000n + 2n * 5_000n });
    const sonnet = await anthropic().messages.create({ model: 'claude-sonnet-9-9', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    const b = await logFor(g, sonnet.response.headers.get('x-request-id'));
    expect(BigInt(b.cost)).toBe(12n * 3_000n + 2n * 15_000n);
    expect(up.bodies.at(-1).model).toBe('m-json');
    // OpenAI chat through the same mapping: JSON and a passthrough stream name the requested model.
    const chat = await openai().chat.completions.create({ model: 'claude-haiku-4-5-20251001', messages: [{ role: 'user', content: 'hi' }] });
    expect(chat.model).toBe('claude-haiku-4-5-20251001');
    const stream = await openai().chat.completions.create({ model: 'claude-sonnet-9-9', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    for await (const c of stream) expect(c.model).toBe('claude-sonnet-9-9');
  });

  test('<think> tags split into reasoning_content when the channel asks: chat JSON and stream, Anthropic thinking blocks', async () => {
    const json = await openai().chat.completions.create({ model: 'r1-think-json', messages: [{ role: 'user', content: 'which is larger' }] });
    expect(json.choices[0]?.message).toMatchObject({ content: '9.8 is larger.', reasoning_content: 'Compare 9.11 and 9.8.' });
    let content = '';
    let reasoning = '';
    for await (const c of await openai().chat.completions.create({ model: 'r1-think-sse', stream: true, messages: [{ role: 'user', content: 'x' }] })) {
      content += c.choices[0]?.delta.content ?? '';
      reasoning += (c.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '';
    }
    expect({ content, reasoning }).toEqual({ content: '9.8 is larger.', reasoning: 'Compare 9.11 and 9.8.' });
    const msg = await anthropic().messages.stream({ model: 'claude-r1-think-sse', max_tokens: 50, messages: [{ role: 'user', content: 'x' }] }).finalMessage();
    expect(msg.content.map((b) => [b.type, b.type === 'thinking' ? b.thinking : b.type === 'text' ? b.text : ''])).toEqual([['thinking', 'Compare 9.11 and 9.8.'], ['text', '9.8 is larger.']]);
  });

  test('a refused call whose body does not parse is logged with the model it asked for', async () => {
    const res = await fetch(`${g.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'claude-m-json', messages: [] }) });
    expect(res.status).toBe(400);
    const log = await logFor(g, res.headers.get('x-request-id'));
    expect({ model: log.model, status: log.status }).toEqual({ model: 'claude-m-json', status: 400 });
  });

  test('hosted tools on a chat-only channel: dropped with a header, or refused in strict mode', async () => {
    const body = { model: 'resp-m-json', input: 'hi', tools: [{ type: 'web_search' }, { type: 'function', name: 'f', parameters: { type: 'object', properties: {} } }] };
    const ok = await fetch(`${g.url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-switchboard-dropped-tools')).toBe('web_search');
    expect(up.bodies.at(-1).tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(['f']);
    const strict = await fetch(`${g.url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-switchboard-hosted-tools': 'strict' }, body: JSON.stringify(body) });
    expect(strict.status).toBe(400);
    expect(((await strict.json()) as { error: { message: string } }).error.message).toContain('"web_search"');
  });

  test('a converted request is fitted to the target provider\'s parameter rules (OpenAI: user ≤ 64, max_completion_tokens)', async () => {
    // Claude Code's metadata.user_id is ~150 characters; OpenAI refuses a `user` over 64.
    const userId = `user_${'a'.repeat(64)}_account_${crypto.randomUUID()}_session_${crypto.randomUUID()}`;
    await anthropic().messages.create({ model: 'oai-m-json', max_tokens: 20, temperature: 0.5, metadata: { user_id: userId }, messages: [{ role: 'user', content: 'hi' }] } as never);
    const sent = up.bodies.at(-1);
    expect(sent.user).toHaveLength(64);
    expect(sent.user).not.toBe(userId.slice(0, 64));
    expect(sent).toMatchObject({ temperature: 0.5, max_completion_tokens: 20 });
    expect(sent.max_tokens).toBeUndefined();
    // An OpenAI-compatible channel (type 50) declares no rules: the request goes as converted.
    await anthropic().messages.create({ model: 'claude-m-json', max_tokens: 20, metadata: { user_id: userId }, messages: [{ role: 'user', content: 'hi' }] } as never);
    expect(up.bodies.at(-1)).toMatchObject({ max_tokens: 20, user: userId });
  });
});
