// The checks every relayed call passes before any upstream is touched: key (and its IP
// allow-list), model permission, routable channels, price, rate limits and a reservation
// of the worst-case cost. All against in-memory state, except a rate-limit round trip
// when the key or user has a limit, and a lease claim when the local lease runs short.
import { DatabaseUnavailable } from '../../db/health.ts';
import { INT8_MAX } from '../billing/money.ts';
import { reserveOf, type PriceEntry } from '../billing/pricing.ts';
import { billingSettings } from '../billing/settings.ts';
import type { Gateway } from '../context.ts';
import { ipAllowed } from '../limits/ip-allow.ts';
import { adminKeyRelayKeyId } from '../state/admin-key.ts';
import type { ChannelEntry } from '../state/types.ts';
import { authenticate, type KeyHolder, presentedKey } from './auth.ts';
import type { Call } from './call.ts';
import { databaseUnavailable, RelayError } from './protocols/openai/errors.ts';
import { typesForProviderHint } from './providers/registry.ts';
import { candidates, rankFor } from './select-channel.ts';

/** `given`: a caller already authenticated another way (the console playground's session and key id). */
export function admitKey(gw: Gateway, call: Call, req: Request, url?: URL, given?: KeyHolder): void {
  const p = given ?? authenticate(gw.store, presentedKey(req.headers, url));
  if (!ipAllowed(p.key, call.clientIp)) {
    throw new RelayError(403, `This API key may not be used from ${call.clientIp ?? 'an unknown address'}.`, 'permission_error', 'ip_not_allowed');
  }
  call.principal = p;
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
  let list = candidates(gw.store, model, { groups, types, rank: rankFor(gw, model, p.user.group) });
  // Without a list or fallback price, only channels with their own price may serve the model
  // (when some have one): a call must never land where it would be free.
  if (!listPrice(gw, model) && list.some((c) => c.prices.has(model))) list = list.filter((c) => c.prices.has(model));
  if (list.length === 0) {
    throw new RelayError(404, `No channel serves model "${model}"${hint ? ` for provider "${hint}"` : ''}.`, 'not_found_error', 'model_not_found');
  }
  return list;
}

/**
 * What an endpoint reserves: token counts priced here, or an amount it priced itself (images,
 * audio…). `choices` is how many completions the upstream generates for the one prompt
 * (`n`, `best_of`, Gemini `candidateCount`): each may run to `maxTokens`, so the output
 * side is reserved `choices` times (default 1).
 */
export type ReservationInput = { promptTokens: number; maxTokens: number | null; choices?: number | null } | { amount: bigint };

/** The price table's entry, else the fallback price when the missing-price policy says so. */
function listPrice(gw: Gateway, model: string): PriceEntry | null {
  const own = gw.store.price(model);
  if (own) return own;
  const s = billingSettings(gw.store);
  return s.missingPrice === 'fallback' ? s.fallback : null;
}

/** Every price the call may be billed at: the list price and channels' own prices for the model. */
function pricesFor(gw: Gateway, model: string, base: PriceEntry | null): PriceEntry[] {
  const out = base ? [base] : [];
  for (const tier of gw.store.routes(model) ?? []) {
    for (const c of tier.channels) {
      const own = c.prices.get(model);
      if (own && !out.includes(own)) out.push(own);
    }
  }
  return out;
}

/**
 * Price the call, reserve its worst case against balance and key budgets, then apply rate
 * limits — in that order, so a call refused for money never consumes RPM/TPM. `free`
 * endpoints (e.g. moderations) may run unpriced, at cost 0, but are still rate limited.
 * TPM admission takes the prompt estimate plus the requested output (`max_tokens` × choices)
 * when the client gives one; the window is corrected to the actual tokens at finish.
 */
export async function reserve(gw: Gateway, call: Call, free: boolean, input: (price: PriceEntry, multiplierPpm: number) => ReservationInput): Promise<void> {
  const p = call.principal!;
  const base = listPrice(gw, call.model);
  const prices = pricesFor(gw, call.model, base);
  // ADMIN_KEY (FastGPT's AI Proxy setup runs with no price table) is never refused for a
  // missing price: the call is logged with its tokens and marked unpriced.
  if (!prices.length && !free && !(call.unpriced = adminKeyRelayKeyId(gw.store.settings()) === p.key.id)) {
    throw new RelayError(403, `Model "${call.model}" has no price set, and the missing-price policy is to reject it; ask the operator to set a price.`, 'permission_error', 'model_price_missing');
  }
  call.price = base ?? prices[0] ?? null;
  call.multiplierPpm = gw.store.groupMultiplierPpm(p.user.group);
  // The dearest of the prices the call may be billed at, on whichever channel serves it.
  let amount = 0n;
  let tokens = 0;
  for (const price of prices) {
    const want = input(price, call.multiplierPpm);
    let a: bigint;
    if ('amount' in want) a = want.amount;
    else {
      const choices = Math.max(1, want.choices ?? 1);
      a = reserveOf(want.promptTokens, (want.maxTokens ?? price.defaultMaxTokens) * choices, price, call.multiplierPpm);
      tokens = want.promptTokens + (want.maxTokens ?? 0) * choices;
    }
    if (a > amount) amount = a;
  }
  if (!prices.length) {
    // Unpriced free endpoint: nothing to reserve, only the limits apply.
    call.tokenHold = await gw.limiter.admit(p, 0).catch(unavailable);
    return;
  }
  // Endpoint-priced amounts too: past int8 nothing can cover it, and it must not reach SQL.
  if (amount > INT8_MAX) amount = INT8_MAX;
  const r = await gw.accounts.reserve(p.user, p.key, amount);
  if (!r.ok && r.reason === 'unavailable') unavailable();
  if (!r.ok) {
    const msg = r.reason === 'balance'
      ? 'Insufficient balance for this request. Top up the account or lower max_tokens.'
      : 'This API key has reached its budget for now (total or period).';
    throw new RelayError(403, msg, 'insufficient_quota', 'insufficient_quota');
  }
  // Held from here: a rate-limit refusal below settles it at 0 (Call.finish).
  call.reservation = r.reservation;
  call.tokenHold = await gw.limiter.admit(p, Math.min(tokens, Number.MAX_SAFE_INTEGER)).catch(unavailable);
}

/** The database is down and this call needs it (a lease claim or a rate counter): 503, retry soon. */
function unavailable(error?: unknown): never {
  if (error !== undefined && !(error instanceof DatabaseUnavailable)) throw error;
  throw databaseUnavailable();
}
