// An inbound protocol (Anthropic Messages, Responses, Gemini) as a RelayEndpoint. On a
// channel that speaks the protocol natively the client's bytes go through and the answer
// comes back byte for byte, metered on the side. On any other channel the request is
// converted to OpenAI chat (surfaces/<protocol>), relayed like chat, and the answer or
// stream converted back.
import { mappedModel } from '../../state/model-names.ts';
import { roughPromptTokens } from '../../billing/estimate.ts';
import type { ChannelEntry } from '../../state/types.ts';
import { answeredJson, chunksOfResponse } from '../answer-shape.ts';
import { completionText, estimateUsage, jsonResponse, readChatAnswer, readUpstreamJson } from '../chat.ts';
import { chatUpstream, chunkSource, chunkText } from '../chat-upstream.ts';
import { badRequest, RelayError } from '../errors.ts';
import type { AttemptContext, RelayEndpoint } from '../pipeline.ts';
import { type ChatChunk, type ChatRequest, type MeteredUsage, ZERO_USAGE } from '../protocol/openai-types.ts';
import type { UpstreamRequest } from '../providers/types.ts';
import { parseJsonObject } from '../read-body.ts';
import { relayStream, sseHeaders, type StreamTransform } from '../relay-stream.ts';
import { ConversionError, type Surface } from '../surfaces/types.ts';
import type { Attempt } from '../upstream.ts';
import { meteredPassthrough } from './metered-passthrough.ts';
import { protocolError } from './respond.ts';

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

export interface NativeRoute<B> {
  serves(channel: ChannelEntry, upstreamModel: string): boolean;
  upstream(ctx: AttemptContext<SurfaceCall<B>>): Promise<UpstreamRequest>;
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
  native: NativeRoute<B>;
  /** The protocol's own request-id header, besides x-request-id (Anthropic: `request-id`). */
  requestIdHeader?: string;
}

const encoder = new TextEncoder();
const upstreamModelOf = (channel: ChannelEntry, model: string) => mappedModel(channel.mapping, model);

export function surfaceEndpoint<B>(spec: SurfaceEndpointSpec<B>): RelayEndpoint<SurfaceCall<B>> {
  const { surface, native } = spec;
  const servesNatively = (ctx: AttemptContext<SurfaceCall<B>>) => native.serves(ctx.channel, ctx.upstreamModel);
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
        return { body, json, model, stream, chat: surface.toChat(body, model, stream), unconvertible: null, hosted, strictHosted };
      } catch (e) {
        if (!(e instanceof ConversionError)) throw e;
        return { body, json, model, stream, chat: null, unconvertible: e.message, hosted, strictHosted };
      }
    },
    model: (req) => req.model,
    stream: (req) => req.stream,
    // A request only a native channel can serve (server tools, …) skips the others.
    supports: (channel, req) =>
      native.serves(channel, upstreamModelOf(channel, req.model)) || (req.chat !== null && !refusesHosted(channel, req)),
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
    }),
    upstream(ctx) {
      if (servesNatively(ctx)) return native.upstream(ctx);
      const { channel, target, req, upstreamModel } = ctx;
      return chatUpstream(channel, target, { ...req.chat!, model: upstreamModel }, null, upstreamModel);
    },
    async respond(ctx, attempt) {
      const res = servesNatively(ctx)
        ? (ctx.call.stream ? nativeStream(ctx, attempt, native, surface) : await nativeJson(ctx, attempt, native))
        : (ctx.call.stream
          ? (answeredJson(attempt.response) ? await convertedStreamOfJson(ctx, attempt, surface) : convertedStream(ctx, attempt, surface))
          : await convertedJson(ctx, attempt, surface));
      if (spec.requestIdHeader) res.headers.set(spec.requestIdHeader, ctx.call.requestId);
      if (ctx.req.hosted.length && !servesNatively(ctx)) {
        // The call ran without the hosted tools: say so to the client and in the gateway log.
        res.headers.set(DROPPED_TOOLS_HEADER, ctx.req.hosted.join(','));
        ctx.gw.log.info('hosted tools dropped on a converted call', { request_id: ctx.call.requestId, channel_id: ctx.channel.id, tools: ctx.req.hosted });
      }
      return res;
    },
    error: withRequestId(protocolError(surface.error), spec.requestIdHeader),
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

const estimateOf = <B>(req: SurfaceCall<B>, text: string): MeteredUsage =>
  req.chat ? estimateUsage(req.chat, text) : ZERO_USAGE;

async function nativeJson<B>({ gw, call, req }: AttemptContext<SurfaceCall<B>>, attempt: Attempt, native: NativeRoute<B>): Promise<Response> {
  const { bytes, json } = await readUpstreamJson(call, attempt);
  const usage = native.meter(json);
  const res = jsonResponse(call, bytes);
  call.finish(gw, { status: 200, usage: usage ?? estimateOf(req, ''), estimated: !usage });
  return res;
}

function nativeStream<B>({ gw, call, req }: AttemptContext<SurfaceCall<B>>, attempt: Attempt, native: NativeRoute<B>, surface: Surface<B>): Response {
  const transform = meteredPassthrough({ ...native.scan, estimate: () => estimateOf(req, '') });
  // An upstream that breaks off mid-stream: the protocol's own error event, which its SDKs raise.
  transform.fail = (err) => encoder.encode(surface.stream(req.body).fail(err.message));
  const stream = relayStream(gw, call, attempt, transform);
  return new Response(stream, { status: 200, headers: sseHeaders(call) });
}

async function convertedJson<B>({ gw, call, req, channel, upstreamModel }: AttemptContext<SurfaceCall<B>>, attempt: Attempt, surface: Surface<B>): Promise<Response> {
  const { response, usage } = await readChatAnswer(call, attempt, channel, upstreamModel);
  const res = jsonResponse(call, encoder.encode(JSON.stringify(surface.fromChat(response, req.body))));
  const text = usage ? '' : completionText(response);
  call.finish(gw, { status: 200, usage: usage ?? estimateOf(req, text), estimated: !usage });
  return res;
}

/** A stream request the upstream answered with one JSON completion: the protocol's stream of it, billed by its usage. */
async function convertedStreamOfJson<B>({ gw, call, req, channel, upstreamModel }: AttemptContext<SurfaceCall<B>>, attempt: Attempt, surface: Surface<B>): Promise<Response> {
  const { response, usage } = await readChatAnswer(call, attempt, channel, upstreamModel);
  const out = surface.stream(req.body);
  let body = '';
  for (const c of chunksOfResponse(response)) body += out.push(c);
  body += out.end(response.usage ?? null);
  const headers = sseHeaders(call);
  call.capture?.response(encoder.encode(body));
  call.finish(gw, { status: 200, usage: usage ?? estimateOf(req, completionText(response)), estimated: !usage });
  return new Response(body, { status: 200, headers });
}

function convertedStream<B>(ctx: AttemptContext<SurfaceCall<B>>, attempt: Attempt, surface: Surface<B>): Response {
  const stream = relayStream(ctx.gw, ctx.call, attempt, convertingTransform(ctx, surface));
  return new Response(stream, { status: 200, headers: sseHeaders(ctx.call) });
}

/**
 * Upstream stream → OpenAI chunks → the protocol's events. A failure inside the stream
 * (after the 200 went out) is reported in the protocol's own error event; the call is
 * settled here as a 502, which makes relayStream's later settlement a no-op.
 */
function convertingTransform<B>({ gw, call, req, channel, upstreamModel }: AttemptContext<SurfaceCall<B>>, surface: Surface<B>): StreamTransform {
  const source = chunkSource(channel, upstreamModel);
  const out = surface.stream(req.body);
  let text = '';
  let failed = false;
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
      failed = true;
      const err = e instanceof RelayError ? e : new RelayError(502, `Upstream stream error: ${(e as Error).message}`, 'upstream_error', 'upstream_stream_error');
      call.upstreamEnd = performance.now();
      const reported = source.usage();
      call.finish(gw, { status: 502, error: err, usage: reported ?? estimate(), estimated: !reported });
      events += out.fail(err.message);
    }
    return events ? encoder.encode(events) : null;
  };
  return {
    push: (bytes) => run(() => source.push(bytes), false),
    end: () => run(() => source.end(), true),
    usage: () => source.usage(),
    estimate,
    fail(err) {
      if (failed) return null;
      failed = true;
      return encoder.encode(out.fail(err.message));
    },
  };
}
