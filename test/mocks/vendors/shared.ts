// Plumbing shared by the mock upstreams: request recording, fixture loading, replies.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RecordedRequest {
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface MockUpstream {
  url: string;
  requests: RecordedRequest[];
  stop(): void;
}

const FIXTURES = join(import.meta.dir, '..', '..', 'fixtures');

export function fixture(vendor: string, name: string): string {
  return readFileSync(join(FIXTURES, vendor, name), 'utf8');
}

/** Reads and records one request; the body is parsed JSON when it is JSON. */
export async function record(req: Request, requests: RecordedRequest[]): Promise<RecordedRequest> {
  const url = new URL(req.url);
  const text = await req.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // form bodies (token endpoint) stay text
  }
  const headers: Record<string, string> = {};
  req.headers.forEach((v, k) => {
    headers[k] = v;
  });
  const entry = { path: url.pathname + url.search, headers, body };
  requests.push(entry);
  return entry;
}

export function json(body: string | unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** Sends an SSE transcript in small pieces so clients exercise their line buffering. */
export function sse(transcript: string): Response {
  const bytes = new TextEncoder().encode(transcript);
  return new Response(
    new ReadableStream({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 64) controller.enqueue(bytes.subarray(i, i + 64));
        controller.close();
      },
    }),
    { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } },
  );
}

export function hasTools(body: unknown): boolean {
  const b = body as { tools?: unknown[]; toolConfig?: { tools?: unknown[] } } | undefined;
  return Boolean(b?.tools?.length || b?.toolConfig?.tools?.length);
}

export function serve(fetch: (req: Request) => Response | Promise<Response>): { url: string; stop(): void } {
  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch });
  return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}
