// Raising an alert: one row in `alerts` (the console's notice and the webhook outbox), off
// the hot path — callers never await it and a failure is only logged. `dedupe` makes the
// insert a no-op when the same condition was already raised (by any instance) in its period.
import type { Gateway } from '../context.ts';
import { jsonb } from '../state/save-settings.ts';
import { alertSettings } from './settings.ts';

export type AlertKind =
  | 'channel.auto_disabled'
  | 'channel.re_enabled'
  | 'channel.breaker_open'
  | 'channel.keys_exhausted'
  | 'balance.low'
  | 'key_budget.low'
  | 'test';

export interface NewAlert {
  kind: AlertKind;
  severity: 'info' | 'warning' | 'critical';
  /** What it is about: `channel:<id>`, `user:<id>`, `key:<id>`. */
  subject: string;
  message: string;
  data?: Record<string, unknown>;
  dedupe?: string;
}

/** Insert the alert; resolves to its id, or null when deduplicated. */
export async function insertAlert(gw: Gateway, a: NewAlert): Promise<bigint | null> {
  const webhook = alertSettings(gw.store).webhookUrl !== '';
  const row = await gw.db.db.insertInto('alerts').values({
    kind: a.kind, severity: a.severity, subject: a.subject, message: a.message.slice(0, 2000),
    data: jsonb(a.data ?? {}) as never, dedupe: a.dedupe ?? null,
    delivery: webhook ? 'pending' : 'off', last_error: null, delivered_at: null, acknowledged_at: null,
  }).onConflict((oc) => oc.column('dedupe').doNothing()).returning('id').executeTakeFirst();
  if (row) {
    gw.log.warn('alert', { kind: a.kind, subject: a.subject, message: a.message });
    if (gw.live.active) gw.live.emit({ type: 'alert.raised', id: row.id, kind: a.kind, severity: a.severity, subject: a.subject, message: a.message.slice(0, 2000), at: new Date() });
  }
  return row?.id ?? null;
}

/** Fire and forget. */
export function raiseAlert(gw: Gateway, a: NewAlert): void {
  insertAlert(gw, a).catch((error) => gw.log.error('cannot record alert', { kind: a.kind, subject: a.subject, error }));
}
