// POST /v1/chat/completions. OpenAI-wire channels are relayed byte for byte (the stream
// is only scanned for usage); native channels are converted to OpenAI chunks.
import { chunkText, estimateChatUsage, responseText, roughPromptTokens } from '../../billing/estimate.ts';
import { aggregateChunks, answeredJson, chunksOfResponse } from '../answer-shape.ts';
import { chatUpstream, chunkSource } from '../chat-upstream.ts';
import type { Answer } from '../outcome.ts';
import { PassthroughScanner } from '../passthrough-stream.ts';
import type { AttemptContext, RelayEndpoint } from '../pipeline.ts';
import type { ChatRequest } from '../protocols/openai/types.ts';
import { parseJsonObject } from '../read-body.ts';
import { relayStream, sseHeaders, type StreamTransform } from '../relay-stream.ts';
import { ChatRequestSchema, validate } from '../schemas.ts';
import { splitsThinkTags } from '../think-tags.ts';
import type { Attempt } from '../upstream.ts';
import { jsonResponse, readChatAnswer, streamedAnswer } from './respond.ts';

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
  respond: (ctx, attempt) => (ctx.call.stream ? (answeredJson(attempt.response) ? streamOfJson(ctx, attempt) : streamBack(ctx, attempt)) : jsonBack(ctx, attempt)),
};

/** A stream request the upstream answered with one JSON completion: replayed as a stream, billed by its usage. */
async function streamOfJson({ gw, call, req, channel, upstreamModel }: AttemptContext<ChatRequest>, attempt: Attempt): Promise<Answer> {
  const { response, usage } = await readChatAnswer(gw, call, attempt, channel, upstreamModel);
  if (upstreamModel !== req.model) response.model = req.model;
  const clientWantsUsage = req.stream_options?.include_usage === true;
  let body = '';
  for (const c of chunksOfResponse(response)) if (c.choices.length || clientWantsUsage) body += `data: ${JSON.stringify(c)}\n\n`;
  body += 'data: [DONE]\n\n';
  const headers = sseHeaders(call);
  call.capture?.response(encoder.encode(body));
  return {
    response: new Response(body, { status: 200, headers }),
    outcome: { status: 200, usage: usage ?? estimateChatUsage(req, responseText(response)), estimated: !usage },
  };
}

async function jsonBack({ gw, call, req, channel, upstreamModel }: AttemptContext<ChatRequest>, attempt: Attempt): Promise<Answer> {
  const { response, usage, bytes } = await readChatAnswer(gw, call, attempt, channel, upstreamModel);
  // OpenAI-wire answers go back as the upstream's own bytes, unless the channel mapped the
  // model: then the answer names the model the client asked for.
  const mapped = upstreamModel !== req.model;
  if (mapped) response.model = req.model;
  const out = bytes && !mapped ? bytes : encoder.encode(JSON.stringify(response));
  return {
    response: jsonResponse(call, out),
    outcome: { status: 200, usage: usage ?? estimateChatUsage(req, responseText(response)), estimated: !usage },
  };
}

function streamBack({ gw, call, req, channel, upstreamModel }: AttemptContext<ChatRequest>, attempt: Attempt): Answer {
  const clientWantsUsage = req.stream_options?.include_usage === true;
  // Bytes go through untouched unless the channel's `<think>` tags must be split out.
  const transform = channel.provider.wire === 'openai' && !splitsThinkTags(channel)
    ? passthroughTransform(req, clientWantsUsage, upstreamModel !== req.model)
    : convertingTransform(chunkSource(channel, upstreamModel), req, clientWantsUsage);
  return streamedAnswer(relayStream(gw, call, attempt, transform), sseHeaders(call));
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
    estimate: () => estimateChatUsage(req, scanner.deliveredText()),
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
    estimate: () => estimateChatUsage(req, text),
  };
}
