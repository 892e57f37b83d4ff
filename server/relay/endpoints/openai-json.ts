// OpenAI JSON endpoints other than chat (embeddings, images, moderations, rerank,
// completions): served by OpenAI-wire channels only, the client's bytes forwarded (model
// renamed if mapped), the upstream's bytes returned untouched, and the call billed from
// the answer in the endpoint's own unit.
import type * as v from 'valibot';
import type { PriceEntry } from '../../billing/pricing.ts';
import type { ReservationInput } from '../admission.ts';
import type { Call } from '../call.ts';
import { jsonResponse, readUpstreamJson } from '../chat.ts';
import type { AttemptContext, RelayEndpoint } from '../pipeline.ts';
import type { MeteredUsage } from '../protocol/openai-types.ts';
import type { Endpoint } from '../providers/types.ts';
import { parseJsonObject } from '../read-body.ts';
import { validate } from '../schemas.ts';
import type { Attempt } from '../upstream.ts';
import { jsonBodyFor, upstreamRequest } from './upstream-request.ts';

export interface JsonCall<B> {
  body: B;
  json: Record<string, unknown>;
}

/** What one call costs: token usage priced by costOf, or an exact `cost` in another unit. */
export interface Billing {
  usage: MeteredUsage | null;
  cost?: bigint;
  estimated?: boolean;
}

export interface JsonEndpointSpec<B extends { model: string }> {
  endpoint: Endpoint;
  schema: v.GenericSchema<unknown, B>;
  reservation(body: B, price: PriceEntry, multiplierPpm: number): ReservationInput;
  /** Bill a successful answer; `call.price` is null only for `free` endpoints without a price. */
  bill(answer: unknown, body: B, call: Call): Billing;
  free?: boolean;
}

export const openaiWireOnly = (channel: { provider: { wire: string } }) => channel.provider.wire === 'openai';

export function openaiJsonEndpoint<B extends { model: string }>(spec: JsonEndpointSpec<B>): RelayEndpoint<JsonCall<B>> {
  return {
    name: spec.endpoint,
    free: spec.free,
    parse(raw) {
      const json = parseJsonObject(raw);
      return { body: validate(spec.schema, json), json };
    },
    model: (req) => req.body.model,
    stream: () => false,
    supports: openaiWireOnly,
    reservation: (req, price, ppm) => spec.reservation(req.body, price, ppm),
    upstream: ({ channel, target, raw, req, upstreamModel }) =>
      upstreamRequest(channel, target, { endpoint: spec.endpoint, model: upstreamModel, stream: false, body: jsonBodyFor(raw, req.json, upstreamModel), contentType: 'application/json' }),
    respond: billedJson((json, req, call) => spec.bill(json, req.body, call)),
  };
}

/** RelayEndpoint.respond for a JSON answer: the upstream's bytes back, billed by `bill`. */
export function billedJson<Req>(bill: (answer: unknown, req: Req, call: Call) => Billing) {
  return async ({ gw, call, req }: AttemptContext<Req>, attempt: Attempt): Promise<Response> => {
    const { bytes, json } = await readUpstreamJson(gw, call, attempt);
    const billing = bill(json, req, call);
    const res = jsonResponse(call, bytes);
    call.finish(gw, { status: 200, ...billing });
    return res;
  };
}

/** Rough token count of request text for reservations: ~1 token per 2 characters, generous for any script. */
export function roughTokens(value: unknown): number {
  if (typeof value === 'string') return Math.ceil(value.length / 2);
  if (Array.isArray(value)) return value.reduce<number>((n, x) => n + (typeof x === 'number' ? 1 : roughTokens(x)), 0);
  return 0;
}
