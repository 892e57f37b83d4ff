// Operator alerts (server/alerts): one row per alert, shown in the console and delivered to
// the webhook as an outbox (pending → delivered | failed, retried with backoff). `dedupe`
// keeps one row per condition and period across instances.
import type { Kysely } from 'kysely';
import { execScript } from '../script.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await execScript(db, `
    CREATE TABLE alerts (
      id              bigserial PRIMARY KEY,
      created_at      timestamptz NOT NULL DEFAULT now(),
      kind            text NOT NULL,
      severity        text NOT NULL,
      subject         text NOT NULL,
      message         text NOT NULL,
      data            jsonb NOT NULL DEFAULT '{}'::jsonb,
      dedupe          text UNIQUE,
      -- off: no webhook was configured when it was raised (console only)
      delivery        text NOT NULL DEFAULT 'pending' CHECK (delivery IN ('pending', 'delivered', 'failed', 'off')),
      attempts        int NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_error      text,
      delivered_at    timestamptz,
      acknowledged_at timestamptz
    );
    CREATE INDEX alerts_pending ON alerts(next_attempt_at) WHERE delivery = 'pending';
    CREATE INDEX alerts_created ON alerts(created_at DESC);
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await execScript(db, 'DROP TABLE IF EXISTS alerts;');
}
