// When the upstream reports no usage the gateway estimates it, once, the same way on every
// path: a tool-call answer is billed the same completion tokens whether it came back as JSON
// or streamed, on /v1/chat/completions or converted for Anthropic's /v1/messages. (The
// estimate used to ignore tool calls in JSON answers: 0 tokens JSON, 31 streamed.)
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { countTokens } from '../../server/billing/estimate.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { seed, type Seeded } from '../helpers/seed.ts';

const NAME = 'get_weather';
const ARGS = '{"city":"Paris","unit":"celsius","days":3,"include":["wind","humidity","uv_index"]}';

/** An OpenAI-compatible upstream that never reports usage (as some compatible vendors do), answering with one tool call. */
function startToolCallUpstream() {
  return Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const body = (await req.json()) as { model: string; stream?: boolean };
      const base = { id: 'chatcmpl-tool', created: 1_700_000_000, model: body.model };
      if (!body.stream) {
        return Response.json({
          ...base, object: 'chat.completion',
          choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: NAME, arguments: ARGS } }] } }],
        });
      }
      // https://platform.openai.com/docs/api-reference/chat-streaming: the first delta names the
      // tool call, later deltas append to its arguments; no usage chunk.
      const chunk = (delta: unknown, finish: string | null = null) =>
        `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      const parts = [
        chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: NAME, arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: ARGS.slice(0, 20) } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: ARGS.slice(20) } }] }),
        chunk({}, 'tool_calls'),
        'data: [DONE]\n\n',
      ];
      return new Response(parts.join(''), { headers: { 'content-type': 'text/event-stream' } });
    },
  });
}

describe('usage estimate without upstream usage', () => {
  let upstream: ReturnType<typeof startToolCallUpstream>;
  let g: TestGateway;
  let s: Seeded;

  beforeAll(async () => {
    upstream = startToolCallUpstream();
    g = await startTestGateway('pglite');
    s = await seed(g, `http://127.0.0.1:${upstream.port}`);
  });
  afterAll(async () => {
    await g.close();
    upstream.stop(true);
  });

  const logOf = async (res: Response) => {
    expect(res.status).toBe(200);
    await res.text();
    await g.flush();
    return g.gw.db.db.selectFrom('call_logs').selectAll().where('request_id', '=', res.headers.get('x-request-id')!).executeTakeFirstOrThrow();
  };
  const post = (path: string, body: unknown) =>
    fetch(`${g.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: JSON.stringify(body) });

  test('a tool-call answer logs the same estimated completion tokens JSON and streamed, chat and messages', async () => {
    const expected = countTokens(NAME + ARGS);
    expect(expected).toBeGreaterThan(20);
    const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [{ type: 'function', function: { name: NAME, parameters: { type: 'object' } } }] };
    const messages = { model: 'gpt-4o-mini', max_tokens: 256, messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [{ name: NAME, input_schema: { type: 'object' } }] };
    const logs = [
      await logOf(await post('/v1/chat/completions', chat)),
      await logOf(await post('/v1/chat/completions', { ...chat, stream: true })),
      await logOf(await post('/v1/messages', messages)),
      await logOf(await post('/v1/messages', { ...messages, stream: true })),
    ];
    expect(logs.map((l) => [l.endpoint, l.stream, l.status, l.estimated, l.completion_tokens])).toEqual([
      ['chat/completions', false, 200, true, expected],
      ['chat/completions', true, 200, true, expected],
      ['messages', false, 200, true, expected],
      ['messages', true, 200, true, expected],
    ]);
    // Same prompt, same estimate: the two chat calls cost the same.
    expect(logs[0]!.cost).toBe(logs[1]!.cost);
    expect(logs[0]!.cost).toBeGreaterThan(0n);
  });
});
