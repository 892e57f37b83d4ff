// The AI Proxy–compatible admin API (server/aiproxy, docs/fastgpt.md):
// - channels.aiproxy_type: the AI Proxy channel type a channel was created or last saved
//   with through that API, so FastGPT reads back the type it sent (several AI Proxy types
//   map to one of ours, e.g. 3 and 4 are both Azure). NULL: derived from `type`.
// - call_logs.unpriced: the call ran without any price (only ADMIN_KEY calls may), so its
//   cost of 0 is "not priced", not "free"; bills count these calls.
import type { Kysely } from 'kysely';
import { execScript } from '../script.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await execScript(db, `
    ALTER TABLE channels ADD COLUMN aiproxy_type int;
    ALTER TABLE call_logs ADD COLUMN unpriced boolean NOT NULL DEFAULT false;
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await execScript(db, `
    ALTER TABLE call_logs DROP COLUMN unpriced;
    ALTER TABLE channels DROP COLUMN aiproxy_type;
  `);
}
