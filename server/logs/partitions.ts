// Daily range partitions (UTC days) of the log tables. Each table also has a DEFAULT
// partition so an insert never fails for want of a partition (imported history, clock
// skew); retention drops whole days and deletes the rest in batches.
import { type Kysely, sql } from 'kysely';

export const PARTITIONED_TABLES = ['call_logs', 'call_bodies'] as const;
export type PartitionedTable = (typeof PARTITIONED_TABLES)[number];

export const DAY_MS = 86_400_000;

/** Midnight UTC of the day containing `ms`. */
export const dayStart = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

const suffix = (day: number) => new Date(day).toISOString().slice(0, 10).replaceAll('-', '');

export const partitionName = (table: PartitionedTable, day: number) => `${table}_p${suffix(day)}`;

/** The day a partition covers, from its name (`call_logs_p20250131`), or null for the default. */
export function partitionDay(table: PartitionedTable, name: string): number | null {
  const m = new RegExp(`^${table}_p(\\d{4})(\\d{2})(\\d{2})$`).exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

/** Create the daily partitions covering [fromMs, toMs] that do not exist yet; returns what it created. */
export async function ensurePartitions(db: Kysely<any>, table: PartitionedTable, fromMs: number, toMs: number): Promise<string[]> {
  const existing = new Set((await listPartitions(db, table)).map((p) => p.name));
  const created: string[] = [];
  for (let day = dayStart(fromMs); day <= toMs; day += DAY_MS) {
    const name = partitionName(table, day);
    if (existing.has(name)) continue;
    const from = new Date(day).toISOString();
    const to = new Date(day + DAY_MS).toISOString();
    await sql.raw(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${table} FOR VALUES FROM ('${from}') TO ('${to}')`).execute(db);
    created.push(name);
  }
  return created;
}

export async function listPartitions(db: Kysely<any>, table: PartitionedTable): Promise<Array<{ name: string; day: number | null }>> {
  const r = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = ${table}::regclass ORDER BY c.relname`.execute(db);
  return r.rows.map((row) => ({ name: row.name, day: partitionDay(table, row.name) }));
}
