// The one path every relayed call takes, whatever its protocol:
//   auth → parse → route → price and reserve → attempts over channels → respond.
// An endpoint (chat, embeddings, Anthropic messages, …) is a RelayEndpoint: how to parse
// its body, what to reserve, how to build the upstream request for a channel and how to
// turn a successful upstream answer into the client's response. Metering is Call.finish.
import type { Gateway } from '../context.ts';
import type { ChannelEntry } from '../state/types.ts';
import type { PriceEntry } from '../billing/pricing.ts';
import { admitKey, type ReservationInput, reserve, route } from './admission.ts';
import { tryChannels } from './attempts.ts';
import { Call } from './call.ts';
import { errorResponse, RelayError } from './errors.ts';
import type { ChannelTarget, UpstreamRequest } from './providers/types.ts';
import { routingSettings } from '../routing/settings.ts';
import { conversationOf } from './conversation.ts';
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
  /** A 2xx upstream answer → the client's response. Must end with call.finish (now or when a stream ends). */
  respond(ctx: AttemptContext<Req>, attempt: Attempt): Promise<Response> | Response;
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

export async function runRelay<Req>(gw: Gateway, ep: RelayEndpoint<Req>, request: Request, clientIp: string | null, url = new URL(request.url)): Promise<Response> {
  const call = new Call(ep.name, clientIp, request.headers.get('user-agent'));
  try {
    admitKey(gw, call, request, url);
    const raw = await readBody(request, gw.config.maxBodyBytes);
    const req = await ep.parse(raw, request, url);
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
    const res = await ep.respond(ctx, attempt);
    // A call settled here (not a stream, which settles at its end) is journalled before it is answered.
    if (call.durable) await call.durable;
    return res;
  } catch (e) {
    const err = e instanceof RelayError ? e : new RelayError(500, 'Internal gateway error.', 'server_error', 'internal_error');
    if (!(e instanceof RelayError)) gw.log.error('relay handler failed', { error: e, request_id: call.requestId, endpoint: ep.name });
    call.markResponseReady();
    call.finish(gw, { status: err.status, error: err });
    if (call.durable) await call.durable;
    return call.withOverhead(ep.error ? ep.error(err, call.requestId) : errorResponse(err, call.requestId));
  }
}
