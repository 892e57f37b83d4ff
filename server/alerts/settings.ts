// Alert settings: one `settings` row each (`alerts.<name>`), loaded with the store's
// snapshot; a missing or invalid row falls back to its default. The webhook's signing
// secret is stored sealed (AES-256-GCM with the master secret) and never shown back.
import * as v from 'valibot';
import type { Store } from '../state/store.ts';

export const AlertSettingsSchema = v.object({
  /** Where alerts are POSTed ('' = console only). */
  webhookUrl: v.union([v.literal(''), v.pipe(v.string(), v.url('webhookUrl must be an http(s) URL'), v.regex(/^https?:\/\//i, 'webhookUrl must be an http(s) URL'), v.maxLength(2000))]),
  /** A user's balance, or a key's remaining total budget, below this (USD) raises `balance.low` ('0' = off). */
  lowBalanceUsd: v.pipe(v.string(), v.regex(/^\d{1,9}(\.\d{1,9})?$/, 'lowBalanceUsd must be a non-negative decimal')),
});

export type AlertSettings = v.InferOutput<typeof AlertSettingsSchema> & { webhookSecretSealed: string | null };

export const ALERT_DEFAULTS: v.InferOutput<typeof AlertSettingsSchema> = { webhookUrl: '', lowBalanceUsd: '1' };

export const alertSettingKey = (name: string) => `alerts.${name}`;
export const SECRET_KEY = alertSettingKey('webhookSecret');

const cache = new WeakMap<ReadonlyMap<string, unknown>, AlertSettings>();

export function alertSettings(store: Store): AlertSettings {
  const rows = store.settings();
  let s = cache.get(rows);
  if (!s) {
    s = { ...ALERT_DEFAULTS, webhookSecretSealed: null };
    for (const name of Object.keys(ALERT_DEFAULTS) as Array<keyof typeof ALERT_DEFAULTS>) {
      const parsed = v.safeParse(AlertSettingsSchema.entries[name], rows.get(alertSettingKey(name)));
      if (parsed.success) (s as Record<string, unknown>)[name] = parsed.output;
    }
    const sealed = rows.get(SECRET_KEY);
    s.webhookSecretSealed = typeof sealed === 'string' && sealed ? sealed : null;
    cache.set(rows, s);
  }
  return s;
}
