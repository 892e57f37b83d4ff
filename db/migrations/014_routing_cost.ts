// Routing for cost (issue 25).
// - call_logs.affinity: cache affinity per call (server/routing/affinity.ts): hit | miss |
//   broken, null when it did not apply (no conversation, affinity off, a pinned debug
//   channel, endpoints without conversations).
// - channel_cost_prices: what an upstream charges the operator, per channel and model
//   (model '*': every model of the channel), in the same units as the sale prices.
// - call_logs.upstream_cost: the call's cost price in nano-USD (null: the channel has none).
import type { Kysely } from 'kysely';
import { execScript } from '../script.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await execScript(db, `
    ALTER TABLE call_logs ADD COLUMN affinity text CHECK (affinity IN ('hit', 'miss', 'broken'));
    ALTER TABLE call_logs ADD COLUMN upstream_cost int8;
    CREATE TABLE channel_cost_prices (
      channel_id     int NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
      model          text NOT NULL,
      input          int8 NOT NULL DEFAULT 0,
      output         int8 NOT NULL DEFAULT 0,
      cache_read     int8,
      cache_write_5m int8,
      cache_write_1h int8,
      per_request    int8,
      extra          jsonb NOT NULL DEFAULT '{}',
      updated_at     timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (channel_id, model)
    );
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await execScript(db, `
    DROP TABLE IF EXISTS channel_cost_prices;
    ALTER TABLE call_logs DROP COLUMN IF EXISTS upstream_cost;
    ALTER TABLE call_logs DROP COLUMN IF EXISTS affinity;
  `);
}
