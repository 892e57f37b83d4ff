// Small helpers for the surface tests: fixture loading, SSE splitting, a one-route local server.
import type { ChatChunk } from '../../server/relay/protocols/openai/types.ts';
import type { SurfaceStream } from '../../server/relay/protocols/types.ts';

const FIXTURES = new URL('../fixtures/surfaces/', import.meta.url);

export async function fixture<T = any>(path: string): Promise<T> {
  return Bun.file(new URL(path, FIXTURES)).json();
}

export async function fixtureText(path: string): Promise<string> {
  return Bun.file(new URL(path, FIXTURES)).text();
}

export interface SseEvent {
  event?: string;
  data: any;
}

/** Splits SSE text on blank lines (LF or CRLF) and JSON-parses each data line. */
export function parseSse(text: string): SseEvent[] {
  return text
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim())
    .map((block) => {
      const lines = block.split(/\r?\n/);
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
      const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      return { event, data: JSON.parse(data) };
    });
}

export function runStream(stream: SurfaceStream, chunks: ChatChunk[]): string {
  return chunks.map((c) => stream.push(c)).join('') + stream.end();
}

/** Serves one fixed body for every request on 127.0.0.1 and records the request bodies. */
export function serveFixed(body: string, contentType: string) {
  const requests: unknown[] = [];
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      requests.push(await req.json().catch(() => null));
      return new Response(body, { headers: { 'content-type': contentType } });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, requests, stop: () => server.stop(true) };
}

// Loosely typed delta: openai-types intersects ChatMessage.tool_calls with the delta shape,
// which would demand a function name on every argument fragment.
export function chunk(delta: Record<string, unknown>, finish: string | null = null, usage?: ChatChunk['usage']): ChatChunk {
  const c: ChatChunk = {
    id: 'chatcmpl-t1',
    object: 'chat.completion.chunk',
    created: 1700000000,
    model: 'up-model',
    choices: [{ index: 0, delta: delta as ChatChunk['choices'][number]['delta'], finish_reason: finish }],
  };
  if (usage !== undefined) c.usage = usage;
  return c;
}

export function usageChunk(usage: NonNullable<ChatChunk['usage']>): ChatChunk {
  return { id: 'chatcmpl-t1', object: 'chat.completion.chunk', created: 1700000000, model: 'up-model', choices: [], usage };
}
