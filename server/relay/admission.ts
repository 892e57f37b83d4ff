// The checks every relayed call passes before any upstream is touched, all against
// in-memory state: key, model permission, routable channels, price, and a reservation
// of the worst-case cost.
import { type PriceEntry, reserveOf } from '../billing/pricing.ts';
import type { Gateway } from '../context.ts';
import type { ChannelEntry } from '../state/types.ts';
import { authenticate, presentedKey } from './auth.ts';
import type { Call } from './call.ts';
import { RelayError } from './errors.ts';
import { typesForProviderHint } from './providers/registry.ts';
import { candidates } from './select-channel.ts';

export function admitKey(gw: Gateway, call: Call, req: Request, url?: URL): void {
  call.principal = authenticate(gw.store, presentedKey(req.headers, url));
}

/** Channels that may serve `model` for this caller, in failover order; throws 403/404. */
export function route(gw: Gateway, call: Call, req: Request, model: string): ChannelEntry[] {
  const p = call.principal!;
  call.model = model;
  if (p.key.models && !p.key.models.has(model)) {
    throw new RelayError(403, `This API key may not use model "${model}".`, 'permission_error', 'model_not_allowed');
  }
  const hint = req.headers.get('x-ai-provider');
  const types = hint ? typesForProviderHint(hint) : null;
  if (hint && !types) throw new RelayError(400, `Unknown provider "${hint}" in X-AI-Provider.`, 'invalid_request_error', 'unknown_provider');
  const groups = p.key.groups ?? [p.user.group];
  const list = candidates(gw.store, model, { groups, types });
  if (list.length === 0) {
    throw new RelayError(404, `No channel serves model "${model}"${hint ? ` for provider "${hint}"` : ''}.`, 'not_found_error', 'model_not_found');
  }
  return list;
}

/** What an endpoint reserves: token counts priced here, or an amount it priced itself (images, audio…). */
export type ReservationInput = { promptTokens: number; maxTokens: number | null } | { amount: bigint };

/** Price the call and reserve its worst case against balance and key budget. */
export function reserve(gw: Gateway, call: Call, input: (price: PriceEntry, multiplierPpm: number) => ReservationInput): void {
  const p = call.principal!;
  const price = gw.store.price(call.model);
  if (!price) {
    throw new RelayError(403, `Model "${call.model}" has no price set; ask the operator to set one.`, 'permission_error', 'model_price_missing');
  }
  call.price = price;
  call.multiplierPpm = gw.store.groupMultiplierPpm(p.user.group);
  const want = input(price, call.multiplierPpm);
  const amount = 'amount' in want ? want.amount : reserveOf(want.promptTokens, want.maxTokens ?? price.defaultMaxTokens, price, call.multiplierPpm);
  const r = gw.accounts.reserve(p.user, p.key, amount);
  if (!r.ok) {
    const msg = r.reason === 'balance'
      ? 'Insufficient balance for this request. Top up the account or lower max_tokens.'
      : 'This API key has reached its budget.';
    throw new RelayError(403, msg, 'insufficient_quota', 'insufficient_quota');
  }
  call.reservation = r.reservation;
}
