// Call logs and settlements leave the hot path through this queue. Every flush is one
// transaction: insert the batch's log rows, charge each user once (balance, used and a
// usage ledger row with the batch's call count), and add spend to keys and channels.
// A failed flush keeps its batch and retries; shutdown flushes what is left. With a
// journal (server/logs/journal.ts) each item is on local disk before `push` returns, and
// what a killed process never committed is replayed on the next start.
import { type Kysely, sql } from 'kysely';
import type { Database, NewCallLog } from '../../db/schema.ts';
import type { CapturedBodies } from './capture.ts';
import type { Accounts } from '../billing/accounts.ts';
import { type Charged, chargeKeys, chargeUsers } from '../billing/leases.ts';
import type { Logger } from '../logger.ts';
import type { Journal } from './journal.ts';
import type { Mutex } from '../util/mutex.ts';

export interface Settled {
  log: NewCallLog;
  userId: number | null;
  keyId: number | null;
  channelId: number | null;
  cost: bigint;
  /** Request/response bodies when capture is on for this key or model. */
  bodies?: CapturedBodies | null;
}

/** A queued call: its log row already encoded as the JSON Postgres expands (see insertCallLogs). */
export interface Queued extends Settled {
  json: string;
}

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

/** A batch without RETURNING met rows already logged (a retried commit that had in fact landed): redo it with ids. */
class SeenBefore extends Error {}

const MAX_BATCH = 1000;

export class LogWriter {
  private queue: Queued[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private flushing: Promise<void> | null = null;
  /** Called with each committed batch (live events, metrics); replayed rows are not in `ids`. */
  onCommitted: Array<(batch: Settled[], committed: Committed) => void> = [];
  /** Whether a listener needs the new rows' ids (live subscribers somewhere); else they are not read back. */
  wantIds: () => boolean = () => true;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly accounts: Accounts,
    private readonly dbLock: Mutex,
    private readonly log: Logger,
    private readonly intervalMs: number,
    private readonly journal: Journal | null = null,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.intervalMs);
  }

  /**
   * Queue a settled call. With a journal, the promise resolves once the call is on local
   * disk; the relay awaits it before the client sees the response end.
   */
  push(item: Settled): Promise<void> | null {
    const queued: Queued = { ...item, json: encodeLog(item.log) };
    const durable = this.journal?.append(encodeSettled(queued)) ?? null;
    this.queue.push(queued);
    if (this.queue.length >= MAX_BATCH) void this.flush();
    return durable;
  }

  get backlog(): number {
    return this.queue.length;
  }

  /** Flush everything queued so far; resolves when it is committed (or has failed and been requeued). */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (this.queue.length ? this.flush() : undefined));
    if (this.queue.length === 0) return Promise.resolve();
    // Items pushed from here on go to a new segment; the sealed ones go once all is committed.
    const sealed = this.journal?.rotate();
    this.flushing = this.dbLock
      .run(async () => {
        while (this.queue.length) {
          const batch = this.queue.splice(0, MAX_BATCH);
          let committed: Committed;
          try {
            committed = await this.commit(batch, false, this.wantIds()).catch((e) => {
              if (e instanceof SeenBefore) return this.commit(batch, false, true);
              throw e;
            });
          } catch (err) {
            this.queue.unshift(...batch);
            this.log.error('flush of call logs failed; will retry', { error: err, backlog: this.queue.length });
            return;
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
    await this.flush();
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
          const committed = await this.commit(batch, true, true);
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

  private async commit(batch: Queued[], replayed: boolean, withIds: boolean): Promise<Committed> {
    const byUser = sumBy(batch, (s) => s.userId);
    const byKey = sumBy(batch, (s) => s.keyId);
    const byChannel = sumBy(batch, (s) => s.channelId);
    const userAfter = new Map<number, bigint>();
    const userCharged = new Map<number, Charged>();
    const keyCharged = new Map<number, Charged>();
    const ids = withIds ? new Map<string, string>() : null;

    await this.db.transaction().execute(async (tx) => {
      // Idempotent by request_id, so a replayed batch is never counted twice.
      const skipped = await insertLogs(tx, batch, ids);
      if (skipped.size) {
        for (const s of batch) if (skipped.has(s.log.request_id)) s.cost = 0n;
        // Skipped rows were counted when first committed: not in the ledger's call count again.
        recompute(batch.filter((s) => !skipped.has(s.log.request_id)), byUser, byKey, byChannel);
      }
      const users = [...byUser].filter(([, v]) => v.cost > 0n);
      if (users.length) {
        // Spent balance leases turn into charged cost in this same transaction (docs/billing.md).
        const charged = await chargeUsers(tx, this.accounts.instance, users.map(([id, v]) => ({ id, cost: v.cost, drop: this.accounts.leaseDrop('user', id, v.cost) })));
        for (const [id, c] of charged) {
          userAfter.set(id, c.after);
          userCharged.set(id, c);
        }
        await tx.insertInto('ledger').values(users.filter(([id]) => userAfter.has(id)).map(([id, v]) => ({
          user_id: id, kind: 'usage' as const, amount: -v.cost, balance_after: userAfter.get(id)!, calls: v.billed,
          note: `${v.billed} call(s)`,
        }))).execute();
      }
      const keys = [...byKey].filter(([, v]) => v.cost > 0n || v.calls > 0);
      if (keys.length) {
        // used, the current period's spend (restarted on a calendar boundary) and spent budget leases.
        const charged = await chargeKeys(tx, this.accounts.instance, keys.map(([id, v]) => ({ id, cost: v.cost, drop: this.accounts.leaseDrop('key', id, v.cost) })));
        for (const [id, c] of charged) keyCharged.set(id, c);
      }
      const channels = [...byChannel].filter(([, v]) => v.cost > 0n);
      if (channels.length) {
        await sql`
          UPDATE channels c SET used = c.used + d.cost
          FROM (SELECT unnest(${channels.map(([id]) => id)}::int[]) AS id, unnest(${channels.map(([, v]) => v.cost.toString())}::int8[]) AS cost) d
          WHERE c.id = d.id`.execute(tx);
      }
    });

    for (const [id, v] of byUser) this.accounts.flushed(id, replayed ? 0n : v.pendingCost, userCharged.get(id) ?? null);
    for (const [id, v] of byKey) this.accounts.keyFlushed(id, replayed ? 0n : v.pendingCost, keyCharged.get(id) ?? null);
    return { ids, balances: userAfter };
  }
}

// The whole batch travels as one JSON parameter that Postgres expands into rows: one
// statement, one native JSON.stringify per call, no per-row placeholders or escaping in JS.
// Each row is a positional array (no repeated keys), read back from jsonb by index, which
// costs Postgres about a third less than json_populate_recordset over objects.
const LOG_COLUMNS = [
  ['request_id', 'text'], ['created_at', 'timestamptz'], ['user_id', 'int'], ['key_id', 'int'], ['channel_id', 'int'],
  ['attempts', 'jsonb'], ['endpoint', 'text'], ['model', 'text'], ['upstream_model', 'text'], ['stream', 'bool'],
  ['status', 'smallint'], ['error_type', 'text'], ['error_message', 'text'], ['prompt_tokens', 'int'],
  ['completion_tokens', 'int'], ['cached_tokens', 'int'], ['cache_write_tokens', 'int'], ['reasoning_tokens', 'int'],
  ['cost', 'int8'], ['latency_ms', 'int'], ['ttft_ms', 'int'], ['overhead_us', 'int'], ['client_ip', 'text'],
  ['user_agent', 'text'], ['estimated', 'bool'], ['affinity', 'text'], ['upstream_cost', 'int8'],
] as const satisfies ReadonlyArray<readonly [keyof NewCallLog, string]>;
export const LOG_KEYS = LOG_COLUMNS.map(([name]) => name);
const COST = LOG_KEYS.indexOf('cost');
const UPSTREAM_COST = LOG_KEYS.indexOf('upstream_cost');
const COLUMN_LIST = sql.raw(LOG_KEYS.join(', '));
const ROW_VALUES = sql.raw(LOG_COLUMNS.map(([, type], i) => (type === 'jsonb' ? `e->${i}` : type === 'text' ? `e->>${i}` : `(e->>${i})::${type}`)).join(', '));

/**
 * Postgres text cannot hold NUL or unpaired surrogates; one such string from a client or an
 * upstream (a model name, an error message, a user agent) would fail the whole batch, and
 * every batch after it. Strip NUL and replace lone surrogates with U+FFFD.
 */
const forPostgres = (_k: string, v: unknown) =>
  typeof v === 'bigint' ? v.toString() : typeof v === 'string' ? v.replaceAll('\u0000', '').toWellFormed() : v;
/** JSON.stringify escapes exactly those as \u0000 and \udXXX (a surrogate pair stays raw). */
const NEEDS_CLEANING = /\\u(0000|d[89a-f])/i;

/**
 * A log row as the JSON array Postgres reads (LOG_COLUMNS order), once per call and with no
 * replacer in the common case (a replacer runs for every value and costs more than the rest).
 */
export function encodeLog(log: NewCallLog): string {
  const values: unknown[] = LOG_KEYS.map((k) => log[k]);
  values[COST] = String(log.cost ?? 0);
  if (log.upstream_cost != null) values[UPSTREAM_COST] = String(log.upstream_cost);
  const json = JSON.stringify(values);
  return json.includes('\\u') && NEEDS_CLEANING.test(json) ? JSON.stringify(values, forPostgres) : json;
}

/** A log row back from its encoded array (journal replay): money as bigint, the start time a Date. */
function decodeLog(values: unknown[]): NewCallLog {
  const log = Object.fromEntries(LOG_KEYS.map((k, i) => [k, values[i]])) as unknown as NewCallLog & { cost: string; created_at: string; upstream_cost?: string | null };
  // Rows journalled before a column existed read it as null.
  return { ...log, cost: BigInt(log.cost), affinity: log.affinity ?? null, upstream_cost: log.upstream_cost == null ? null : BigInt(log.upstream_cost), created_at: new Date(log.created_at) };
}

/** One journal line: the call's settlement fields around its already-encoded log row. */
function encodeSettled(q: Queued): string {
  const bodies = q.bodies ? JSON.stringify(q.bodies, forPostgres) : 'null';
  return `{"userId":${q.userId},"keyId":${q.keyId},"channelId":${q.channelId},"cost":"${q.cost}","bodies":${bodies},"log":${q.json}}`;
}

/** A journal line back into a queued call (money as bigint, the start time as a Date). */
export function decodeSettled(line: string): Queued {
  const raw = JSON.parse(line) as Omit<Settled, 'cost' | 'log'> & { cost: string; log: unknown[] | Record<string, unknown> };
  // Journals written before rows were positional hold the row as an object.
  const log = decodeLog(Array.isArray(raw.log) ? raw.log : LOG_KEYS.map((k) => (raw.log as Record<string, unknown>)[k]));
  return { ...raw, cost: BigInt(raw.cost), log, json: encodeLog(log) };
}

// call_logs is partitioned by created_at, so uniqueness is (request_id, created_at): a
// replayed row carries its call's own start time and is skipped. The rows travel as one
// JSON array assembled from each call's encoded row. (Exported for bench/log-insert.ts.)
export function insertStatement(batch: Array<Pick<Queued, 'json'>>) {
  let rows = '[';
  for (let i = 0; i < batch.length; i++) rows += (i ? ',' : '') + batch[i]!.json;
  rows += ']';
  return sql`
    INSERT INTO call_logs (${COLUMN_LIST})
    SELECT ${ROW_VALUES} FROM jsonb_array_elements(${rows}::text::jsonb) e
    ON CONFLICT (request_id, created_at) DO NOTHING`;
}

/**
 * Insert the batch's log rows (and captured bodies); returns the request ids already logged.
 * With `ids` the new rows' ids are read back into it; without, a batch that meets a row
 * already logged throws SeenBefore (the caller redoes it with ids).
 */
async function insertLogs(tx: Kysely<Database>, batch: Queued[], ids: Map<string, string> | null): Promise<Set<string>> {
  if (!ids) {
    if (await insertCallLogs(tx, batch) !== batch.length) throw new SeenBefore();
    await insertBodies(tx, batch.filter((s) => s.bodies));
    return new Set();
  }
  for (const r of await insertCallLogsReturning(tx, batch)) ids.set(r.request_id, String(r.id));
  await insertBodies(tx, batch.filter((s) => s.bodies && ids.has(s.log.request_id)));
  return new Set(batch.flatMap((s) => (ids.has(s.log.request_id) ? [] : [s.log.request_id])));
}

/** Inserts the batch; returns how many rows were new. */
async function insertCallLogs(tx: Kysely<Database>, batch: Queued[]): Promise<number> {
  const r = await insertStatement(batch).execute(tx);
  return Number(r.numAffectedRows ?? 0n);
}

async function insertCallLogsReturning(tx: Kysely<Database>, batch: Queued[]): Promise<Array<{ id: string | bigint; request_id: string }>> {
  const r = await sql<{ id: string | bigint; request_id: string }>`${insertStatement(batch)} RETURNING id, request_id`.execute(tx);
  return r.rows;
}

async function insertBodies(tx: Kysely<Database>, items: Queued[]): Promise<void> {
  if (!items.length) return;
  await tx.insertInto('call_bodies').values(items.map((s) => ({ request_id: s.log.request_id, created_at: s.log.created_at!, ...s.bodies! }))).execute();
}

/** `billed`: calls that cost something (the ledger's usage count); `calls`: every call. */
interface Sum { cost: bigint; calls: number; billed: number; pendingCost: bigint }

function sumBy(batch: Settled[], pick: (s: Settled) => number | null): Map<number, Sum> {
  const m = new Map<number, Sum>();
  for (const s of batch) {
    const id = pick(s);
    if (id === null) continue;
    const e = m.get(id) ?? { cost: 0n, calls: 0, billed: 0, pendingCost: 0n };
    e.cost += s.cost;
    e.pendingCost += s.cost;
    e.calls += 1;
    if (s.cost > 0n) e.billed += 1;
    m.set(id, e);
  }
  return m;
}

/** After dropping already-logged rows, charge only what is new (pending still clears in full). */
function recompute(batch: Settled[], ...maps: Array<Map<number, Sum>>): void {
  for (const m of maps) for (const e of m.values()) { e.cost = 0n; e.calls = 0; e.billed = 0; }
  const [byUser, byKey, byChannel] = maps as [Map<number, Sum>, Map<number, Sum>, Map<number, Sum>];
  for (const s of batch) {
    for (const [m, id] of [[byUser, s.userId], [byKey, s.keyId], [byChannel, s.channelId]] as const) {
      if (id === null) continue;
      const e = m.get(id)!;
      e.cost += s.cost;
      e.calls += 1;
      if (s.cost > 0n) e.billed += 1;
    }
  }
}
