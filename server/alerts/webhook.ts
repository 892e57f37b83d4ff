// Webhook delivery of alerts, on every instance: pending rows are claimed with
// FOR UPDATE SKIP LOCKED (each alert goes out once, whoever sends it), POSTed as JSON with
// an HMAC-SHA256 signature, and retried with exponential backoff (1 s, 2 s, 4 s, … capped at
// 5 min) up to MAX_ATTEMPTS, then marked failed. Runs on a timer, never on the relay path.
import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { AlertsTable } from '../../db/schema.ts';
import type { Gateway } from '../context.ts';
import { guardedFetch } from '../security/guarded-fetch.ts';
import { alertSettings } from './settings.ts';

export const MAX_ATTEMPTS = 10;
const BATCH = 20;
const TIMEOUT_MS = 10_000;
/** A claimed row is retried after this if its sender died mid-delivery. */
const CLAIM_MS = 60_000;

export const SIGNATURE_HEADER = 'x-switchboard-signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` — the receiver recomputes it. */
export function signature(secret: string, body: string, t = Math.floor(Date.now() / 1000)): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

export const backoffMs = (attempts: number) => Math.min(300_000, 1000 * 2 ** Math.max(0, attempts - 1));

type Row = { id: bigint; created_at: Date; kind: string; severity: string; subject: string; message: string; data: unknown; attempts: number };

/** The JSON body of one alert. */
export function payloadOf(r: Row): string {
  return JSON.stringify({ id: String(r.id), kind: r.kind, severity: r.severity, subject: r.subject, message: r.message, data: r.data, created_at: new Date(r.created_at).toISOString() });
}

/** Deliver what is due; returns how many were sent successfully. */
export async function deliverDue(gw: Gateway): Promise<number> {
  const s = alertSettings(gw.store);
  if (!s.webhookUrl || !s.webhookSecretSealed) return 0;
  const db = gw.db.db;
  const claimed = (await sql<Row>`
    UPDATE alerts SET attempts = attempts + 1, next_attempt_at = now() + ${`${CLAIM_MS} milliseconds`}::interval
    WHERE id IN (SELECT id FROM alerts WHERE delivery = 'pending' AND next_attempt_at <= now() ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
    RETURNING id, created_at, kind, severity, subject, message, data, attempts`.execute(db)).rows;
  if (!claimed.length) return 0;
  const secret = gw.box.open(s.webhookSecretSealed);
  let sent = 0;
  await Promise.all(claimed.map(async (r) => {
    const body = payloadOf(r);
    let error: string | null = null;
    try {
      // Guarded like every server-side request: each address checked, no redirect followed.
      const res = await guardedFetch(s.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Switchboard-Alerts/1', 'x-switchboard-event': r.kind, 'x-switchboard-delivery': String(r.id), [SIGNATURE_HEADER]: signature(secret, body) },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await res.arrayBuffer().catch(() => {});
      if (!res.ok) error = `webhook answered ${res.status}`;
    } catch (e) {
      error = (e as Error).message;
    }
    const update: Partial<Record<keyof AlertsTable, unknown>> = error === null
      ? { delivery: 'delivered', delivered_at: new Date(), last_error: null }
      : r.attempts >= MAX_ATTEMPTS
        ? { delivery: 'failed', last_error: error.slice(0, 500) }
        : { next_attempt_at: new Date(Date.now() + backoffMs(r.attempts)), last_error: error.slice(0, 500) };
    if (error === null) sent++;
    else gw.log.warn('alert webhook failed', { alert_id: r.id, attempts: r.attempts, error });
    await db.updateTable('alerts').set(update as never).where('id', '=', r.id).execute();
  }));
  return sent;
}
