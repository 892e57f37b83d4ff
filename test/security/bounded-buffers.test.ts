// Issue 20 row 5: an upstream sending one SSE event that never ends (and one sending an endless
// JSON body). With MAX_SSE_EVENT_BYTES / MAX_UPSTREAM_BODY_BYTES the call ends with the
// protocol's error, the upstream is cancelled after about the limit, and what was delivered is
// billed.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { SseEventBound } from '../../server/relay/protocols/shared/upstream-bounds.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { seed, type Seeded } from '../helpers/seed.ts';

const LIMIT = 1024 * 1024;
const enc = new TextEncoder();

/** OpenAI chat-completion chunks (https://platform.openai.com/docs/api-reference/chat-streaming), then one event that never ends. */
function startEndlessUpstream() {
  const state = { sent: 0, cancelled: 0 };
  const filler = enc.encode('x'.repeat(64 * 1024));
  const server = Bun.serve({
    port: 0, hostname: '127.0.0.1', idleTimeout: 30,
    async fetch(req) {
      const body = await req.json() as { stream?: boolean };
      let timer: ReturnType<typeof setInterval> | undefined;
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          if (body.stream) {
            const chunk = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hello there, partial answer' }, finish_reason: null }] };
            controller.enqueue(enc.encode(`data: ${JSON.stringify(chunk)}\n\n`));
            controller.enqueue(enc.encode('data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"'));
          } else {
            controller.enqueue(enc.encode('{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"'));
          }
          timer = setInterval(() => {
            try {
              controller.enqueue(filler);
              state.sent += filler.byteLength;
            } catch {
              clearInterval(timer);
            }
          }, 1);
        },
        cancel() {
          state.cancelled++;
          clearInterval(timer);
        },
      });
      return new Response(stream, { headers: { 'content-type': body.stream ? 'text/event-stream' : 'application/json' } });
    },
  });
  return { server, state, url: `http://127.0.0.1:${server.port}` };
}

describe('SseEventBound', () => {
  test('counts bytes since the last blank line, across chunk splits', () => {
    const b = new SseEventBound(16);
    expect(b.push(enc.encode('data: 1\n\ndata: 2'))).toBe(true);
    expect(b.push(enc.encode('2222\r\n\r'))).toBe(true); // 14 bytes, no blank line yet
    expect(b.push(enc.encode('\n'))).toBe(true); // CRLFCRLF completed across chunks: 0 since
    expect(b.push(enc.encode('data: 1234567890'))).toBe(true); // 16
    expect(b.push(enc.encode('1'))).toBe(false); // 17
    const c = new SseEventBound(10);
    expect(c.push(enc.encode('data: 1234\n'))).toBe(false);
    expect(c.push(enc.encode('\n'))).toBe(true);
  });
});

describe('bounded upstream buffers', () => {
  let up: ReturnType<typeof startEndlessUpstream>;
  let g: TestGateway;
  let s: Seeded;

  beforeAll(async () => {
    up = startEndlessUpstream();
    g = await startTestGateway('postgres', { MAX_SSE_EVENT_BYTES: String(LIMIT), MAX_UPSTREAM_BODY_BYTES: String(LIMIT) });
    s = await seed(g, up.url);
  }, 60_000);
  afterAll(async () => {
    await g?.close();
    up?.server.stop(true);
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) => fetch(`${g.url}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${s.key}`, ...headers }, body: JSON.stringify(body),
  });
  const logOf = async (id: string) => {
    await g.flush();
    return g.gw.db.db.selectFrom('call_logs').selectAll().where('request_id', '=', id).executeTakeFirstOrThrow();
  };

  test('one endless SSE event: the stream ends with an error event, the upstream is cut off, delivered text is billed', async () => {
    up.state.sent = 0;
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    const res = await post('/v1/chat/completions', { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(200);
    const text = await res.text();
    const ms = performance.now() - t0;
    const rss1 = process.memoryUsage().rss;
    console.log(`[bounds] endless SSE event: ended after ${ms.toFixed(0)} ms, upstream sent ${(up.state.sent / 1048576).toFixed(2)} MiB (limit 1 MiB), RSS +${((rss1 - rss0) / 1048576).toFixed(1)} MiB`);
    expect(text).toContain('Hello there, partial answer');
    expect(text).toContain('"code":"upstream_event_too_large"');
    expect(up.state.sent).toBeLessThan(4 * LIMIT);
    await Bun.sleep(50);
    expect(up.state.cancelled).toBeGreaterThanOrEqual(1);
    const log = await logOf(res.headers.get('x-request-id')!);
    expect(log.status).toBe(502);
    expect(log.error_type).toBe('upstream_event_too_large');
    expect(log.completion_tokens).toBeGreaterThan(0);
    expect(BigInt(log.cost)).toBeGreaterThan(0n);
  });

  test('Anthropic Messages over the same channel: the error is Anthropic\'s error event', async () => {
    const res = await post('/v1/messages', { model: 'gpt-4o-mini', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' });
    expect(res.status).toBe(200);
    const text = await res.text();
    // https://docs.anthropic.com/en/api/messages-streaming#error-events
    expect(text).toContain('event: error');
    expect(text).toMatch(/"type":"error","error":\{"type":"api_error","message":"The upstream sent a stream event larger/);
  });

  test('an endless JSON body: 502 upstream_body_too_large after about the limit', async () => {
    up.state.sent = 0;
    const res = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(502);
    const body = await res.json() as { error: { code: string } };
    expect(body.error.code).toBe('upstream_body_too_large');
    console.log(`[bounds] endless JSON body: upstream sent ${(up.state.sent / 1048576).toFixed(2)} MiB before the cut (limit 1 MiB)`);
    expect(up.state.sent).toBeLessThan(4 * LIMIT);
    const log = await logOf(res.headers.get('x-request-id')!);
    expect(log.status).toBe(502);
  });
});
