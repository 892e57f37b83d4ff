// Mock Anthropic Messages API: POST /v1/messages, JSON or SSE, tool use when tools are sent.
// Model `mock-error` returns the documented 400 error body.
import { fixture, hasTools, json, type MockUpstream, record, type RecordedRequest, serve, sse } from './shared.ts';

export async function start(): Promise<MockUpstream> {
  const requests: RecordedRequest[] = [];
  const server = serve(async (req) => {
    const r = await record(req, requests);
    return anthropicReply(r);
  });
  return { url: server.url, requests, stop: server.stop };
}

/** Shared with the Vertex mock, which serves Claude with the same wire format. */
export function anthropicReply(r: RecordedRequest, opts: { requireKey?: boolean } = { requireKey: true }): Response {
  if (!r.path.endsWith('/v1/messages') && !/:(stream)?rawPredict$/i.test(r.path)) return json({ type: 'error', error: { type: 'not_found_error', message: 'Not found' } }, 404);
  if (opts.requireKey && !r.headers['x-api-key']) {
    return json({ type: 'error', error: { type: 'authentication_error', message: 'x-api-key header is required' } }, 401);
  }
  const body = (r.body ?? {}) as { model?: string; stream?: boolean; max_tokens?: number; messages?: unknown[] };
  if (body.model === 'mock-error' || typeof body.max_tokens !== 'number' || !Array.isArray(body.messages)) {
    return json(fixture('anthropic', 'error.json'), 400);
  }
  const tools = hasTools(body);
  if (body.stream) return sse(fixture('anthropic', tools ? 'tool-call.sse' : 'text.sse'));
  return json(fixture('anthropic', tools ? 'tool-use.json' : 'text.json'));
}
