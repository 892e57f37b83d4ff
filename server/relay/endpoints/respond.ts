// The respond step's building blocks: read an upstream JSON answer, and build the client's
// response with the gateway's request id and overhead headers.
import type { Gateway } from '../../context.ts';
import { readBounded } from '../protocols/shared/upstream-bounds.ts';
import type { ChannelEntry } from '../../state/types.ts';
import { aggregateChunks, answeredSse } from '../answer-shape.ts';
import type { Call } from '../call.ts';
import { chatResponseOf, chunkSource } from '../chat-upstream.ts';
import { type ChatResponse, type MeteredUsage, meterOpenAIUsage } from '../protocols/openai/types.ts';
import { splitsThinkTags } from '../think-tags.ts';
import { RelayError } from '../protocols/openai/errors.ts';
import type { Answer } from '../outcome.ts';
import type { SurfaceError } from '../protocols/types.ts';
import type { RelayedStream } from '../relay-stream.ts';
import type { Attempt } from '../upstream.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Read a whole JSON upstream answer (at most MAX_UPSTREAM_BODY_BYTES); non-JSON is a 502. */
export async function readUpstreamJson(gw: Gateway, call: Call, attempt: Attempt): Promise<{ bytes: Uint8Array; json: unknown }> {
  const bytes = await readBounded(attempt.response, gw.config.maxUpstreamBodyBytes);
  call.upstreamEnd = performance.now();
  call.firstByte = call.upstreamEnd;
  try {
    return { bytes, json: JSON.parse(decoder.decode(bytes)) };
  } catch {
    throw new RelayError(502, 'Upstream returned a response that is not JSON.', 'upstream_error', 'upstream_bad_response');
  }
}

/**
 * A whole chat answer with its reported usage, whatever shape the upstream chose: JSON, or
 * an event stream (answering a non-stream request) folded into one completion.
 * `bytes` is the upstream's own JSON when it can go back unchanged.
 */
export async function readChatAnswer(gw: Gateway, call: Call, attempt: Attempt, channel: ChannelEntry, upstreamModel: string): Promise<{ response: ChatResponse; usage: MeteredUsage | null; bytes: Uint8Array | null }> {
  if (answeredSse(attempt.response)) {
    const bytes = await readBounded(attempt.response, gw.config.maxUpstreamBodyBytes);
    call.upstreamEnd = performance.now();
    call.firstByte = call.upstreamEnd;
    const source = chunkSource(channel, upstreamModel);
    const chunks = [...source.push(bytes), ...source.end()];
    if (!chunks.length) throw new RelayError(502, 'Upstream answered with an empty event stream.', 'upstream_error', 'upstream_bad_response');
    const response = aggregateChunks(chunks);
    return { response, usage: source.usage() ?? meterOpenAIUsage(response.usage), bytes: null };
  }
  const { bytes, json } = await readUpstreamJson(gw, call, attempt);
  const { response, usage } = chatResponseOf(channel, json, upstreamModel);
  return { response, usage, bytes: channel.provider.wire === 'openai' && !splitsThinkTags(channel) ? bytes : null };
}

/** A 200 JSON response (captured for the log when body capture is on). */
export function jsonResponse(call: Call, body: Uint8Array | string): Response {
  const headers = call.responseHeaders();
  call.capture?.response(typeof body === 'string' ? encoder.encode(body) : body);
  return new Response(body as Uint8Array<ArrayBuffer> | string, { status: 200, headers: { 'content-type': 'application/json', ...headers } });
}

/** A 200 response of the upstream's bytes with its content type. */
export function bytesResponse(call: Call, body: Uint8Array | string, contentType: string): Response {
  return new Response(body as Uint8Array<ArrayBuffer> | string, { status: 200, headers: { 'content-type': contentType, ...call.responseHeaders() } });
}

/** A 200 answer whose body is a relayed stream; its outcome is known when the stream ends. */
export function streamedAnswer(stream: RelayedStream, headers: Record<string, string>): Answer {
  return { response: new Response(stream.body, { status: 200, headers }), outcome: stream.outcome };
}

/** RelayEndpoint.error for a protocol with its own error shape. */
export function protocolError(shape: (status: number, message: string) => SurfaceError) {
  return (err: RelayError, requestId: string): Response => {
    const { status, body } = shape(err.status, err.message);
    return Response.json(body, { status, headers: { 'x-request-id': requestId, ...err.headers } });
  };
}
