// POST /v1/chat/completions. OpenAI-wire channels are relayed byte for byte (the stream
// is only scanned for usage); native channels are converted to OpenAI chunks.
import { chunkText, estimateChatUsage, responseText, roughPromptTokens } from '../../billing/estimate.ts';
import { chatResponseOf, chatUpstream, chunkSource } from '../chat-upstream.ts';
import type { Answer } from '../outcome.ts';
import { PassthroughScanner } from '../passthrough-stream.ts';
import type { AttemptContext, RelayEndpoint } from '../pipeline.ts';
import type { ChatRequest } from '../protocols/openai/types.ts';
import { parseJsonObject } from '../read-body.ts';
import { relayStream, sseHeaders, type StreamTransform } from '../relay-stream.ts';
import { ChatRequestSchema, validate } from '../schemas.ts';
import type { Attempt } from '../upstream.ts';
import { jsonResponse, readUpstreamJson, streamedAnswer } from './respond.ts';

const encoder = new TextEncoder();

export const chatEndpoint: RelayEndpoint<ChatRequest> = {
  name: 'chat/completions',
  parse: (raw) => validate(ChatRequestSchema, parseJsonObject(raw)) as ChatRequest,
  model: (req) => req.model,
  stream: (req) => req.stream === true,
  reservation: (req) => ({ promptTokens: roughPromptTokens(req), maxTokens: req.max_completion_tokens ?? req.max_tokens ?? null, choices: req.n }),
  upstream: ({ channel, target, req, raw, upstreamModel }) => chatUpstream(channel, target, req, raw, upstreamModel),
  respond: (ctx, attempt) => (ctx.call.stream ? streamBack(ctx, attempt) : jsonBack(ctx, attempt)),
};

async function jsonBack({ gw, call, req, channel, upstreamModel }: AttemptContext<ChatRequest>, attempt: Attempt): Promise<Answer> {
  const { bytes, json } = await readUpstreamJson(gw, call, attempt);
  const { response, usage } = chatResponseOf(channel, json, upstreamModel);
  // OpenAI-wire answers go back as the upstream's own bytes.
  const out = channel.provider.wire === 'openai' ? bytes : encoder.encode(JSON.stringify(response));
  return {
    response: jsonResponse(call, out),
    outcome: { status: 200, usage: usage ?? estimateChatUsage(req, responseText(response)), estimated: !usage },
  };
}

function streamBack({ gw, call, req, channel, upstreamModel }: AttemptContext<ChatRequest>, attempt: Attempt): Answer {
  const clientWantsUsage = req.stream_options?.include_usage === true;
  const transform = channel.provider.wire === 'openai'
    ? passthroughTransform(req, clientWantsUsage)
    : convertingTransform(chunkSource(channel, upstreamModel), req, clientWantsUsage);
  return streamedAnswer(relayStream(gw, call, attempt, transform), sseHeaders(call));
}

function passthroughTransform(req: ChatRequest, clientWantsUsage: boolean): StreamTransform {
  const scanner = new PassthroughScanner(clientWantsUsage);
  return {
    push: (c) => scanner.push(c),
    end: () => scanner.end(),
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
