// OpenAI JSON endpoints other than chat (embeddings, images, moderations, rerank,
// completions). On an OpenAI-wire channel the client's bytes are forwarded (model renamed
// if mapped) and the upstream's bytes returned untouched; a native-wire channel serves the
// endpoint when its provider declares it in `operations`, through that operation's
// conversions. Either way the call is billed from the (OpenAI-shaped) answer in the
// endpoint's own unit.
import type * as v from 'valibot';
import type { PriceEntry } from '../../billing/pricing.ts';
import type { ReservationInput } from '../admission.ts';
import type { Call } from '../call.ts';
import type { Answer, Outcome } from '../outcome.ts';
import type { AttemptContext, RelayEndpoint } from '../pipeline.ts';
import type { MeteredUsage } from '../protocols/openai/types.ts';
import type { Endpoint, Operation } from '../providers/types.ts';
import { parseJsonObject } from '../read-body.ts';
import { validate } from '../schemas.ts';
import type { Attempt } from '../upstream.ts';
import { jsonResponse, readUpstreamJson } from './respond.ts';
import { jsonBodyFor, upstreamRequest } from './upstream-request.ts';

export interface JsonCall<B> {
  body: B;
  json: Record<string, unknown>;
}

/** What one call costs: token usage priced by costOf, or an exact `cost` in another unit. */
export type Billing = Pick<Outcome, 'cost' | 'estimated'> & { usage: MeteredUsage | null };

export interface JsonEndpointSpec<B extends { model: string }> {
  endpoint: Endpoint;
  schema: v.GenericSchema<unknown, B>;
  reservation(body: B, price: PriceEntry, multiplierPpm: number): ReservationInput;
  /** Bill a successful answer; `call.price` is null for `free` endpoints and ADMIN_KEY calls without a price. */
  bill(answer: unknown, body: B, call: Call): Billing;
  free?: boolean;
}

type ProviderOf = { provider: { wire: string; operations?: Partial<Record<Endpoint, Operation>> } };

/** Bodies that are not JSON (multipart uploads, audio) go through as they are: OpenAI-wire channels. */
export const passesBytes = (channel: ProviderOf) => channel.provider.wire === 'openai';

/** The provider's conversions for `endpoint` on a native-wire channel (null: OpenAI wire, bytes as they are). */
export const operationOf = (channel: ProviderOf, endpoint: Endpoint): Operation | null =>
  channel.provider.wire === 'openai' ? null : channel.provider.operations?.[endpoint] ?? null;

/** Whether a channel serves a JSON endpoint: OpenAI wire, or an operation its provider declares. */
export const servesJson = (endpoint: Endpoint) => (channel: ProviderOf) => passesBytes(channel) || operationOf(channel, endpoint) !== null;

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
    supports: servesJson(spec.endpoint),
    reservation: (req, price, ppm) => spec.reservation(req.body, price, ppm),
    upstream({ channel, target, raw, req, upstreamModel }) {
      const op = operationOf(channel, spec.endpoint);
      const body = op ? JSON.stringify(op.requestFromOpenAI(req.json, upstreamModel)) : jsonBodyFor(raw, req.json, upstreamModel);
      return upstreamRequest(channel, target, { endpoint: spec.endpoint, model: upstreamModel, stream: false, body, contentType: 'application/json' });
    },
    respond: billedJson((json, req, call) => spec.bill(json, req.body, call), spec.endpoint),
  };
}

/**
 * RelayEndpoint.respond for a JSON answer: the upstream's bytes back (or, through the
 * provider's operation for `endpoint`, the answer converted to OpenAI's), billed by `bill`.
 */
export function billedJson<Req>(bill: (answer: unknown, req: Req, call: Call) => Billing, endpoint?: Endpoint) {
  return async ({ gw, call, req, channel, upstreamModel }: AttemptContext<Req>, attempt: Attempt): Promise<Answer> => {
    const { bytes, json } = await readUpstreamJson(gw, call, attempt);
    const op = endpoint ? operationOf(channel, endpoint) : null;
    const answer = op ? op.responseToOpenAI(json, upstreamModel) : json;
    const billing = bill(answer, req, call);
    return { response: jsonResponse(call, op ? JSON.stringify(answer) : bytes), outcome: { status: 200, ...billing } };
  };
}

/** Rough token count of request text for reservations: ~1 token per 2 characters, generous for any script. */
export function roughTokens(value: unknown): number {
  if (typeof value === 'string') return Math.ceil(value.length / 2);
  if (Array.isArray(value)) return value.reduce<number>((n, x) => n + (typeof x === 'number' ? 1 : roughTokens(x)), 0);
  return 0;
}
