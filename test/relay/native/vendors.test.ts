// Issue 4, protocol level: the official `openai` client → Switchboard → local upstreams
// that speak each vendor's native protocol (Anthropic Messages, Gemini generateContent,
// Bedrock Converse with SigV4 and binary event streams, Azure OpenAI, Vertex AI with a
// service-account token for Gemini and Claude). Chat, streamed and not, text and a tool
// call; each call's log row is checked for its tokens and its cost to the nano-USD.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.ts';
import * as anthropicMock from '../../mocks/vendors/anthropic.ts';
import * as azureMock from '../../mocks/vendors/azure.ts';
import * as bedrockMock from '../../mocks/vendors/bedrock.ts';
import * as geminiMock from '../../mocks/vendors/gemini.ts';
import type { MockUpstream } from '../../mocks/vendors/shared.ts';
import * as vertexMock from '../../mocks/vendors/vertex.ts';
import { logFor } from '../endpoints/helpers.ts';

interface Usage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  cacheWrite1h?: number;
}

// Prices for every model here: $1/M input, $2/M output, $0.10/M cache read, $1.25/M 5-minute
// and $2/M 1-hour cache writes — whole nano-USD per token, so costs are plain sums.
const expectedCost = (u: Usage) => {
  const w1h = u.cacheWrite1h ?? 0;
  return BigInt(u.input) * 1_000n + BigInt(u.output) * 2_000n + BigInt(u.cacheRead ?? 0) * 100n + BigInt((u.cacheWrite ?? 0) - w1h) * 1_250n + BigInt(w1h) * 2_000n;
};

interface Case {
  model: string;
  /** Usage in each fixture the mock replays, as the vendor reports it (metered, not raw). */
  json: { text: string; tool: string; textUsage: Usage; toolUsage: Usage };
  sse: { text: string; tool: string; textUsage: Usage; toolUsage: Usage };
}

const ANTHROPIC: Omit<Case, 'model'> = {
  json: { text: 'Hello! How can I help you today?', tool: 'get_weather', textUsage: { input: 21, output: 12, cacheRead: 3000, cacheWrite: 1500, cacheWrite1h: 500 }, toolUsage: { input: 384, output: 76 } },
  sse: { text: 'Hello!', tool: 'get_weather', textUsage: { input: 25, output: 15, cacheRead: 2048 }, toolUsage: { input: 472, output: 89 } },
};
const GEMINI: Omit<Case, 'model'> = {
  json: { text: 'Waves fold into foam,\nsalt wind carries gull voices,\nthe tide keeps its time.', tool: 'get_weather', textUsage: { input: 176, output: 136, cacheRead: 1024 }, toolUsage: { input: 86, output: 18 } },
  sse: { text: '', tool: 'get_weather', textUsage: { input: 8, output: 37 }, toolUsage: { input: 70, output: 20 } },
};

const CASES: Array<[string, Case]> = [
  ['anthropic', { model: 'claude-sonnet-4-5', ...ANTHROPIC }],
  ['gemini', { model: 'gemini-2.5-flash', ...GEMINI }],
  ['bedrock', {
    model: 'anthropic.claude-3-5-haiku-20241022-v1:0',
    json: { text: 'Hello! How can I help you today?', tool: 'top_song', textUsage: { input: 12, output: 30, cacheRead: 1200, cacheWrite: 1200, cacheWrite1h: 800 }, toolUsage: { input: 375, output: 56 } },
    sse: { text: 'Hello there!', tool: 'top_song', textUsage: { input: 9, output: 4, cacheRead: 2048 }, toolUsage: { input: 420, output: 61 } },
  }],
  ['azure', {
    model: 'gpt-4o-mini',
    json: { text: '', tool: 'get_weather', textUsage: { input: 30, output: 5, cacheRead: 1280 }, toolUsage: { input: 82, output: 17 } },
    sse: { text: 'Hello from Azure!', tool: 'get_weather', textUsage: { input: 30, output: 4, cacheRead: 1280 }, toolUsage: { input: 82, output: 17 } },
  }],
  ['vertex (Gemini)', { model: 'gemini-2.5-pro', ...GEMINI }],
  ['vertex (Claude)', { model: 'claude-sonnet-4-5@20250929', ...ANTHROPIC }],
];

const TOOLS: OpenAI.Chat.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }];

describe('openai client against native vendor protocols', () => {
  let g: TestGateway;
  let client: OpenAI;
  const mocks: MockUpstream[] = [];

  beforeAll(async () => {
    const creds = { accessKeyId: 'AKIAMOCK', secretAccessKey: 'mock/secret', region: 'us-west-2' };
    const [anthropic, gemini, bedrock, azure, vertex] = await Promise.all([
      anthropicMock.start(), geminiMock.start(), bedrockMock.start({ credentials: creds }), azureMock.start(), vertexMock.start(),
    ]);
    mocks.push(anthropic, gemini, bedrock, azure, vertex);
    g = await startTestGateway('pglite');
    await g.admin.users.create.mutate({ username: 'vendors', balanceUsd: '100' });
    client = new OpenAI({ baseURL: `${g.url}/v1`, apiKey: (await g.admin.keys.create.mutate({ name: 'k', user: 'vendors' })).key, maxRetries: 0 });
    const add = (name: string, type: number, baseUrl: string, key: string, models: string[], config: Record<string, string> = {}) =>
      g.admin.channels.create.mutate({ name, type, baseUrl, key, models, config });
    await add('anthropic', 14, anthropic.url, 'sk-ant-mock', ['claude-sonnet-4-5']);
    await add('gemini', 24, gemini.url, 'AIzaMock', ['gemini-2.5-flash']);
    await add('bedrock', 33, bedrock.url, `${creds.accessKeyId}|${creds.secretAccessKey}|${creds.region}`, ['anthropic.claude-3-5-haiku-20241022-v1:0']);
    await add('azure', 3, azure.url, 'azure-key', ['gpt-4o-mini'], { api_version: '2024-10-21' });
    await add('vertex', 42, vertex.url, vertex.serviceAccountKey, ['gemini-2.5-pro', 'claude-sonnet-4-5@20250929'], { region: 'us-east5' });
    for (const [, c] of CASES) {
      await g.admin.prices.set.mutate({ model: c.model, inputUsdPerM: '1', outputUsdPerM: '2', cacheReadUsdPerM: '0.1', cacheWrite5mUsdPerM: '1.25', cacheWrite1hUsdPerM: '2' });
    }
  }, 60_000);
  afterAll(async () => {
    await g.close();
    for (const m of mocks) m.stop();
  });

  const checkLog = async (requestId: string | null, u: Usage, stream: boolean) => {
    const log = await logFor(g, requestId);
    expect(log).toMatchObject({
      status: 200, stream, estimated: false,
      prompt_tokens: u.input + (u.cacheRead ?? 0) + (u.cacheWrite ?? 0), completion_tokens: u.output,
      cached_tokens: u.cacheRead ?? 0, cache_write_tokens: u.cacheWrite ?? 0,
    });
    expect(log.cost).toBe(expectedCost(u));
  };

  describe.each(CASES)('%s', (_name, c) => {
    test('text, not streamed', async () => {
      const { data, response } = await client.chat.completions.create({ model: c.model, messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
      if (c.json.text) expect(data.choices[0]!.message.content).toBe(c.json.text);
      else expect(data.choices[0]!.message.content).toBeTruthy();
      expect(data.choices[0]!.finish_reason).toBe('stop');
      await checkLog(response.headers.get('x-request-id'), c.json.textUsage, false);
    });

    test('tool call, not streamed', async () => {
      const { data, response } = await client.chat.completions.create({ model: c.model, tools: TOOLS, messages: [{ role: 'user', content: 'Weather?' }] }).withResponse();
      const call = data.choices[0]!.message.tool_calls?.[0];
      expect(call?.type === 'function' && call.function.name).toBe(c.json.tool);
      expect(() => JSON.parse(call?.type === 'function' ? call.function.arguments : '')).not.toThrow();
      expect(data.choices[0]!.finish_reason).toBe('tool_calls');
      await checkLog(response.headers.get('x-request-id'), c.json.toolUsage, false);
    });

    test('text, streamed', async () => {
      const { data: stream, response } = await client.chat.completions.create({ model: c.model, stream: true, messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
      let text = '';
      let finish: string | null = null;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      if (c.sse.text) expect(text).toBe(c.sse.text);
      else expect(text.length).toBeGreaterThan(0);
      expect(finish).toBe('stop');
      await checkLog(response.headers.get('x-request-id'), c.sse.textUsage, true);
    });

    test('tool call, streamed', async () => {
      const { data: stream, response } = await client.chat.completions.create({ model: c.model, stream: true, tools: TOOLS, messages: [{ role: 'user', content: 'Weather?' }] }).withResponse();
      let name = '';
      let args = '';
      let finish: string | null = null;
      for await (const chunk of stream) {
        const tc = chunk.choices[0]?.delta?.tool_calls?.[0];
        if (tc && (tc.index ?? 0) === 0) {
          name += tc.function?.name ?? '';
          args += tc.function?.arguments ?? '';
        }
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      expect(name).toBe(c.sse.tool);
      expect(() => JSON.parse(args)).not.toThrow();
      expect(finish).toBe('tool_calls');
      await checkLog(response.headers.get('x-request-id'), c.sse.toolUsage, true);
    });
  });
});
