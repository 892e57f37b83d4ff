// Upstream balances, where the vendor offers an endpoint for it (`balance` on its provider). The reading is kept as
// the vendor gave it (decimal text and currency); `channels.balance` (nano-USD) is set
// only when that currency is USD: we hold no exchange rate, so a CNY balance is never
// passed off as dollars (docs/routing.md).
import { MAX_ERROR_BODY_BYTES, readBounded } from '../relay/protocols/shared/upstream-bounds.ts';
import { guardedFetch } from '../security/guarded-fetch.ts';
import { nanoToUsd, usdToNano } from '../billing/money.ts';
import type { Gateway } from '../context.ts';
import { pickKey } from '../relay/select-channel.ts';
import type { BalanceReading } from '../relay/providers/types.ts';
import type { ChannelEntry } from '../state/types.ts';

export type { BalanceReading };

export const supportsBalance = (channel: ChannelEntry) => channel.provider.balance !== undefined;

/** Query the upstream balance of a channel (throws with the vendor's message). */
export async function queryBalance(channel: ChannelEntry, timeoutMs = 15_000): Promise<BalanceReading> {
  const read = channel.provider.balance;
  if (!read) throw new Error(`Channel type ${channel.type} (${channel.provider.id}) has no balance endpoint.`);
  const key = pickKey(channel, Number.POSITIVE_INFINITY);
  if (!key) throw new Error('The channel has no enabled key.');
  const root = hostRoot(channel.baseUrl);
  const get = async (path: string): Promise<Record<string, any>> => {
    // Guarded, and a redirect is not followed: its target's body never becomes the error text.
    const res = await guardedFetch(root + path, {
      headers: { authorization: `Bearer ${key.key}`, accept: 'application/json', ...channel.headers },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel().catch(() => {});
      throw new Error(`${path} answered ${res.status} (a redirect, not followed).`);
    }
    const text = new TextDecoder().decode(await readBounded(res, MAX_ERROR_BODY_BYTES * 16, !res.ok));
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${text.slice(0, 300)}`);
    try {
      return JSON.parse(text) as Record<string, any>;
    } catch {
      throw new Error(`${path} did not answer JSON.`);
    }
  };
  return read({ get, nano: toNano, decimal: nanoToUsd }, channel);
}

/** Query and store; returns the reading or the error text (also stored). */
export async function refreshBalance(gw: Gateway, channel: ChannelEntry): Promise<{ reading: BalanceReading | null; error: string | null }> {
  const { db } = gw.db;
  try {
    const reading = await queryBalance(channel);
    await db.updateTable('channels').set({
      balance: reading.currency === 'USD' ? toNano(reading.amount) : null,
      balance_amount: reading.amount, balance_currency: reading.currency, balance_updated_at: new Date(), balance_error: null,
    }).where('id', '=', channel.id).execute();
    return { reading, error: null };
  } catch (e) {
    const error = gw.secrets.scrub((e as Error).message).slice(0, 500);
    await db.updateTable('channels').set({ balance_error: error }).where('id', '=', channel.id).execute();
    return { reading: null, error };
  }
}

/** The base URL without its API path: balance endpoints hang off the host root. */
function hostRoot(baseUrl: string): string {
  const u = new URL(baseUrl);
  const path = u.pathname.replace(/\/+$/, '').replace(/\/(v\d+|api\/v\d+)$/, '');
  return `${u.origin}${path}`;
}

/** A decimal amount (string or number) → nano-units, rounding beyond 9 decimals. */
function toNano(amount: unknown): bigint {
  const s = String(amount ?? '').trim();
  if (s === '' || !Number.isFinite(Number(s))) throw new Error(`not an amount: ${JSON.stringify(amount)}`);
  try {
    return usdToNano(s);
  } catch {
    return usdToNano(Number(s));
  }
}
