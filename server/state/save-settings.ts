// Upserting rows of the `settings` table (key → jsonb). Every domain's settings are
// written through here. Values travel as JSON text cast to jsonb: a jsonb-typed parameter
// would be JSON-encoded a second time by postgres.js, turning 10 into the string "10".
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.ts';

export const jsonb = (value: unknown) => sql<unknown>`${JSON.stringify(value)}::text::jsonb`;

export async function saveSettings(db: Kysely<Database>, values: Record<string, unknown>): Promise<void> {
  const entries = Object.entries(values).filter(([, v]) => v !== undefined);
  if (!entries.length) return;
  await db.insertInto('settings')
    .values(entries.map(([key, value]) => ({ key, value: jsonb(value), updated_at: new Date() })))
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: sql`excluded.value`, updated_at: new Date() }))
    .execute();
}
