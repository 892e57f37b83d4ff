// Call logs leave the hot path through this queue. Every flush is one transaction: insert
// the batch's log rows, upsert the hourly rollups of the rows inserted (server/logs/rollups.ts),
// then hand the calls that are new to the money settlement
// (server/billing/settle.ts) in that same transaction. A failed flush keeps its batch and
// retries, in order; shutdown flushes what is left. With a journal (server/logs/journal.ts)
// each item is on local disk before `push` returns, and what a killed process never
// committed is replayed on the next start.
import { type Kysely, sql } from 'kysely';
import { copyIn } from '../../db/copy.ts';
import type { Database } from '../../db/schema.ts';
import type { Accounts } from '../billing/accounts.ts';
import { applySettlement, settleBatch } from '../billing/settle.ts';
import type { Logger } from '../logger.ts';
import type { Mutex } from '../util/mutex.ts';
import { encodeColumns, encodeCopyRows, encodeLog, encodeSettled, LOG_COLUMN_TYPES, LOG_KEYS, type Queued, type Settled } from './call-record.ts';
import type { Journal } from './journal.ts';
import { rollupStatement, ROLLUP_SETTING } from './rollups.ts';

export type { Queued, Settled } from './call-record.ts';

/** What a commit wrote: each charged user's balance after, and the id of each newly inserted log row. */
export interface Committed {
  /**
   * request_id → call_logs id of the rows this commit inserted. Null when nobody asked for
   * ids (see `wantIds`) and every row of the batch was new: reading them back costs a
   * result row per call.
   */
  ids: Map<string, string> | null;
  balances: Map<number, bigint>;
}

/**
 * A batch met rows already logged (a retried commit that had in fact landed): redo it with
 * ids and ON CONFLICT, which skips them.
 */
class SeenBefore extends Error {}
/** Postgres unique_violation: a first attempt (COPY) met a row already logged. */
const isUniqueViolation = (e: unknown) => (e as { code?: unknown } | null)?.code === '23505';

const MAX_BATCH = 1000;

export class LogWriter {
  private queue: Queued[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private flushing: Promise<void> | null = null;
  /** Called with each committed batch (live events, metrics); replayed rows are not in `ids`. */
  onCommitted: Array<(batch: Settled[], committed: Committed) => void> = [];
  /** Whether a listener needs the new rows' ids (live subscribers somewhere); else they are not read back. */
  wantIds: () => boolean = () => true;
  /** Whether the database is known to answer; while not, timed flushes wait instead of failing every tick. */
  available: () => boolean = () => true;
  /** Since when flushes fail (0: they do not); the backlog drains in order once the database is back. */
  private failingSince = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly accounts: Accounts,
    private readonly dbLock: Mutex,
    private readonly log: Logger,
    private readonly intervalMs: number,
    private readonly journal: Journal | null = null,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => {
      if (this.queue.length && (this.available() || !this.failingSince)) void this.flush();
    }, this.intervalMs);
  }

  /**
   * Queue a settled call. With a journal, the promise resolves once the call is on local
   * disk; the relay awaits it before the client sees the response end.
   */
  push(item: Settled): Promise<void> | null {
    const queued: Queued = { ...item, json: encodeLog(item.log) };
    const durable = this.journal?.append(encodeSettled(queued)) ?? null;
    this.queue.push(queued);
    if (this.queue.length >= MAX_BATCH && !this.failingSince) void this.flush();
    return durable;
  }

  get backlog(): number {
    return this.queue.length;
  }

  /** Since when flushes have been failing (ms since epoch), or null while they succeed. */
  get failingFrom(): number | null {
    return this.failingSince || null;
  }

  /** Flush everything queued so far; resolves when it is committed (or has failed and been requeued). */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (this.queue.length ? this.flush() : undefined));
    if (this.queue.length === 0) return Promise.resolve();
    // Items pushed from here on go to a new segment; the sealed ones go once all is committed.
    const sealed = this.journal?.rotate();
    let owed = this.queue.length;
    this.flushing = this.dbLock
      .run(async () => {
        // What is queued now, then again only while a full batch waits (a backlog); calls
        // settled meanwhile wait for the next tick. Looping until the queue was empty made the
        // writer commit back to back under any steady traffic, a few calls per transaction
        // (0.18 commits per call at one connection): the statements' fixed cost then took
        // more of the gateway's CPU than the relay itself (docs/performance.md).
        while (this.queue.length && (owed > 0 || this.queue.length >= MAX_BATCH)) {
          const batch = this.queue.splice(0, MAX_BATCH);
          owed -= batch.length;
          let committed: Committed;
          try {
            committed = await this.commit(batch, false, this.wantIds(), true).catch((e) => {
              if (e instanceof SeenBefore) return this.commit(batch, false, true, false);
              throw e;
            });
          } catch (err) {
            this.queue.unshift(...batch);
            // Once per outage: the backlog stays in memory and in the journal, in order.
            if (!this.failingSince) this.log.error('flush of call logs failed; will retry', { error: err, backlog: this.queue.length });
            this.failingSince ||= Date.now();
            return;
          }
          if (this.failingSince) {
            this.log.info('call log flushes succeed again', { failedForMs: Date.now() - this.failingSince, backlog: this.queue.length });
            this.failingSince = 0;
          }
          this.notify(batch, committed);
        }
        if (sealed !== undefined) this.journal!.release(sealed);
      })
      .finally(() => {
        this.flushing = null;
      });
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // Calls settled during the last flush too; a failing flush keeps its backlog in the journal.
    do await this.flush(); while (this.queue.length && !this.failingSince);
    if (!this.queue.length) this.journal?.close();
  }

  /**
   * At startup, before `start` and before serving: commit what a killed process left in
   * the journal, then open a fresh segment. Rows already committed are skipped by the
   * idempotent insert and charged nothing; their pending spend was never in this process.
   */
  async replay(): Promise<number> {
    if (!this.journal) return 0;
    const leftover = this.journal.segments();
    let replayed = 0;
    const run = this.dbLock.run(async () => {
      for (const generation of leftover) {
        const items = this.journal!.read(generation);
        for (let i = 0; i < items.length; i += MAX_BATCH) {
          const batch = items.slice(i, i + MAX_BATCH);
          const committed = await this.commit(batch, true, true, false);
          this.notify(batch, committed);
          replayed += committed.ids!.size;
        }
      }
    });
    const last = leftover.at(-1) ?? 0;
    try {
      await run;
    } catch (error) {
      // Serve anyway; the segments stay on disk and are replayed again on the next start.
      this.log.error('replaying the call journal failed; kept for the next start', { error, segments: leftover.length });
      this.journal.open(last);
      return replayed;
    }
    this.journal.release(last);
    this.journal.open();
    return replayed;
  }

  private notify(batch: Queued[], committed: Committed): void {
    for (const fn of this.onCommitted) {
      try { fn(batch, committed); } catch (err) { this.log.warn('onCommitted listener failed', { error: err }); }
    }
  }

  /**
   * `firstTry`: the rows go in by COPY (db/copy.ts), which has no ON CONFLICT: a row already
   * logged fails the transaction with a unique violation, and the caller redoes the batch
   * with INSERT … ON CONFLICT DO NOTHING (SeenBefore). Replays always take that second path.
   */
  private async commit(batch: Queued[], replayed: boolean, withIds: boolean, firstTry: boolean): Promise<Committed> {
    const ids = withIds ? new Map<string, string>() : null;
    let skipped = new Set<string>();
    const settlement = await this.db.transaction().execute(async (tx) => {
      // The rollup trigger skips this transaction's inserts: the rollups are summed here.
      await sql`SELECT set_config(${ROLLUP_SETTING}, 'writer', true)`.execute(tx);
      // Idempotent by request_id (ON CONFLICT on a retry or replay), so no call is counted twice.
      skipped = await (firstTry ? copyLogs(tx, batch, ids) : insertLogs(tx, batch, ids ?? new Map())).catch((e) => {
        throw firstTry && isUniqueViolation(e) ? new SeenBefore() : e;
      });
      // Skipped rows were charged and rolled up when first committed: only the new ones count now.
      const fresh = skipped.size ? batch.filter((s) => !skipped.has(s.log.request_id)) : batch;
      const rollups = rollupStatement(fresh.map((s) => s.log));
      if (rollups) await rollups.execute(tx);
      return settleBatch(tx, this.accounts, batch, fresh);
    });
    applySettlement(this.accounts, settlement, replayed);
    // Listeners see what this commit charged: nothing for a call committed before.
    if (skipped.size) for (const s of batch) if (skipped.has(s.log.request_id)) s.cost = 0n;
    return { ids, balances: settlement.balances };
  }
}

const COLUMN_LIST = sql.raw(LOG_KEYS.join(', '));
const COLUMN_TYPES = LOG_COLUMN_TYPES.map((type) => sql.raw(`${type}[]`));

// call_logs is partitioned by created_at, so uniqueness is (request_id, created_at): a
// replayed row carries its call's own start time and is skipped (`skipLogged`). The rows
// travel as one typed array per column, expanded by unnest (each array one text parameter,
// whatever the driver). (Exported for bench/log-insert.ts.)
export function insertStatement(batch: ReadonlyArray<Pick<Queued, 'log'>>, skipLogged = true) {
  const columns = encodeColumns(batch.map((s) => s.log));
  return sql`
    INSERT INTO call_logs (${COLUMN_LIST})
    SELECT * FROM unnest(${sql.join(columns.map((c, i) => sql`${c}::text::${COLUMN_TYPES[i]!}`))})
    ${skipLogged ? sql`ON CONFLICT (request_id, created_at) DO NOTHING` : sql``}`;
}

/**
 * A first try: the batch's rows (and captured bodies) by COPY, all or none. With `ids`, the
 * rows' ids are drawn from the sequence first and sent with them. Postgres spends about a
 * fifth less CPU per row than on the INSERT below, and no plan (docs/performance.md).
 */
async function copyLogs(tx: Kysely<Database>, batch: Queued[], ids: Map<string, string> | null): Promise<Set<string>> {
  const logs = batch.map((s) => s.log);
  if (!ids) {
    await tx.executeQuery(copyIn('call_logs', LOG_KEYS, encodeCopyRows(logs)));
  } else {
    const drawn = await sql<{ id: string }>`SELECT nextval('call_logs_id_seq')::text AS id FROM generate_series(1, ${batch.length})`.execute(tx);
    const fresh = drawn.rows.map((r) => r.id);
    await tx.executeQuery(copyIn('call_logs', ['id', ...LOG_KEYS], encodeCopyRows(logs, fresh)));
    batch.forEach((s, i) => ids.set(s.log.request_id, fresh[i]!));
  }
  await insertBodies(tx, batch.filter((s) => s.bodies));
  return new Set();
}

/**
 * A retry or a replay: INSERT … ON CONFLICT DO NOTHING, reading the new rows' ids into
 * `ids`; returns the request ids already logged (their bodies too are skipped).
 */
async function insertLogs(tx: Kysely<Database>, batch: Queued[], ids: Map<string, string>): Promise<Set<string>> {
  const r = await sql<{ id: string | bigint; request_id: string }>`${insertStatement(batch, true)} RETURNING id, request_id`.execute(tx);
  for (const row of r.rows) ids.set(row.request_id, String(row.id));
  await insertBodies(tx, batch.filter((s) => s.bodies && ids.has(s.log.request_id)));
  return new Set(batch.flatMap((s) => (ids.has(s.log.request_id) ? [] : [s.log.request_id])));
}

async function insertBodies(tx: Kysely<Database>, items: Queued[]): Promise<void> {
  if (!items.length) return;
  await tx.insertInto('call_bodies').values(items.map((s) => ({ request_id: s.log.request_id, created_at: s.log.created_at!, ...s.bodies! }))).execute();
}
