// POST /v1/chat/completions: admission, then attempts over the candidate channels until
// one answers, then the answer back to the client: bytes passed through for OpenAI-wire
// channels, converted for native ones. Metering happens in Call.finish, off the hot path.
import { countTokens, promptTokens, roughPromptTokens } from '../billing/estimate.ts';
import type { Gateway } from '../context.ts';
import type { ChannelEntry } from '../state/types.ts';
import { admitKey, reserve, route } from './admission.ts';
import { Call } from './call.ts';
import { errorResponse, RelayError } from './errors.ts';
import { PassthroughScanner } from './passthrough-stream.ts';
import { type ChatRequest, type MeteredUsage, meterOpenAIUsage, type Usage } from './protocol/openai-types.ts';
import type { ChannelTarget, UpstreamRequest } from './providers/types.ts';
import { parseJsonObject, readBody } from './read-body.ts';
import { relayStream, sseHeaders, type StreamTransform } from './relay-stream.ts';
import { ChatRequestSchema, validate } from './schemas.ts';
import { SseParser } from './sse.ts';
import { pickKey } from './select-channel.ts';
import { type Attempt, sendUpstream, upstreamError, upstreamMessage } from './upstream.ts';

const MAX_ATTEMPTS = 3;
const RETRYABLE = (status: number) => status === 429 || status >= 500;
const encoder = new TextEncoder();

export async function handleChat(gw: Gateway, request: Request, clientIp: string | null): Promise<Response> {
  const call = new Call('chat/completions', clientIp, request.headers.get('user-agent'));
  try {
    admitKey(gw, call, request);
    const raw = await readBody(request, gw.config.maxBodyBytes);
    const body = validate(ChatRequestSchema, parseJsonObject(raw)) as ChatRequest;
    call.stream = body.stream === true;
    const channels = route(gw, call, request, body.model);
    reserve(gw, call, roughPromptTokens(body), body.max_completion_tokens ?? body.max_tokens ?? null);
    return await attemptAll(gw, call, request, body, raw, channels);
  } catch (e) {
    const err = e instanceof RelayError ? e : new RelayError(500, 'Internal gateway error.', 'server_error', 'internal_error');
    if (!(e instanceof RelayError)) gw.log.error('chat handler failed', { error: e, request_id: call.requestId });
    call.markResponseReady();
    call.finish(gw, { status: err.status, error: err });
    return errorResponse(err, call.requestId);
  }
}

async function attemptAll(gw: Gateway, call: Call, request: Request, body: ChatRequest, raw: Uint8Array, channels: ChannelEntry[]): Promise<Response> {
  let lastError: RelayError | null = null;
  const tried = new Set<number>();
  for (const channel of channels) {
    if (call.attempts.length >= MAX_ATTEMPTS) break;
    const key = pickKey(channel, Date.now(), tried);
    if (!key) continue;
    tried.add(key.id);
    const started = performance.now();
    call.channel = channel;
    call.upstreamModel = channel.mapping[body.model] ?? body.model;
    const target: ChannelTarget = { id: channel.id, type: channel.type, baseUrl: channel.baseUrl, key: key.key, config: channel.config };
    try {
      const upstreamReq = await buildRequest(channel, target, body, raw, call.upstreamModel);
      call.upstreamStart = performance.now();
      const attempt = await sendUpstream(upstreamReq, request.signal, gw.config.firstByteTimeoutMs);
      call.upstreamHeaders = performance.now();
      const res = attempt.response;
      if (res.ok) {
        call.attempts.push({ channel_id: channel.id, key_id: key.id, status: res.status, ms: Math.round(performance.now() - started) });
        return call.stream ? streamBack(gw, call, body, channel, attempt) : await jsonBack(gw, call, body, channel, attempt);
      }
      const text = await res.text().catch(() => '');
      const message = channel.provider.chat?.error?.(res.status, text).message ?? upstreamMessage(res.status, text);
      lastError = upstreamError(res.status, message);
      call.attempts.push({ channel_id: channel.id, key_id: key.id, status: res.status, error: message.slice(0, 300), ms: Math.round(performance.now() - started) });
      if (!RETRYABLE(res.status)) break;
    } catch (e) {
      const err = e instanceof RelayError ? e : new RelayError(502, `Upstream failed: ${(e as Error).message}`, 'upstream_error', 'upstream_error');
      call.attempts.push({ channel_id: channel.id, key_id: key.id, status: err.status, error: err.message.slice(0, 300), ms: Math.round(performance.now() - started) });
      lastError = err;
      if (err.status === 499) break;
    }
  }
  throw lastError ?? new RelayError(503, `No usable upstream key for model "${body.model}".`, 'upstream_error', 'no_available_key');
}

async function buildRequest(channel: ChannelEntry, target: ChannelTarget, body: ChatRequest, raw: Uint8Array, upstreamModel: string): Promise<UpstreamRequest> {
  const p = channel.provider;
  const stream = body.stream === true;
  const ctx = { model: upstreamModel, stream };
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: stream ? 'text/event-stream' : 'application/json',
    ...channel.headers,
    ...(await p.headers(target, ctx)),
  };
  let payload: string | Uint8Array;
  if (p.wire === 'openai') {
    const needsUsage = stream && body.stream_options?.include_usage !== true;
    // Forward the client's bytes untouched unless the model name or stream options must change.
    payload = upstreamModel === body.model && !needsUsage ? raw : JSON.stringify({
      ...body,
      model: upstreamModel,
      ...(needsUsage ? { stream_options: { ...body.stream_options, include_usage: true } } : {}),
    });
  } else {
    if (!p.chat) throw new RelayError(500, `Channel type ${channel.type} has no chat adapter.`, 'server_error', 'adapter_missing');
    payload = JSON.stringify(p.chat.toUpstream({ ...body, model: upstreamModel }, target));
  }
  const req: UpstreamRequest = { url: p.url(target, 'chat/completions', ctx), method: 'POST', headers, body: payload };
  return p.sign ? await p.sign(req, target) : req;
}

async function jsonBack(gw: Gateway, call: Call, body: ChatRequest, channel: ChannelEntry, attempt: Attempt): Promise<Response> {
  const bytes = new Uint8Array(await attempt.response.arrayBuffer());
  call.upstreamEnd = performance.now();
  call.firstByte = call.upstreamEnd;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new RelayError(502, 'Upstream returned a response that is not JSON.', 'upstream_error', 'upstream_bad_response');
  }
  let out: Uint8Array = bytes;
  let usage: MeteredUsage | null;
  if (channel.provider.wire === 'openai') {
    usage = meterOpenAIUsage((json as { usage?: Usage }).usage);
  } else {
    const converted = channel.provider.chat!.fromUpstream(json, call.upstreamModel ?? body.model);
    usage = converted.usage;
    out = encoder.encode(JSON.stringify(converted.response));
  }
  const estimated = !usage;
  if (!usage) usage = estimateUsage(body, completionText(json));
  const overhead = call.markResponseReady();
  call.finish(gw, { status: 200, usage, estimated });
  return new Response(out as Uint8Array<ArrayBuffer>, {
    status: 200,
    headers: { 'content-type': 'application/json', 'x-request-id': call.requestId, 'x-switchboard-overhead-ms': (overhead / 1000).toFixed(3) },
  });
}

function streamBack(gw: Gateway, call: Call, body: ChatRequest, channel: ChannelEntry, attempt: Attempt): Response {
  const clientWantsUsage = body.stream_options?.include_usage === true;
  const transform = channel.provider.wire === 'openai'
    ? passthroughTransform(body, clientWantsUsage)
    : nativeTransform(channel, body, call.upstreamModel ?? body.model, clientWantsUsage);
  const stream = relayStream(gw, call, attempt, transform);
  return new Response(stream, { status: 200, headers: sseHeaders(call.requestId, call.markResponseReady()) });
}

function passthroughTransform(body: ChatRequest, clientWantsUsage: boolean): StreamTransform {
  const scanner = new PassthroughScanner(clientWantsUsage);
  return {
    push: (c) => scanner.push(c),
    end: () => scanner.end(),
    usage: () => scanner.usage,
    estimate: () => estimateUsage(body, scanner.deliveredText()),
  };
}

function nativeTransform(channel: ChannelEntry, body: ChatRequest, upstreamModel: string, clientWantsUsage: boolean): StreamTransform {
  const parser = channel.provider.streamDecoder?.() ?? new SseParser();
  const converter = channel.provider.chat!.stream(upstreamModel);
  let text = '';
  let ended = false;
  const emit = (chunks: ReturnType<typeof converter.push>) => {
    let out = '';
    for (const c of chunks) {
      for (const ch of c.choices) {
        if (typeof ch.delta.content === 'string') text += ch.delta.content;
        if (typeof ch.delta.reasoning_content === 'string') text += ch.delta.reasoning_content;
      }
      if (c.usage && !clientWantsUsage) {
        if (c.choices.length === 0) continue;
        const { usage: _drop, ...rest } = c;
        out += `data: ${JSON.stringify(rest)}\n\n`;
        continue;
      }
      out += `data: ${JSON.stringify(c)}\n\n`;
    }
    return out;
  };
  return {
    push(chunk) {
      let out = '';
      for (const ev of parser.push(chunk)) out += emit(converter.push(ev));
      return out ? encoder.encode(out) : null;
    },
    end() {
      if (ended) return null;
      ended = true;
      let out = '';
      for (const ev of parser.end?.() ?? []) out += emit(converter.push(ev));
      out += emit(converter.end());
      out += 'data: [DONE]\n\n';
      return encoder.encode(out);
    },
    usage: () => converter.usage(),
    estimate: () => estimateUsage(body, text),
  };
}

function estimateUsage(body: ChatRequest, completion: string): MeteredUsage {
  return { input: promptTokens(body), output: countTokens(completion), cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, reasoning: 0 };
}

function completionText(json: unknown): string {
  const choices = (json as { choices?: Array<{ message?: { content?: unknown; reasoning_content?: unknown } }> }).choices ?? [];
  return choices.map((c) => `${typeof c.message?.content === 'string' ? c.message.content : ''}${typeof c.message?.reasoning_content === 'string' ? c.message.reasoning_content : ''}`).join('');
}
