// A local upstream speaking OpenAI's formats for every endpoint besides plain chat:
// chat with a tool call, completions, embeddings (float and base64), images (JSON and
// multipart edits), audio speech (binary stream), transcriptions/translations (multipart),
// moderations, rerank (Cohere and Jina shapes) and the Responses API (JSON and SSE).
// Shapes follow platform.openai.com/docs/api-reference; numbers are fixed so tests can
// assert exact costs.

export interface EndpointRequest {
  path: string;
  headers: Record<string, string>;
  contentType: string;
  /** Parsed JSON, or the text fields of a multipart form. */
  body: any;
  raw: Uint8Array;
  files: Record<string, { name: string; size: number; type: string }>;
}

export interface MockEndpoints {
  url: string;
  requests: EndpointRequest[];
  last(path: string): EndpointRequest | undefined;
  stop(): void;
}

export const CHAT_USAGE = { prompt_tokens: 20, completion_tokens: 7, total_tokens: 27 };
export const TOOL_CALL = { id: 'call_mock_1', name: 'get_weather', arguments: '{"city":"Paris"}' };
export const EMBEDDING_TOKENS_PER_INPUT = 8;
export const EMBEDDING = [0.25, -0.5, 0.125];
export const SPEECH_BYTES = 3 * 4096;
export const VERBOSE_DURATION_S = 2.5;
export const TRANSCRIBE_USAGE = { type: 'tokens', input_tokens: 14, output_tokens: 5, total_tokens: 19, input_token_details: { text_tokens: 0, audio_tokens: 14 } };
export const RERANK_TOKENS = 42;
export const RESPONSE_USAGE = { input_tokens: 30, input_tokens_details: { cached_tokens: 10 }, output_tokens: 9, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 39 };
export const RESPONSE_TEXT = 'Native hello';

const enc = new TextEncoder();

export function float32Base64(values: number[]): string {
  return Buffer.from(new Float32Array(values).buffer).toString('base64');
}

function sse(events: Array<{ event?: string; data: unknown }>): Response {
  const text = events.map((e) => `${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`).join('');
  const bytes = enc.encode(text);
  return new Response(new ReadableStream({
    start(c) {
      for (let i = 0; i < bytes.length; i += 50) c.enqueue(bytes.subarray(i, i + 50));
      c.close();
    },
  }), { headers: { 'content-type': 'text/event-stream' } });
}

function chat(body: any): Response {
  const tools = Array.isArray(body.tools) && body.tools.length > 0;
  const base = { id: 'chatcmpl-ep', created: 1700000000, model: body.model };
  if (!body.stream) {
    const message = tools
      ? { role: 'assistant', content: null, tool_calls: [{ id: TOOL_CALL.id, type: 'function', function: { name: TOOL_CALL.name, arguments: TOOL_CALL.arguments } }] }
      : { role: 'assistant', content: 'Hello from chat' };
    return Response.json({ ...base, object: 'chat.completion', choices: [{ index: 0, message, finish_reason: tools ? 'tool_calls' : 'stop' }], usage: CHAT_USAGE });
  }
  const chunk = (delta: unknown, finish: string | null = null) => ({ data: { ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] } });
  const events: Array<{ data: unknown }> = [chunk({ role: 'assistant', content: tools ? null : '' })];
  if (tools) {
    events.push(chunk({ tool_calls: [{ index: 0, id: TOOL_CALL.id, type: 'function', function: { name: TOOL_CALL.name, arguments: '' } }] }));
    events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: TOOL_CALL.arguments.slice(0, 8) } }] }));
    events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: TOOL_CALL.arguments.slice(8) } }] }));
    events.push(chunk({}, 'tool_calls'));
  } else {
    for (const t of ['Hello', ' from', ' chat']) events.push(chunk({ content: t }));
    events.push(chunk({}, 'stop'));
  }
  if (body.stream_options?.include_usage) events.push({ data: { ...base, object: 'chat.completion.chunk', choices: [], usage: CHAT_USAGE } });
  events.push({ data: '[DONE]' });
  return sse(events);
}

function completions(body: any): Response {
  const base = { id: 'cmpl-mock', created: 1700000000, model: body.model };
  if (!body.stream) return Response.json({ ...base, object: 'text_completion', choices: [{ index: 0, text: ' world', finish_reason: 'stop', logprobs: null }], usage: CHAT_USAGE });
  const events: Array<{ data: unknown }> = [' wor', 'ld'].map((text) => ({ data: { ...base, object: 'text_completion', choices: [{ index: 0, text, finish_reason: null, logprobs: null }] } }));
  if (body.stream_options?.include_usage) events.push({ data: { ...base, object: 'text_completion', choices: [], usage: CHAT_USAGE } });
  events.push({ data: '[DONE]' });
  return sse(events);
}

function embeddings(body: any): Response {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const tokens = EMBEDDING_TOKENS_PER_INPUT * inputs.length;
  const base64 = body.encoding_format === 'base64';
  return Response.json({
    object: 'list',
    data: inputs.map((_: unknown, index: number) => ({ object: 'embedding', index, embedding: base64 ? float32Base64(EMBEDDING) : EMBEDDING })),
    model: body.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

function images(fields: any): Response {
  const n = Number(fields.n ?? 1);
  const data = Array.from({ length: n }, () => ({ b64_json: 'aW1hZ2U=' }));
  // gpt-image-1 reports what it made and the tokens it used; dall-e models do not.
  if (String(fields.model).startsWith('gpt-image')) {
    return Response.json({ created: 1700000000, data, size: fields.size ?? '1024x1024', quality: fields.quality ?? 'high', usage: { input_tokens: 50, output_tokens: 4160, total_tokens: 4210 } });
  }
  return Response.json({ created: 1700000000, data: data.map((d) => ({ ...d, revised_prompt: 'a cat' })) });
}

function speech(): Response {
  const chunk = new Uint8Array(4096).fill(0xab);
  return new Response(new ReadableStream({
    async start(c) {
      for (let i = 0; i < SPEECH_BYTES / 4096; i++) {
        c.enqueue(chunk);
        await Bun.sleep(5);
      }
      c.close();
    },
  }), { headers: { 'content-type': 'audio/mpeg' } });
}

function transcription(fields: any): Response {
  const format = fields.response_format ?? 'json';
  if (format === 'text') return new Response('hello world\n', { headers: { 'content-type': 'text/plain; charset=utf-8' } });
  if (format === 'verbose_json') {
    return Response.json({ task: 'transcribe', language: 'english', duration: VERBOSE_DURATION_S, text: 'hello world', segments: [] });
  }
  return Response.json({ text: 'hello world', ...(String(fields.model).includes('gpt-4o') ? { usage: TRANSCRIBE_USAGE } : {}) });
}

function moderations(body: any): Response {
  return Response.json({
    id: 'modr-mock', model: body.model,
    results: [{ flagged: false, categories: { violence: false }, category_scores: { violence: 0.0001 } }],
  });
}

function rerank(body: any): Response {
  const results = body.documents.map((_: unknown, index: number) => ({ index, relevance_score: 1 - index / 10 })).slice(0, body.top_n ?? body.documents.length);
  if (String(body.model).includes('jina')) return Response.json({ model: body.model, usage: { total_tokens: RERANK_TOKENS }, results });
  return Response.json({ id: 'rr-mock', results, meta: { api_version: { version: '2' }, billed_units: { search_units: 1 } } });
}

function responses(body: any): Response {
  const response = (status: string, withOutput: boolean) => ({
    id: 'resp_mock', object: 'response', created_at: 1700000000, status, model: body.model, error: null, incomplete_details: null,
    output: withOutput ? [{ id: 'msg_mock', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: RESPONSE_TEXT, annotations: [] }] }] : [],
    parallel_tool_calls: true, tool_choice: 'auto', tools: [], usage: withOutput ? RESPONSE_USAGE : null,
  });
  if (!body.stream) return Response.json(response('completed', true));
  const item = { id: 'msg_mock', type: 'message', status: 'in_progress', role: 'assistant', content: [] };
  const part = { type: 'output_text', text: '', annotations: [] };
  const events: Array<Record<string, unknown>> = [
    { type: 'response.created', response: response('in_progress', false) },
    { type: 'response.in_progress', response: response('in_progress', false) },
    { type: 'response.output_item.added', output_index: 0, item },
    { type: 'response.content_part.added', item_id: 'msg_mock', output_index: 0, content_index: 0, part },
    { type: 'response.output_text.delta', item_id: 'msg_mock', output_index: 0, content_index: 0, delta: 'Native ' },
    { type: 'response.output_text.delta', item_id: 'msg_mock', output_index: 0, content_index: 0, delta: 'hello' },
    { type: 'response.output_text.done', item_id: 'msg_mock', output_index: 0, content_index: 0, text: RESPONSE_TEXT },
    { type: 'response.content_part.done', item_id: 'msg_mock', output_index: 0, content_index: 0, part: { ...part, text: RESPONSE_TEXT } },
    { type: 'response.output_item.done', output_index: 0, item: response('completed', true).output[0] },
    { type: 'response.completed', response: response('completed', true) },
  ];
  return sse(events.map((e, i) => ({ event: e.type as string, data: { ...e, sequence_number: i } })));
}

export async function startMockEndpoints(): Promise<MockEndpoints> {
  const requests: EndpointRequest[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const path = new URL(req.url).pathname;
      const contentType = req.headers.get('content-type') ?? '';
      const raw = new Uint8Array(await req.arrayBuffer());
      const rec: EndpointRequest = { path, headers: Object.fromEntries(req.headers), contentType, body: null, raw, files: {} };
      requests.push(rec);
      if (contentType.startsWith('multipart/form-data')) {
        const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
        rec.body = {};
        for (const [k, v] of form) {
          if (typeof v === 'string') rec.body[k] = v;
          else rec.files[k] = { name: v.name, size: v.size, type: v.type };
        }
      } else {
        try { rec.body = JSON.parse(new TextDecoder().decode(raw)); } catch { rec.body = null; }
      }
      const body = rec.body ?? {};
      if (body.model === 'mock-fail') return Response.json({ error: { message: 'mock upstream failure', type: 'server_error', code: null } }, { status: 500 });
      switch (path.replace(/^\/v1/, '')) {
        case '/chat/completions': return chat(body);
        case '/completions': return completions(body);
        case '/embeddings': return embeddings(body);
        case '/images/generations':
        case '/images/edits': return images(body);
        case '/audio/speech': return speech();
        case '/audio/transcriptions':
        case '/audio/translations': return transcription(body);
        case '/moderations': return moderations(body);
        case '/rerank': return rerank(body);
        case '/responses': return responses(body);
        default: return Response.json({ error: { message: `Unknown path ${path}`, type: 'invalid_request_error', code: null } }, { status: 404 });
      }
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    last: (path) => requests.filter((r) => r.path.endsWith(path)).at(-1),
    stop: () => server.stop(true),
  };
}
