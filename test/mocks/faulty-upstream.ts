// A fault-injecting upstream in OpenAI's wire format, on node:http so it can misbehave at
// the socket level: 429 with Retry-After, 500, connection reset, slow first byte, a stream
// dropped mid-way, 401 invalid_api_key and insufficient quota. Faults can be scripted per
// upstream key (pool tests), queued for the next requests, or set for every request.
// It also answers embeddings, images, speech, transcriptions, the model list and the
// vendors' balance endpoints.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'ok' }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  | { kind: 'rate-limit'; retryAfterS?: number }
  | { kind: 'server-error' }
  | { kind: 'reset' }
  | { kind: 'slow-first-byte'; ms: number }
  | { kind: 'drop-stream'; afterChunks: number }
  | { kind: 'invalid-key' }
  | { kind: 'no-quota' };

export const faults = {
  ok: { kind: 'ok' } as Fault,
  rateLimit: (retryAfterS?: number): Fault => ({ kind: 'rate-limit', retryAfterS }),
  serverError: { kind: 'server-error' } as Fault,
  reset: { kind: 'reset' } as Fault,
  slowFirstByte: (ms: number): Fault => ({ kind: 'slow-first-byte', ms }),
  dropStream: (afterChunks: number): Fault => ({ kind: 'drop-stream', afterChunks }),
  invalidKey: { kind: 'invalid-key' } as Fault,
  noQuota: { kind: 'no-quota' } as Fault,
  status: (status: number, message = `mock ${status}`): Fault => ({ kind: 'status', status, body: { error: { message, type: 'invalid_request_error', code: null } } }),
};

export interface FaultyRequest {
  method: string;
  path: string;
  /** The bearer key the gateway used. */
  key: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body as received, and parsed when it is JSON. */
  raw: string;
  body: any;
}

export interface FaultyUpstream {
  url: string;
  requests: FaultyRequest[];
  /** Behaviour for every request (null: succeed). */
  always(fault: Fault | null): void;
  /** Behaviour for requests made with this upstream key (overrides `always`). */
  forKey(key: string, fault: Fault | null): void;
  /** One-shot behaviours for the next requests (before per-key and `always`). */
  next(...f: Fault[]): void;
  /** JSON answers of GET balance endpoints, by path (e.g. `/user/balance`). */
  balances: Record<string, unknown>;
  /** Most requests seen in flight at once (reset it to measure). */
  maxInflight: number;
  /** Chat requests only (not model lists or balances). */
  chats(): FaultyRequest[];
  stop(): Promise<void>;
}

export const CHUNKS = ['Hello', ' from', ' the', ' faulty', ' mock', ' upstream'];

export async function startFaultyUpstream(): Promise<FaultyUpstream> {
  const queue: Fault[] = [];
  const perKey = new Map<string, Fault>();
  let sticky: Fault | null = null;
  const requests: FaultyRequest[] = [];
  const balances: Record<string, unknown> = {};

  let inflight = 0;
  // Assigned below, before the server accepts a connection.
  let api!: FaultyUpstream;
  const server = createServer(async (req, res) => {
    inflight++;
    api.maxInflight = Math.max(api.maxInflight, inflight);
    res.once('close', () => { inflight--; });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://mock');
    const key = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
    const text = Buffer.concat(chunks).toString('utf8');
    let body: any = text;
    try { body = JSON.parse(text); } catch {}
    requests.push({ method: req.method ?? 'GET', path: url.pathname, key, headers: req.headers, raw: text, body });

    if (req.method === 'GET') {
      if (url.pathname in balances) return json(res, 200, balances[url.pathname]);
      if (url.pathname.endsWith('/models')) return json(res, 200, { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model' }, { id: 'text-embedding-3-small', object: 'model' }] });
      return json(res, 404, { error: { message: 'not found' } });
    }

    const fault = queue.shift() ?? perKey.get(key) ?? sticky ?? faults.ok;
    switch (fault.kind) {
      case 'status':
        if (fault.delayMs) await sleep(fault.delayMs);
        return json(res, fault.status, fault.body ?? { error: { message: `mock ${fault.status}` } }, fault.headers);
      case 'rate-limit': return json(res, 429, { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } },
        fault.retryAfterS !== undefined ? { 'retry-after': String(fault.retryAfterS) } : {});
      case 'server-error': return json(res, 500, { error: { message: 'The server had an error while processing your request.', type: 'server_error' } });
      case 'invalid-key': return json(res, 401, { error: { message: 'Incorrect API key provided: sk-***.', type: 'invalid_request_error', code: 'invalid_api_key' } });
      case 'no-quota': return json(res, 429, { error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', code: 'insufficient_quota' } });
      case 'reset': req.socket.destroy(); return;
      case 'slow-first-byte': await sleep(fault.ms); break;
    }
    if (res.destroyed) return;
    const path = url.pathname.replace(/^\/v1/, '');
    if (path === '/embeddings') return json(res, 200, { object: 'list', model: body.model, data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], usage: { prompt_tokens: 2, total_tokens: 2 } });
    if (path === '/images/generations') return json(res, 200, { created: 0, data: [{ url: 'https://example.invalid/cat.png' }] });
    if (path === '/audio/speech') { res.writeHead(200, { 'content-type': 'audio/mpeg' }); return res.end(Buffer.from([0xff, 0xfb, 0x90, 0x00])); }
    if (path === '/audio/transcriptions') return json(res, 200, { text: '' });
    if (path !== '/chat/completions') return json(res, 404, { error: { message: `no route ${url.pathname}` } });
    return chat(res, body, fault);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  api = {
    url: `http://127.0.0.1:${port}`,
    requests,
    always: (f) => { sticky = f; },
    forKey: (key, f) => { if (f) perKey.set(key, f); else perKey.delete(key); },
    next: (...f) => { queue.push(...f); },
    balances,
    maxInflight: 0,
    chats: () => requests.filter((r) => r.path.endsWith('/chat/completions')),
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
  return api;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function chat(res: ServerResponse, body: { model: string; messages?: unknown[]; stream?: boolean; stream_options?: { include_usage?: boolean } }, fault: Fault): void {
  const prompt = 10 + (body.messages?.length ?? 0);
  const usage = { prompt_tokens: prompt, completion_tokens: CHUNKS.length, total_tokens: prompt + CHUNKS.length };
  if (!body.stream) {
    return json(res, 200, {
      id: 'chatcmpl-faulty', object: 'chat.completion', created: 1700000000, model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: CHUNKS.join('') }, finish_reason: 'stop' }], usage,
    });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const base = { id: 'chatcmpl-faulty', object: 'chat.completion.chunk', created: 1700000000, model: body.model };
  const events = [
    ...CHUNKS.map((t) => JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: t }, finish_reason: null }] })),
    JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
    ...(body.stream_options?.include_usage ? [JSON.stringify({ ...base, choices: [], usage })] : []),
    '[DONE]',
  ];
  if (fault.kind === 'drop-stream') {
    // Deliver some chunks, then cut the connection without ending the chunked body.
    res.write(events.slice(0, fault.afterChunks).map((e) => `data: ${e}\n\n`).join(''));
    setTimeout(() => res.socket?.destroy(), 30);
    return;
  }
  res.end(events.map((e) => `data: ${e}\n\n`).join(''));
}
