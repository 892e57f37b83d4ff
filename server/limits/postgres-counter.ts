// Rate-limit windows in Postgres: one call of rate_take() (003_billing) per limited request.
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { BUCKET_MS, type Counter, type Take, type TakeResult, WINDOW_MS } from './counter.ts';

/** How often old buckets are deleted. */
const PRUNE_MS = 60_000;

export class PostgresCounter implements Counter {
  private pruneTimer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly db: Kysely<Database>) {}

  async take(items: Take[]): Promise<TakeResult> {
    this.pruneTimer ??= setInterval(() => void this.prune().catch(() => {}), PRUNE_MS);
    const r = await sql<{ subject: string; used: bigint; reset_ms: bigint; allowed: boolean }>`
      SELECT * FROM rate_take(${items.map((i) => i.subject)}::text[], ${items.map((i) => i.limit)}::int8[],
        ${items.map((i) => i.amount)}::int8[], ${WINDOW_MS}, ${BUCKET_MS})`.execute(this.db);
    return {
      allowed: r.rows[0]?.allowed ?? true,
      windows: r.rows.map((w) => ({ subject: w.subject, used: Number(w.used), resetMs: Number(w.reset_ms) })),
    };
  }

  async add(subjects: string[], amount: number): Promise<void> {
    await sql`
      INSERT INTO rate_counters AS c (subject, bucket, used)
      SELECT s, (extract(epoch FROM clock_timestamp()) * 1000)::int8 / ${BUCKET_MS}, ${amount}::int8 FROM unnest(${subjects}::text[]) AS s
      ON CONFLICT (subject, bucket) DO UPDATE SET used = c.used + EXCLUDED.used`.execute(this.db);
  }

  private async prune(): Promise<void> {
    await sql`DELETE FROM rate_counters WHERE bucket < (extract(epoch FROM clock_timestamp()) * 1000)::int8 / ${BUCKET_MS} - ${Math.ceil(WINDOW_MS / BUCKET_MS) + 1}`.execute(this.db);
  }

  async close(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.pruneTimer = null;
  }
}
