import type { Kysely } from 'kysely';
import { execScript } from '../script.ts';

// Routing and resilience: channel test results, and upstream balances kept honestly in
// the vendor's own currency next to the nano-USD column (see docs/routing.md).
export async function up(db: Kysely<any>): Promise<void> {
  await execScript(db, `
    CREATE TABLE channel_tests (
      id             bigserial PRIMARY KEY,
      channel_id     int NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
      model          text NOT NULL,
      kind           text NOT NULL,
      stream         boolean NOT NULL DEFAULT false,
      success        boolean NOT NULL,
      status         int,
      latency_ms     int NOT NULL,
      upstream_model text,
      error          text,
      created_at     timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX channel_tests_channel_time ON channel_tests(channel_id, created_at DESC);

    ALTER TABLE channels ADD COLUMN balance_amount text;
    ALTER TABLE channels ADD COLUMN balance_currency text;
    ALTER TABLE channels ADD COLUMN balance_error text;
  `);
}
