// The one path every call on the relay takes, whatever its protocol:
//   auth → parse → route → price and reserve → attempts over channels → respond → settle.
// An endpoint (chat, embeddings, Anthropic messages, …) is a RelayEndpoint: how to parse
// its body, what to reserve, how to build the upstream request for a channel and how to
// turn a successful upstream answer into the client's response and its Outcome. A
// LocalEndpoint (count_tokens) answers without an upstream. Either way the endpoint only
// returns the outcome: settling it (money, limits, the call log) is done here, once, by
// Call.finish — its only caller.
import { DatabaseUnavailable } from '../../db/health.ts';
import type { Gateway } from '../context.ts';
import type { ChannelEntry, KeyHolder } from '../state/types.ts';
import type { PriceEntry } from '../billing/pricing.ts';

import { admitKey, type ReservationInput, reserve, route } from './admission.ts';
import { tryChannels } from './attempts.ts';
import { Call } from './call.ts';
import { databaseUnavailable, errorResponse, RelayError } from './protocols/openai/errors.ts';
import type { Answer, Outcome } from './outcome.ts';
import type { ChannelTarget, UpstreamRequest } from './providers/types.ts';
import { routingSettings } from '../routing/settings.ts';
import { conversationOf } from './conversation.ts';
import { modelHint } from './model-hint.ts';
import { readBody } from './read-body.ts';
import type { Attempt } from './upstream.ts';

export interface AttemptContext<Req> {
  gw: Gateway;
  call: Call;
  req: Req;
  raw: Uint8Array;
  request: Request;
  channel: ChannelEntry;
  target: ChannelTarget;
  /** The model name sent upstream (after the channel's mapping). */
  upstreamModel: string;
}

export interface RelayEndpoint<Req> {
  /** Name in the call log, e.g. `chat/completions` or `messages`. */
  name: string;
  /** Validate the body; throw RelayError(400) with a clear message. */
  parse(raw: Uint8Array, request: Request, url: URL): Req | Promise<Req>;
  model(req: Req, url: URL): string;
  stream(req: Req, url: URL): boolean;
  /** Inputs of the worst-case reservation: token counts, or an amount priced by the endpoint. */
  reservation(req: Req, price: PriceEntry, multiplierPpm: number): ReservationInput;
  /** The upstream request for one attempt. */
  upstream(ctx: AttemptContext<Req>): Promise<UpstreamRequest> | UpstreamRequest;
  /** A 2xx upstream answer → the client's response and the call's outcome (now, or when a stream ends). */
  respond(ctx: AttemptContext<Req>, attempt: Attempt): Promise<Answer> | Answer;
  /** The protocol's own error response. Defaults to OpenAI's shape. */
  error?(err: RelayError, requestId: string): Response;
  /** Channels that cannot serve this endpoint are skipped (e.g. chat-only vendors for embeddings). */
  supports?(channel: ChannelEntry, req: Req): boolean;
  /** The error when `supports` leaves no channel (default: 404 model_not_found). */
  unsupported?(req: Req): RelayError;
  /** The parsed body to identify the conversation by, for cache affinity (server/relay/conversation.ts); omitted: no affinity. */
  affinityBody?(req: Req): Record<string, unknown>;
  /** Calls allowed for a model without a price (logged at cost 0), e.g. moderations. */
  free?: boolean;
}

/** An endpoint answered by the gateway itself after auth and routing (no reservation, no upstream). */
export interface LocalEndpoint<Req> {
  name: string;
  parse(raw: Uint8Array, request: Request, url: URL): Req | Promise<Req>;
  model(req: Req, url: URL): string;
  answer(call: Call, req: Req): Promise<Answer> | Answer;
  error?(err: RelayError, requestId: string): Response;
}

export async function runRelay<Req>(gw: Gateway, ep: RelayEndpoint<Req> | LocalEndpoint<Req>, request: Request, clientIp: string | null, url = new URL(request.url), principal?: KeyHolder): Promise<Response> {
  const call = new Call(ep.name, clientIp, request.headers.get('user-agent'));
  let answer: Answer;
  const body: { raw: Uint8Array | null } = { raw: null };
  try {
    answer = await handle(gw, ep, call, request, url, body, principal);
  } catch (e) {
    const err = e instanceof RelayError ? gw.secrets.scrubError(e)
      : e instanceof DatabaseUnavailable ? databaseUnavailable()
      : new RelayError(500, 'Internal gateway error.', 'server_error', 'internal_error');
    if (!(e instanceof RelayError) && !(e instanceof DatabaseUnavailable)) gw.log.error('relay handler failed', { error: e, request_id: call.requestId, endpoint: ep.name });
    // A refused call is logged under the model it asked for, even when its body did not parse.
    if (!call.model) call.model = modelHint(body.raw, url);
    call.markResponseReady();
    answer = { response: ep.error ? ep.error(err, call.requestId) : errorResponse(err, call.requestId), outcome: { status: err.status, error: err } };
  }
  const { response, outcome } = answer;
  // A stream reports its outcome when it ends and waits for call.settled() before its last
  // bytes; any other call is settled and journalled before it is answered.
  const streamed = outcome instanceof Promise;
  const settled = (streamed ? outcome.catch((e: unknown) => failed(gw, call, e)) : Promise.resolve(outcome))
    .then((o) => {
      call.finish(gw, o);
      return call.durable;
    });
  if (!streamed) await settled;
  return call.withOverhead(response);
}

function failed(gw: Gateway, call: Call, e: unknown): Outcome {
  gw.log.error('stream outcome failed', { error: e, request_id: call.requestId });
  return { status: 500, error: new RelayError(500, 'Internal gateway error.', 'server_error', 'internal_error') };
}

async function handle<Req>(gw: Gateway, ep: RelayEndpoint<Req> | LocalEndpoint<Req>, call: Call, request: Request, url: URL, body: { raw: Uint8Array | null }, principal?: KeyHolder): Promise<Answer> {
  admitKey(gw, call, request, url, principal);
  call.releaseSlot = gw.keyConcurrency.acquire(call.principal!.key.id);
  const raw = await readBody(request, gw.config.maxBodyBytes, gw.config.requestBodyTimeoutMs);
  body.raw = raw;
  const req = await ep.parse(raw, request, url);
  if ('answer' in ep) {
    route(gw, call, request, ep.model(req, url));
    return ep.answer(call, req);
  }
  call.stream = ep.stream(req, url);
  if (ep.affinityBody && routingSettings(gw.store).affinityTtlMs > 0) call.conversation = conversationOf(ep.affinityBody(req), request.headers, raw.byteLength);
  let channels = route(gw, call, request, ep.model(req, url));
  if (ep.supports) {
    channels = channels.filter((c) => ep.supports!(c, req));
    if (!channels.length) throw ep.unsupported?.(req) ?? new RelayError(404, `No channel serves "${call.model}" on ${ep.name}.`, 'not_found_error', 'model_not_found');
  }
  await reserve(gw, call, ep.free === true, (price, ppm) => ep.reservation(req, price, ppm));
  const { ctx, attempt } = await tryChannels(gw, call, request, channels, (channel, target, upstreamModel) => {
    const ctx: AttemptContext<Req> = { gw, call, req, raw, request, channel, target, upstreamModel };
    return { ctx, build: () => { call.announce(gw, request, raw); return ep.upstream(ctx); } };
  });
  return ep.respond(ctx, attempt);
}
