// Billing settings, stored as rows of `settings` (jsonb values) and read into the Store:
//   missing_price_policy  'reject' (default) | 'fallback'
//   fallback_price        { input, output, cache_read?, cache_write_5m?, cache_write_1h?, per_request?, extra? }
//                         nano-USD per 1M tokens as decimal strings
//   billing_timezone      IANA zone for daily/weekly/monthly budgets and daily bills (default 'UTC');
//                         read by SQL itself (billing_timezone() in 003_billing)
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { jsonb } from '../state/save-settings.ts';
import { type PriceRow, priceEntryOf } from './price-rows.ts';
import type { Store } from '../state/store.ts';
import type { PriceEntry } from './pricing.ts';

export const SETTING = {
  missingPrice: 'missing_price_policy',
  fallbackPrice: 'fallback_price',
  timezone: 'billing_timezone',
} as const;

export type MissingPricePolicy = 'reject' | 'fallback';

export interface FallbackPriceValue {
  input: string;
  output: string;
  cache_read?: string;
  cache_write_5m?: string;
  cache_write_1h?: string;
  per_request?: string;
  extra?: Record<string, unknown>;
}

export interface BillingSettings {
  missingPrice: MissingPricePolicy;
  /** The price for unpriced models when the policy is 'fallback' (and one is configured). */
  fallback: PriceEntry | null;
  timezone: string;
}

const nano = (s: string | undefined) => (s === undefined ? null : BigInt(s));

export function fallbackRow(model: string, v: FallbackPriceValue): PriceRow {
  return {
    model, input: BigInt(v.input), output: BigInt(v.output), cache_read: nano(v.cache_read), cache_write_5m: nano(v.cache_write_5m),
    cache_write_1h: nano(v.cache_write_1h), per_request: nano(v.per_request), extra: v.extra ?? {},
  };
}

const memo = new WeakMap<ReadonlyMap<string, unknown>, BillingSettings>();

/** The billing settings of the store's current snapshot, parsed once per snapshot. */
export function billingSettings(store: Store): BillingSettings {
  const rows = store.settings();
  let s = memo.get(rows);
  if (!s) {
    s = billingSettingsOf(rows);
    memo.set(rows, s);
  }
  return s;
}

export function billingSettingsOf(rows: ReadonlyMap<string, unknown>): BillingSettings {
  const get = (k: string) => rows.get(k);
  const missingPrice: MissingPricePolicy = get(SETTING.missingPrice) === 'fallback' ? 'fallback' : 'reject';
  const fb = get(SETTING.fallbackPrice) as FallbackPriceValue | undefined;
  const tz = get(SETTING.timezone);
  return {
    missingPrice,
    fallback: missingPrice === 'fallback' && fb ? priceEntryOf(fallbackRow('*', fb)) : null,
    timezone: typeof tz === 'string' ? tz : 'UTC',
  };
}

export { saveSettings } from '../state/save-settings.ts';

/** The stored value of `key`, storing `value` first when there is none (first writer wins across instances). */
export async function saveSettingIfAbsent(db: Kysely<Database>, key: string, value: string): Promise<string> {
  await db.insertInto('settings').values({ key, value: jsonb(value), updated_at: new Date() })
    .onConflict((oc) => oc.column('key').doNothing()).execute();
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow();
  return String(row.value);
}
