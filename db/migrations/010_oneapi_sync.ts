// What the One API importer last saw of each source row, so a re-run applies only what changed
// in One API since then (balances, token budgets, usage) and never overwrites money Switchboard
// recorded in between. See docs/oneapi-import.md, "Re-running".
import type { Kysely } from 'kysely';
import { execScript } from '../script.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await execScript(db, `
    CREATE TABLE oneapi_sync (
      kind       text NOT NULL CHECK (kind IN ('user','token','channel','redemption')),
      oneapi_id  int NOT NULL,
      -- users: balance; tokens: remaining budget (NULL when unlimited); nano-USD
      quota      int8,
      -- users, tokens, channels: used, nano-USD
      used       int8,
      status     smallint,
      synced_at  timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (kind, oneapi_id)
    );
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await execScript(db, 'DROP TABLE IF EXISTS oneapi_sync;');
}
