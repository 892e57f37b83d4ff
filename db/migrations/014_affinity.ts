// Cache affinity per call (server/routing/affinity.ts): hit | miss | broken, null when it
// did not apply (no conversation, affinity off, a pinned debug channel, non-chat endpoints).
import type { Kysely } from 'kysely';
import { execScript } from '../script.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await execScript(db, `ALTER TABLE call_logs ADD COLUMN affinity text CHECK (affinity IN ('hit', 'miss', 'broken'));`);
}

export async function down(db: Kysely<any>): Promise<void> {
  await execScript(db, 'ALTER TABLE call_logs DROP COLUMN IF EXISTS affinity;');
}
