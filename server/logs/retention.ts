// Keeping the log bounded: whole day partitions older than the retention window are
// dropped (instant, no row-by-row work); what is left past the cutoff (imported history in
// the default partition, the boundary day) goes in small batches, each its own short
// transaction, so no statement holds locks for long.
import { type Kysely, sql } from 'kysely';
import { DAY_MS, listPartitions, PARTITIONED_TABLES } from './partitions.ts';

const BATCH = 5000;

export interface RetentionResult {
  dropped: string[];
  deleted: number;
}

export async function applyRetention(db: Kysely<any>, days: number, now = Date.now()): Promise<RetentionResult> {
  const result: RetentionResult = { dropped: [], deleted: 0 };
  if (days <= 0) return result;
  const cutoff = now - days * DAY_MS;
  for (const table of PARTITIONED_TABLES) {
    for (const p of await listPartitions(db, table)) {
      if (p.day === null || p.day + DAY_MS > cutoff) continue;
      // Dropping a partition briefly locks the parent: give up rather than queue behind a long query.
      await db.transaction().execute(async (tx) => {
        await sql`SET LOCAL lock_timeout = '5s'`.execute(tx);
        await sql.raw(`DROP TABLE IF EXISTS ${p.name}`).execute(tx);
      });
      result.dropped.push(p.name);
    }
  }
  const before = new Date(cutoff);
  result.deleted += await deleteInBatches(db, sql`DELETE FROM call_logs WHERE (id, created_at) IN
    (SELECT id, created_at FROM call_logs WHERE created_at < ${before} LIMIT ${BATCH})`);
  await deleteInBatches(db, sql`DELETE FROM call_bodies WHERE (request_id, created_at) IN
    (SELECT request_id, created_at FROM call_bodies WHERE created_at < ${before} LIMIT ${BATCH})`);
  return result;
}

async function deleteInBatches(db: Kysely<any>, stmt: ReturnType<typeof sql>): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await stmt.execute(db);
    const n = Number(r.numAffectedRows ?? 0n);
    total += n;
    if (n < BATCH) return total;
  }
}
