// POST /v1/chat/completions. OpenAI-wire channels are relayed byte for byte (the stream
// is only scanned for usage); native channels are converted to OpenAI chunks.
import { countTokens, promptTokens, roughPromptTokens } from '../billing/estimate.ts';
import type { Call } from './call.ts';
import { chatResponseOf, chatUpstream, chunkSource, chunkText } from './chat-upstream.ts';
import { RelayError } from './errors.ts';
import { PassthroughScanner } from './passthrough-stream.ts';
import type { AttemptContext, RelayEndpoint } from './pipeline.ts';
import { splitsThinkTags } from './think-tags.ts';
import { aggregateChunks, answeredJson, answeredSse, chunksOfResponse } from './answer-shape.ts';
import type { ChannelEntry } from '../state/types.ts';
import { type ChatRequest, type ChatResponse, type MeteredUsage, meterOpenAIUsage } from './protocol/openai-types.ts';
import { parseJsonObject } from './read-body.ts';
import { relayStream, sseHeaders, type StreamTransform } from './relay-stream.ts';
import { ChatRequestSchema, validate } from './schemas.ts';
import type { Attempt } from './upstream.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const chatEndpoint: RelayEndpoint<ChatRequest> = {
  name: 'chat/completions',
  parse: (raw) => validate(ChatRequestSchema, parseJsonObject(raw)) as ChatRequest,
  model: (req) => req.model,
  stream: (req) => req.stream === true,
  reservation: (req) => ({ promptTokens: roughPromptTokens(req), maxTokens: req.max_completion_tokens ?? req.max_tokens ?? null }),
  upstream: ({ channel, target, req, raw, upstreamModel }) => chatUpstream(channel, target, req, raw, upstreamModel),
  respond: (ctx, attempt) => (ctx.call.stream ? (answeredJson(attempt.response) ? streamOfJson(ctx, attempt) : streamBack(ctx, attempt)) : jsonBack(ctx, attempt)),
};

/** Read a whole JSON upstream answer; non-JSON is a 502. */
export async function readUpstreamJson(call: Call, attempt: Attempt): Promise<{ bytes: Uint8Array; json: unknown }> {
  const bytes = new Uint8Array(await attempt.response.arrayBuffer());
  call.upstreamEnd = performance.now();
  call.firstByte = call.upstreamEnd;
  try {
    return { bytes, json: JSON.parse(decoder.decode(bytes)) };
  } catch {
    throw new RelayError(502, 'Upstream returned a response that is not JSON.', 'upstream_error', 'upstream_bad_response');
  }
}

export function jsonResponse(call: Call, body: Uint8Array | string): Response {
  const headers = call.responseHeaders();
  call.capture?.response(typeof body === 'string' ? encoder.encode(body) : body);
  return new Response(body as Uint8Array<ArrayBuffer> | string, { status: 200, headers: { 'content-type': 'application/json', ...headers } });
}

/**
 * A whole chat answer with its reported usage, whatever shape the upstream chose: JSON, or
 * an event stream (answering a non-stream request) folded into one completion.
 * `bytes` is the upstream's own JSON when it can go back unchanged.
 */
export async function readChatAnswer(call: Call, attempt: Attempt, channel: ChannelEntry, upstreamModel: string): Promise<{ response: ChatResponse; usage: MeteredUsage | null; bytes: Uint8Array | null }> {
  if (answeredSse(attempt.response)) {
    const bytes = new Uint8Array(await attempt.response.arrayBuffer());
    call.upstreamEnd = performance.now();
    call.firstByte = call.upstreamEnd;
    const source = chunkSource(channel, upstreamModel);
    const chunks = [...source.push(bytes), ...source.end()];
    if (!chunks.length) throw new RelayError(502, 'Upstream answered with an empty event stream.', 'upstream_error', 'upstream_bad_response');
    const response = aggregateChunks(chunks);
    return { response, usage: source.usage() ?? meterOpenAIUsage(response.usage), bytes: null };
  }
  const { bytes, json } = await readUpstreamJson(call, attempt);
  const { response, usage } = chatResponseOf(channel, json, upstreamModel);
  return { response, usage, bytes: channel.provider.wire === 'openai' && !splitsThinkTags(channel) ? bytes : null };
}

/** A stream request the upstream answered with one JSON completion: replayed as a stream, billed by its usage. */
async function streamOfJson({ gw, call, req, channel, upstreamModel }: AttemptContext<ChatRequest>, attempt: Attempt): Promise<Response> {
  const { response, usage } = await readChatAnswer(call, attempt, channel, upstreamModel);
  if (upstreamModel !== req.model) response.model = req.model;
  const clientWantsUsage = req.stream_options?.include_usage === true;
  let body = '';
  for (const c of chunksOfResponse(response)) if (c.choices.length || clientWantsUsage) body += `data: ${JSON.stringify(c)}\n\n`;
  body += 'data: [DONE]\n\n';
  const text = usage ? '' : completionText(response);
  const headers = sseHeaders(call);
  call.capture?.response(encoder.encode(body));
  call.finish(gw, { status: 200, usage: usage ?? estimateUsage(req, text), estimated: !usage });
  return new Response(body, { status: 200, headers });
}

export function completionText(response: ChatResponse): string {
  return response.choices.map((c) => `${typeof c.message.content === 'string' ? c.message.content : ''}${c.message.reasoning_content ?? ''}${(c.message.tool_calls ?? []).map((t) => t.function.name + t.function.arguments).join('')}`).join('');
}

async function jsonBack({ gw, call, req, channel, upstreamModel }: AttemptContext<ChatRequest>, attempt: Attempt): Promise<Response> {
  const { response, usage, bytes } = await readChatAnswer(call, attempt, channel, upstreamModel);
  // OpenAI-wire answers go back as the upstream's own bytes, unless the channel mapped the
  // model: then the answer names the model the client asked for.
  const mapped = upstreamModel !== req.model;
  if (mapped) response.model = req.model;
  const out = bytes && !mapped ? bytes : encoder.encode(JSON.stringify(response));
  const text = usage ? '' : response.choices.map((c) => `${typeof c.message.content === 'string' ? c.message.content : ''}${c.message.reasoning_content ?? ''}`).join('');
  const res = jsonResponse(call, out);
  call.finish(gw, { status: 200, usage: usage ?? estimateUsage(req, text), estimated: !usage });
  return res;
}

function streamBack({ gw, call, req, channel, upstreamModel }: AttemptContext<ChatRequest>, attempt: Attempt): Response {
  const clientWantsUsage = req.stream_options?.include_usage === true;
  // Bytes go through untouched unless the channel's `<think>` tags must be split out.
  const transform = channel.provider.wire === 'openai' && !splitsThinkTags(channel)
    ? passthroughTransform(req, clientWantsUsage, upstreamModel !== req.model)
    : convertingTransform(chunkSource(channel, upstreamModel), req, clientWantsUsage);
  const stream = relayStream(gw, call, attempt, transform);
  return new Response(stream, { status: 200, headers: sseHeaders(call) });
}

function passthroughTransform(req: ChatRequest, clientWantsUsage: boolean, mapped: boolean): StreamTransform {
  const scanner = new PassthroughScanner(clientWantsUsage);
  // A mapped model: each event names the model the client asked for (whole events only, so a
  // `"model":"…"` pair is never cut; inside JSON strings quotes are escaped and do not match).
  const rename = mapped
    ? (b: Uint8Array | null) => (b ? encoder.encode(decoder.decode(b).replace(/"model":\s*"(?:[^"\\]|\\.)*"/g, `"model":${JSON.stringify(req.model)}`)) : b)
    : (b: Uint8Array | null) => b;
  return {
    push: (c) => rename(scanner.push(c)),
    end: () => rename(scanner.end()),
    usage: () => scanner.usage,
    estimate: () => estimateUsage(req, scanner.deliveredText()),
  };
}

/** Native vendor stream → OpenAI SSE. The usage chunk goes out only if the client asked. */
function convertingTransform(source: ReturnType<typeof chunkSource>, req: ChatRequest, clientWantsUsage: boolean): StreamTransform {
  let text = '';
  let ended = false;
  const emit = (chunks: ReturnType<typeof source.push>) => {
    text += chunkText(chunks);
    let out = '';
    for (const c of chunks) {
      if (c.usage && !clientWantsUsage) {
        if (c.choices.length === 0) continue;
        const { usage: _drop, ...rest } = c;
        out += `data: ${JSON.stringify(rest)}\n\n`;
      } else {
        out += `data: ${JSON.stringify(c)}\n\n`;
      }
    }
    return out;
  };
  return {
    push(chunk) {
      const out = emit(source.push(chunk));
      return out ? encoder.encode(out) : null;
    },
    end() {
      if (ended) return null;
      ended = true;
      return encoder.encode(`${emit(source.end())}data: [DONE]\n\n`);
    },
    usage: () => source.usage(),
    estimate: () => estimateUsage(req, text),
  };
}

export function estimateUsage(req: ChatRequest, completion: string): MeteredUsage {
  return { input: promptTokens(req), output: countTokens(completion), cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, reasoning: 0 };
}
