// Mock Azure OpenAI: /openai/deployments/{deployment}/chat/completions?api-version=…
// with the api-key header; OpenAI wire with Azure's content-filter annotations.
import { fixture, hasTools, json, type MockUpstream, record, type RecordedRequest, serve, sse } from './shared.ts';

export async function start(): Promise<MockUpstream> {
  const requests: RecordedRequest[] = [];
  const server = serve(async (req) => {
    const r = await record(req, requests);
    const m = /^\/openai\/deployments\/([^/]+)\/chat\/completions\?(.*)$/.exec(r.path);
    if (!m) return json({ error: { code: '404', message: 'Resource not found' } }, 404);
    if (!new URLSearchParams(m[2]).get('api-version')) return json({ error: { code: '404', message: 'Resource not found' } }, 404);
    if (!r.headers['api-key']) {
      return json({ error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint.' } }, 401);
    }
    const body = r.body as { stream?: boolean; stream_options?: { include_usage?: boolean }; messages?: Array<{ content?: unknown }> };
    if (m[1] === 'mock-error' || JSON.stringify(body.messages ?? []).includes('trigger content filter')) return json(fixture('azure', 'error.json'), 400);
    const tools = hasTools(body);
    if (body.stream) {
      const transcript = fixture('azure', tools ? 'tool-call.sse' : 'text.sse');
      // Like OpenAI, the usage chunk is only sent when the client asks for it.
      return sse(body.stream_options?.include_usage ? transcript : transcript.split('\n\n').filter((e) => !e.includes('"usage"')).join('\n\n'));
    }
    return json(fixture('azure', tools ? 'tool-call.json' : 'text.json'));
  });
  return { url: server.url, requests, stop: server.stop };
}
