// POST /v1/chat/completions. OpenAI-wire channels are relayed byte for byte (the stream
// is only scanned for usage); native channels are converted to OpenAI chunks.
import { countTokens, promptTokens, roughPromptTokens } from '../billing/estimate.ts';
import type { Call } from './call.ts';
import { chatResponseOf, chatUpstream, chunkSource, chunkText } from './chat-upstream.ts';
import { RelayError } from './errors.ts';
import { PassthroughScanner } from './passthrough-stream.ts';
import type { AttemptContext, RelayEndpoint } from './pipeline.ts';
import type { ChatRequest, MeteredUsage } from './protocol/openai-types.ts';
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
  affinityBody: (req) => req as unknown as Record<string, unknown>,
  reservation: (req) => ({ promptTokens: roughPromptTokens(req), maxTokens: req.max_completion_tokens ?? req.max_tokens ?? null, choices: req.n }),
  upstream: ({ channel, target, req, raw, upstreamModel }) => chatUpstream(channel, target, req, raw, upstreamModel),
  respond: (ctx, attempt) => (ctx.call.stream ? streamBack(ctx, attempt) : jsonBack(ctx, attempt)),
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

async function jsonBack({ gw, call, req, channel, upstreamModel }: AttemptContext<ChatRequest>, attempt: Attempt): Promise<Response> {
  const { bytes, json } = await readUpstreamJson(call, attempt);
  const { response, usage } = chatResponseOf(channel, json, upstreamModel);
  // OpenAI-wire answers go back as the upstream's own bytes.
  const out = channel.provider.wire === 'openai' ? bytes : encoder.encode(JSON.stringify(response));
  const text = usage ? '' : response.choices.map((c) => `${typeof c.message.content === 'string' ? c.message.content : ''}${c.message.reasoning_content ?? ''}`).join('');
  const res = jsonResponse(call, out);
  call.finish(gw, { status: 200, usage: usage ?? estimateUsage(req, text), estimated: !usage });
  return res;
}

function streamBack({ gw, call, req, channel, upstreamModel }: AttemptContext<ChatRequest>, attempt: Attempt): Response {
  const clientWantsUsage = req.stream_options?.include_usage === true;
  const transform = channel.provider.wire === 'openai'
    ? passthroughTransform(req, clientWantsUsage)
    : convertingTransform(chunkSource(channel, upstreamModel), req, clientWantsUsage);
  const stream = relayStream(gw, call, attempt, transform);
  return new Response(stream, { status: 200, headers: sseHeaders(call) });
}

function passthroughTransform(req: ChatRequest, clientWantsUsage: boolean): StreamTransform {
  const scanner = new PassthroughScanner(clientWantsUsage);
  return {
    push: (c) => scanner.push(c),
    end: () => scanner.end(),
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
