// An inbound protocol (Anthropic Messages, Responses, Gemini) as a RelayEndpoint. On a
// channel that speaks the protocol natively the client's bytes go through and the answer
// comes back byte for byte, metered on the side. On any other channel the request is
// converted to OpenAI chat (surfaces/<protocol>), relayed like chat, and the answer or
// stream converted back.
import { roughPromptTokens } from '../../billing/estimate.ts';
import type { ChannelEntry } from '../../state/types.ts';
import { estimateUsage, jsonResponse, readUpstreamJson } from '../chat.ts';
import { chatResponseOf, chatUpstream, chunkSource, chunkText } from '../chat-upstream.ts';
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
}

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
}

const encoder = new TextEncoder();
const upstreamModelOf = (channel: ChannelEntry, model: string) => channel.mapping[model] ?? model;

export function surfaceEndpoint<B>(spec: SurfaceEndpointSpec<B>): RelayEndpoint<SurfaceCall<B>> {
  const { surface, native } = spec;
  const servesNatively = (ctx: AttemptContext<SurfaceCall<B>>) => native.serves(ctx.channel, ctx.upstreamModel);
  return {
    name: spec.name,
    parse(raw, _request, url) {
      const json = parseJsonObject(raw);
      const parsed = surface.parse(json);
      if (!parsed.ok) throw badRequest(parsed.message, 'invalid_request');
      const body = parsed.request;
      const model = spec.model(body, url);
      const stream = spec.stream(body, url);
      try {
        return { body, json, model, stream, chat: surface.toChat(body, model, stream), unconvertible: null };
      } catch (e) {
        if (!(e instanceof ConversionError)) throw e;
        return { body, json, model, stream, chat: null, unconvertible: e.message };
      }
    },
    model: (req) => req.model,
    stream: (req) => req.stream,
    affinityBody: (req) => req.json,
    // A request only a native channel can serve (server tools, …) skips the others.
    supports: (channel, req) => req.chat !== null || native.serves(channel, upstreamModelOf(channel, req.model)),
    unsupported: (req) => (req.unconvertible ? badRequest(req.unconvertible, 'unsupported_feature') : new RelayError(404, `No channel serves "${req.model}" on ${spec.name}.`, 'not_found_error', 'model_not_found')),
    reservation: (req) => ({
      promptTokens: req.chat ? roughPromptTokens(req.chat) : Math.ceil(JSON.stringify(req.json).length / 2),
      maxTokens: req.chat?.max_tokens ?? null,
      // Gemini candidateCount arrives as chat `n`.
      choices: req.chat?.n ?? null,
    }),
    upstream(ctx) {
      if (servesNatively(ctx)) return native.upstream(ctx);
      const { channel, target, req, upstreamModel } = ctx;
      return chatUpstream(channel, target, { ...req.chat!, model: upstreamModel }, null, upstreamModel);
    },
    respond(ctx, attempt) {
      if (servesNatively(ctx)) return ctx.call.stream ? nativeStream(ctx, attempt, native) : nativeJson(ctx, attempt, native);
      return ctx.call.stream ? convertedStream(ctx, attempt, surface) : convertedJson(ctx, attempt, surface);
    },
    error: protocolError(surface.error),
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

function nativeStream<B>({ gw, call, req }: AttemptContext<SurfaceCall<B>>, attempt: Attempt, native: NativeRoute<B>): Response {
  const stream = relayStream(gw, call, attempt, meteredPassthrough({ ...native.scan, estimate: () => estimateOf(req, '') }));
  return new Response(stream, { status: 200, headers: sseHeaders(call) });
}

async function convertedJson<B>({ gw, call, req, channel, upstreamModel }: AttemptContext<SurfaceCall<B>>, attempt: Attempt, surface: Surface<B>): Promise<Response> {
  const { json } = await readUpstreamJson(call, attempt);
  const { response, usage } = chatResponseOf(channel, json, upstreamModel);
  const res = jsonResponse(call, encoder.encode(JSON.stringify(surface.fromChat(response, req.body))));
  const text = usage ? '' : response.choices.map((c) => (typeof c.message.content === 'string' ? c.message.content : '') + (c.message.reasoning_content ?? '')).join('');
  call.finish(gw, { status: 200, usage: usage ?? estimateOf(req, text), estimated: !usage });
  return res;
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
  };
}
