// The price fields shared by sale prices (Prices.tsx) and cost prices (cost-prices.tsx):
// row column, input field (USD), label.
import type { api } from '../api/client.ts';
import type { MessageKey } from '../i18n/index.ts';

type PriceRow = Awaited<ReturnType<typeof api.prices.list.query>>[number];
export const PRICE_COLUMNS = [
  ['input', 'inputUsdPerM', 'prices.input'],
  ['output', 'outputUsdPerM', 'prices.output'],
  ['cache_read', 'cacheReadUsdPerM', 'prices.cacheRead'],
  ['cache_write_5m', 'cacheWrite5mUsdPerM', 'prices.cacheWrite5m'],
  ['cache_write_1h', 'cacheWrite1hUsdPerM', 'prices.cacheWrite1h'],
  ['per_request', 'perRequestUsd', 'prices.perRequest'],
] as const satisfies ReadonlyArray<readonly [keyof PriceRow, string, MessageKey]>;
export type PriceDraft = Record<(typeof PRICE_COLUMNS)[number][1], string>;

/** A price-set input from a draft: empty fields are left out. */
export function priceInput(model: string, d: PriceDraft) {
  const out: Record<string, string> = { model };
  for (const [, field] of PRICE_COLUMNS) if (d[field].trim() !== '') out[field] = d[field].trim();
  return out as { model: string; inputUsdPerM: string; outputUsdPerM?: string };
}
