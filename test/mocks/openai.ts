// A local upstream that speaks OpenAI's chat completions wire format: JSON and SSE, with
// usage only when `stream_options.include_usage` asks for it, like the real API. Tests
// script faults per call with `next()`.
export interface Recorded {
  path: string;
  headers: Record<string, string>;
  body: any;
  aborted: boolean;
}

export type Fault =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'delay'; ms: number }
  | { kind: 'slow-stream'; chunkDelayMs: number; chunks?: number }
  | { kind: 'no-usage' }
  | { kind: 'not-json' }
  | { kind: 'reset' };

export interface MockOpenAI {
  url: string;
  requests: Recorded[];
  /** Queue a behaviour for the next request(s); otherwise requests succeed. */
  next(...faults: Fault[]): void;
  /** Behaviour for every request until cleared. */
  always(fault: Fault | null): void;
  stop(): void;
}

export const MOCK_TEXT = ['Hello', ' from', ' the', ' mock'];
export const MOCK_COMPLETION_TOKENS = MOCK_TEXT.length;
export const mockPromptTokens = (body: { messages?: unknown[] }) => 10 + (body.messages?.length ?? 0);

const enc = new TextEncoder();

export async function startMockOpenAI(): Promise<MockOpenAI> {
  const queue: Fault[] = [];
  let sticky: Fault | null = null;
  const requests: Recorded[] = [];

  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 60,
    async fetch(req) {
      const url = new URL(req.url);
      const rec: Recorded = { path: url.pathname, headers: Object.fromEntries(req.headers), body: null, aborted: false };
      requests.push(rec);
      req.signal.addEventListener('abort', () => { rec.aborted = true; });
      if (req.method === 'GET' && url.pathname.endsWith('/models')) {
        return Response.json({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 0, owned_by: 'mock' }] });
      }
      const text = await req.text();
      try { rec.body = JSON.parse(text); } catch { rec.body = text; }
      const fault = queue.shift() ?? sticky;
      if (fault?.kind === 'status') {
        return Response.json(fault.body ?? { error: { message: `mock failure ${fault.status}`, type: 'server_error', code: null } }, { status: fault.status, headers: fault.headers });
      }
      if (fault?.kind === 'reset') {
        // Close the connection without an answer.
        server.stop(true);
        throw new Error('reset');
      }
      if (fault?.kind === 'delay') await Bun.sleep(fault.ms);
      if (fault?.kind === 'not-json') return new Response('<html>bad gateway</html>', { status: 200, headers: { 'content-type': 'text/html' } });
      const body = rec.body as { model: string; messages: unknown[]; stream?: boolean; stream_options?: { include_usage?: boolean } };
      const usage = { prompt_tokens: mockPromptTokens(body), completion_tokens: MOCK_COMPLETION_TOKENS, total_tokens: mockPromptTokens(body) + MOCK_COMPLETION_TOKENS, prompt_tokens_details: { cached_tokens: 0 } };
      const withUsage = fault?.kind !== 'no-usage';
      if (!body.stream) {
        return Response.json({
          id: 'chatcmpl-mock', object: 'chat.completion', created: 1700000000, model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: MOCK_TEXT.join('') }, finish_reason: 'stop' }],
          ...(withUsage ? { usage } : {}),
        });
      }
      const base = { id: 'chatcmpl-mock', object: 'chat.completion.chunk', created: 1700000000, model: body.model };
      const events: string[] = [JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })];
      const pieces = fault?.kind === 'slow-stream' && fault.chunks ? Array.from({ length: fault.chunks }, (_, i) => MOCK_TEXT[i % MOCK_TEXT.length]!) : MOCK_TEXT;
      for (const t of pieces) events.push(JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: t }, finish_reason: null }] }));
      events.push(JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
      if (withUsage && body.stream_options?.include_usage) events.push(JSON.stringify({ ...base, choices: [], usage }));
      events.push('[DONE]');
      const delay = fault?.kind === 'slow-stream' ? fault.chunkDelayMs : 0;
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          for (const e of events) {
            if (rec.aborted) break;
            controller.enqueue(enc.encode(`data: ${e}\n\n`));
            if (delay) await Bun.sleep(delay);
          }
          try { controller.close(); } catch {}
        },
      });
      return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
    },
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    next: (...f) => queue.push(...f),
    always: (f) => { sticky = f; },
    stop: () => server.stop(true),
  };
}
