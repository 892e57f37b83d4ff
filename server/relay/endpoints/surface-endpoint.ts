// An inbound protocol (Anthropic Messages, Responses, Gemini) as a RelayEndpoint. On a
// channel that speaks the protocol natively the client's bytes go through and the answer
// comes back byte for byte, metered on the side. On any other channel the request is
// converted to OpenAI chat (protocols/<protocol>), relayed like chat, and the answer or
// stream converted back.
import { chunkText, estimateChatUsage, responseText, roughPromptTokens } from '../../billing/estimate.ts';
import { mappedModel } from '../../state/model-names.ts';
import type { ChannelEntry } from '../../state/types.ts';
import { answeredJson, chunksOfResponse } from '../answer-shape.ts';
import { chatUpstream, chunkSource } from '../chat-upstream.ts';
import { badRequest, RelayError } from '../protocols/openai/errors.ts';
import type { Answer } from '../outcome.ts';
import type { AttemptContext, RelayEndpoint } from '../pipeline.ts';
import { type ChatChunk, type ChatRequest, type MeteredUsage, ZERO_USAGE } from '../protocols/openai/types.ts';
import { nativeProtocol } from '../native-protocols.ts';
import type { Endpoint, NativeProtocol, UpstreamRequest } from '../providers/types.ts';
import { parseJsonObject } from '../read-body.ts';
import { relayStream, sseHeaders, type StreamTransform } from '../relay-stream.ts';
import { ConversionError, type Surface } from '../protocols/types.ts';
import type { Attempt } from '../upstream.ts';
import { meteredPassthrough } from './metered-passthrough.ts';
import { jsonResponse, protocolError, readChatAnswer, readUpstreamJson, streamedAnswer } from './respond.ts';
import { jsonBodyFor, upstreamRequest } from './upstream-request.ts';

export interface SurfaceCall<B> {
  body: B;
  /** The body as the client sent it (before any normalisation), for passthrough. */
  json: Record<string, unknown>;
  model: string;
  stream: boolean;
  /** The request as OpenAI chat under the client's model name; null when it cannot be converted. */
  chat: ChatRequest | null;
  unconvertible: string | null;
  /** Hosted tools the conversion leaves out, and whether the client asked to refuse rather than drop them. */
  hosted: string[];
  strictHosted: boolean;
}

/** Header with the hosted tools a converted call ran without. */
export const DROPPED_TOOLS_HEADER = 'x-switchboard-dropped-tools';
/** Per-request strict mode: `x-switchboard-hosted-tools: strict` refuses instead of dropping. */
const HOSTED_TOOLS_HEADER = 'x-switchboard-hosted-tools';

/** Strict mode for hosted tools: the request asked for it, or the channel's config `hosted_tools` is "strict". */
const refusesHosted = (channel: ChannelEntry, req: { hosted: string[]; strictHosted: boolean }) =>
  req.hosted.length > 0 && (req.strictHosted || channel.config.hosted_tools === 'strict');

/** How the protocol's own requests reach a channel whose provider declares it `native`. */
export interface NativeRoute {
  /** The provider endpoint (URL) the request goes to. */
  endpoint: Endpoint;
  /** The model is named in the URL, so the client's bytes go as they are even for a mapped model. */
  modelInUrl?: boolean;
  /** Usage of a whole native answer. */
  meter(answer: unknown): MeteredUsage | null;
  /** Bytes a stream event must contain to carry usage, and how to fold it in. */
  scan: { needle: string; meter(prev: MeteredUsage | null, event: unknown): MeteredUsage | null };
}

export interface SurfaceEndpointSpec<B> {
  name: string;
  surface: Surface<B>;
  model(body: B, url: URL): string;
  stream(body: B, url: URL): boolean;
  native: NativeRoute;
  /** The protocol's own request-id header, besides x-request-id (Anthropic: `request-id`). */
  requestIdHeader?: string;
}

const encoder = new TextEncoder();
const upstreamModelOf = (channel: ChannelEntry, model: string) => mappedModel(channel.mapping, model);

export function surfaceEndpoint<B>(spec: SurfaceEndpointSpec<B>): RelayEndpoint<SurfaceCall<B>> {
  const { surface, native } = spec;
  const declared = (channel: ChannelEntry, upstreamModel: string) => nativeProtocol(channel, surface.name, upstreamModel);
  const servesNatively = (ctx: AttemptContext<SurfaceCall<B>>) => declared(ctx.channel, ctx.upstreamModel) !== null;
  return {
    name: spec.name,
    parse(raw, request, url) {
      const json = parseJsonObject(raw);
      const parsed = surface.parse(json);
      if (!parsed.ok) throw badRequest(parsed.message, 'invalid_request');
      const body = parsed.request;
      const model = spec.model(body, url);
      const stream = spec.stream(body, url);
      const hosted = surface.hostedTools?.(body) ?? [];
      const strictHosted = request.headers.get(HOSTED_TOOLS_HEADER)?.trim().toLowerCase() === 'strict';
      try {
        return { body, json, model, stream, chat: surface.requestToChat(body, model, stream), unconvertible: null, hosted, strictHosted };
      } catch (e) {
        if (!(e instanceof ConversionError)) throw e;
        return { body, json, model, stream, chat: null, unconvertible: e.message, hosted, strictHosted };
      }
    },
    model: (req) => req.model,
    stream: (req) => req.stream,
    affinityBody: (req) => req.json,
    // A request only a native channel can serve (server tools, …) skips the others.
    supports: (channel, req) =>
      declared(channel, upstreamModelOf(channel, req.model)) !== null || (req.chat !== null && !refusesHosted(channel, req)),
    unsupported: (req) => {
      if (req.unconvertible) return badRequest(req.unconvertible, 'unsupported_feature');
      if (req.hosted.length) {
        return badRequest(`Hosted tool${req.hosted.length > 1 ? 's' : ''} ${req.hosted.map((t) => `"${t}"`).join(', ')} run${req.hosted.length > 1 ? '' : 's'} inside OpenAI's Responses API; no channel for "${req.model}" can run ${req.hosted.length > 1 ? 'them' : 'it'}, and strict mode refuses to drop ${req.hosted.length > 1 ? 'them' : 'it'}.`, 'unsupported_feature');
      }
      return new RelayError(404, `No channel serves "${req.model}" on ${spec.name}.`, 'not_found_error', 'model_not_found');
    },
    reservation: (req) => ({
      promptTokens: req.chat ? roughPromptTokens(req.chat) : Math.ceil(JSON.stringify(req.json).length / 2),
      maxTokens: req.chat?.max_tokens ?? null,
      // Gemini candidateCount arrives as chat `n`.
      choices: req.chat?.n ?? null,
    }),
    upstream(ctx) {
      const own = declared(ctx.channel, ctx.upstreamModel);
      if (own) return nativeUpstream(ctx, native, own);
      const { channel, target, req, upstreamModel } = ctx;
      return chatUpstream(channel, target, { ...req.chat!, model: upstreamModel }, null, upstreamModel);
    },
    async respond(ctx, attempt) {
      const answer = servesNatively(ctx)
        ? (ctx.call.stream ? nativeStream(ctx, attempt, native, surface) : await nativeJson(ctx, attempt, native))
        : (ctx.call.stream
          ? (answeredJson(attempt.response) ? await convertedStreamOfJson(ctx, attempt, surface) : convertedStream(ctx, attempt, surface))
          : await convertedJson(ctx, attempt, surface));
      const res = answer.response;
      if (spec.requestIdHeader) res.headers.set(spec.requestIdHeader, ctx.call.requestId);
      if (ctx.req.hosted.length && !servesNatively(ctx)) {
        // The call ran without the hosted tools: say so to the client and in the gateway log.
        res.headers.set(DROPPED_TOOLS_HEADER, ctx.req.hosted.join(','));
        ctx.gw.log.info('hosted tools dropped on a converted call', { request_id: ctx.call.requestId, channel_id: ctx.channel.id, tools: ctx.req.hosted });
      }
      return answer;
    },
    error: withRequestId(protocolError(surface.errorBody), spec.requestIdHeader),
  };
}

function withRequestId(error: (err: RelayError, requestId: string) => Response, header: string | undefined) {
  if (!header) return error;
  return (err: RelayError, requestId: string): Response => {
    const res = error(err, requestId);
    res.headers.set(header, requestId);
    return res;
  };
}

/** The client's request as the protocol has it, with the edits and headers the provider declares. */
function nativeUpstream<B>({ channel, target, raw, req, request, upstreamModel }: AttemptContext<SurfaceCall<B>>, route: NativeRoute, own: NativeProtocol): Promise<UpstreamRequest> {
  const body = own.body ? JSON.stringify(own.body(req.json, upstreamModel)) : route.modelInUrl ? raw : jsonBodyFor(raw, req.json, upstreamModel);
  return upstreamRequest(channel, target, { endpoint: route.endpoint, model: upstreamModel, stream: req.stream, body, contentType: 'application/json', headers: own.headers?.(request, target) });
}

const estimateOf = <B>(req: SurfaceCall<B>, text: string): MeteredUsage =>
  req.chat ? estimateChatUsage(req.chat, text) : ZERO_USAGE;

async function nativeJson<B>({ gw, call, req }: AttemptContext<SurfaceCall<B>>, attempt: Attempt, native: NativeRoute): Promise<Answer> {
  const { bytes, json } = await readUpstreamJson(gw, call, attempt);
  const usage = native.meter(json);
  return { response: jsonResponse(call, bytes), outcome: { status: 200, usage: usage ?? estimateOf(req, ''), estimated: !usage } };
}

function nativeStream<B>({ gw, call, req }: AttemptContext<SurfaceCall<B>>, attempt: Attempt, native: NativeRoute, surface: Surface<B>): Answer {
  const transform: StreamTransform = {
    ...meteredPassthrough({ ...native.scan, estimate: () => estimateOf(req, '') }),
    // An upstream that breaks off mid-stream: the protocol's own error event, which its SDKs raise.
    fail: (err) => encoder.encode(surface.streamFromChat(req.body).fail(err.message)),
  };
  return streamedAnswer(relayStream(gw, call, attempt, transform), sseHeaders(call));
}

async function convertedJson<B>({ gw, call, req, channel, upstreamModel }: AttemptContext<SurfaceCall<B>>, attempt: Attempt, surface: Surface<B>): Promise<Answer> {
  const { response, usage } = await readChatAnswer(gw, call, attempt, channel, upstreamModel);
  return {
    response: jsonResponse(call, encoder.encode(JSON.stringify(surface.responseFromChat(response, req.body)))),
    outcome: { status: 200, usage: usage ?? estimateOf(req, responseText(response)), estimated: !usage },
  };
}

/** A stream request the upstream answered with one JSON completion: the protocol's stream of it, billed by its usage. */
async function convertedStreamOfJson<B>({ gw, call, req, channel, upstreamModel }: AttemptContext<SurfaceCall<B>>, attempt: Attempt, surface: Surface<B>): Promise<Answer> {
  const { response, usage } = await readChatAnswer(gw, call, attempt, channel, upstreamModel);
  const out = surface.streamFromChat(req.body);
  let body = '';
  for (const c of chunksOfResponse(response)) body += out.push(c);
  body += out.end(response.usage ?? null);
  call.capture?.response(encoder.encode(body));
  return {
    response: new Response(body, { status: 200, headers: sseHeaders(call) }),
    outcome: { status: 200, usage: usage ?? estimateOf(req, responseText(response)), estimated: !usage },
  };
}

function convertedStream<B>(ctx: AttemptContext<SurfaceCall<B>>, attempt: Attempt, surface: Surface<B>): Answer {
  return streamedAnswer(relayStream(ctx.gw, ctx.call, attempt, convertingTransform(ctx, surface)), sseHeaders(ctx.call));
}

/**
 * Upstream stream → OpenAI chunks → the protocol's events. A failure inside the stream
 * (after the 200 went out) is reported in the protocol's own error event, and the call
 * ends as a 502 (relayStream reads `failure()` right after the push that failed).
 */
function convertingTransform<B>({ gw, call, req, channel, upstreamModel }: AttemptContext<SurfaceCall<B>>, surface: Surface<B>): StreamTransform {
  const source = chunkSource(channel, upstreamModel);
  const out = surface.streamFromChat(req.body);
  let text = '';
  let failed: RelayError | null = null;
  const estimate = () => estimateOf(req, text);
  const run = (next: () => ChatChunk[], closing: boolean): Uint8Array | null => {
    if (failed) return null;
    let events = '';
    try {
      const chunks = next();
      text += chunkText(chunks);
      for (const c of chunks) events += out.push(c);
      if (closing) events += out.end();
    } catch (e) {
      const err = gw.secrets.scrubError(e instanceof RelayError ? e : new RelayError(502, `Upstream stream error: ${(e as Error).message}`, 'upstream_error', 'upstream_stream_error'));
      failed = err;
      call.upstreamEnd = performance.now();
      events += out.fail(err.message);
    }
    return events ? encoder.encode(events) : null;
  };
  return {
    push: (bytes) => run(() => source.push(bytes), false),
    end: () => run(() => source.end(), true),
    usage: () => source.usage(),
    estimate,
    failure: () => (failed ? { status: 502, error: failed } : null),
    fail: (err) => {
      if (failed) return null;
      failed = err;
      return encoder.encode(out.fail(err.message));
    },
  };
}
