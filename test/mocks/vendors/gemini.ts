// Mock Gemini API: POST /v1beta/models/{model}:generateContent and
// :streamGenerateContent?alt=sse, authenticated by x-goog-api-key.
import { fixture, hasTools, json, type MockUpstream, record, type RecordedRequest, serve, sse } from './shared.ts';

export async function start(): Promise<MockUpstream> {
  const requests: RecordedRequest[] = [];
  const server = serve(async (req) => {
    const r = await record(req, requests);
    if (!r.headers['x-goog-api-key']) return json(fixture('gemini', 'error.json'), 400);
    return geminiReply(r);
  });
  return { url: server.url, requests, stop: server.stop };
}

/** Shared with the Vertex mock (same body format under publishers/google). */
export function geminiReply(r: RecordedRequest): Response {
  const m = /\/models\/([^/:]+):(generateContent|streamGenerateContent)(\?alt=sse)?$/.exec(r.path);
  if (!m) return json({ error: { code: 404, message: `Unknown path ${r.path}`, status: 'NOT_FOUND' } }, 404);
  const body = r.body as { contents?: unknown[] } | undefined;
  if (!Array.isArray(body?.contents) || m[1] === 'mock-error') {
    return json({ error: { code: 400, message: '* GenerateContentRequest.contents: contents is not specified', status: 'INVALID_ARGUMENT' } }, 400);
  }
  const tools = hasTools(body);
  if (m[2] === 'streamGenerateContent') {
    if (!m[3]) return json({ error: { code: 400, message: 'mock serves SSE only: add ?alt=sse', status: 'INVALID_ARGUMENT' } }, 400);
    return sse(fixture('gemini', tools ? 'function-call.sse' : 'text.sse'));
  }
  return json(fixture('gemini', tools ? 'function-call.json' : 'text.json'));
}
