// The database side of balance and budget leases (docs/billing.md). An instance claims a
// share of a user's balance (or a key's remaining budget) in one atomic statement, spends
// it locally without round trips, and the writer turns spent lease into charged cost in
// the same transaction that charges it. users.leased / api_keys.leased always equal the
// Σ of billing_leases rows for that subject.
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.ts';

export type LeaseKind = 'user' | 'key';

/** What is still free to lease, per kind, for the row aliased `t`. */
const FREE: Record<LeaseKind, ReturnType<typeof sql.raw>> = {
  user: sql.raw('t.balance - t.leased'),
  // The tighter of the total budget and the current period's budget (reset on calendar
  // boundaries in the billing timezone). LEAST ignores NULLs: a key without either has no cap.
  key: sql.raw(`LEAST(
      t.budget - t.used - t.leased,
      CASE WHEN t.period IS NULL OR t.period_budget IS NULL THEN NULL
           ELSE t.period_budget - t.leased
                - CASE WHEN t.period_start >= billing_period_start(t.period, now()) THEN t.period_used ELSE 0 END END)`),
};
const TABLE: Record<LeaseKind, ReturnType<typeof sql.raw>> = { user: sql.raw('users'), key: sql.raw('api_keys') };

/**
 * Claim between `need` and `want` for this instance: nothing unless at least `need` is free,
 * and never more than half of what is free (beyond `need`), so instances share a small balance.
 * Returns the amount granted (0n when refused).
 */
export async function claimLease(db: Kysely<Database>, instance: string, kind: LeaseKind, id: number, need: bigint, want: bigint): Promise<bigint> {
  const r = await sql<{ amount: bigint }>`
    WITH cur AS (SELECT t.id, ${FREE[kind]} AS free FROM ${TABLE[kind]} t WHERE t.id = ${id} FOR UPDATE),
    g AS (SELECT id, LEAST(${want.toString()}::int8, GREATEST(${need.toString()}::int8, free / 2)) AS amount FROM cur WHERE free >= ${need.toString()}::int8),
    up AS (UPDATE ${TABLE[kind]} t SET leased = t.leased + g.amount FROM g WHERE t.id = g.id RETURNING t.id),
    ins AS (
      INSERT INTO billing_leases AS b (instance, kind, subject_id, amount)
      SELECT ${instance}, ${kind}, g.id, g.amount FROM g
      ON CONFLICT (instance, kind, subject_id) DO UPDATE SET amount = b.amount + EXCLUDED.amount, heartbeat_at = now()
      RETURNING b.subject_id)
    SELECT g.amount FROM g, up, ins`.execute(db);
  return r.rows[0] ? BigInt(r.rows[0].amount) : 0n;
}

/**
 * Lock the subjects' rows in id order. Every statement that touches both a subject row and
 * its billing_leases rows takes the subject row first (claimLease does, via FOR UPDATE), so
 * claims, charges and returns running at once queue instead of deadlocking.
 */
async function lockSubjects(tx: Kysely<Database>, kind: LeaseKind, ids: number[]): Promise<void> {
  await sql`SELECT 1 FROM ${TABLE[kind]} WHERE id = ANY(${ids}::int[]) ORDER BY id FOR UPDATE`.execute(tx);
}

/** Give unused lease back. Only the owning instance calls this, serialised with its flushes. */
export async function returnLeases(db: Kysely<Database>, instance: string, kind: LeaseKind, items: Array<{ id: number; amount: bigint }>): Promise<void> {
  if (!items.length) return;
  await db.transaction().execute(async (tx) => {
    await lockSubjects(tx, kind, items.map((i) => i.id));
    await sql`
      WITH d AS (SELECT * FROM unnest(${items.map((i) => i.id)}::int[], ${items.map((i) => i.amount.toString())}::int8[]) AS d(id, amount)),
      l AS (
        UPDATE billing_leases b SET amount = b.amount - d.amount FROM d
        WHERE b.instance = ${instance} AND b.kind = ${kind} AND b.subject_id = d.id AND b.amount >= d.amount
        RETURNING b.subject_id, d.amount)
      UPDATE ${TABLE[kind]} t SET leased = t.leased - l.amount FROM l WHERE t.id = l.subject_id`.execute(tx);
    await tx.deleteFrom('billing_leases').where('instance', '=', instance).where('amount', '=', 0n).execute();
  });
}

/** Keep this instance's leases alive; returns `kind:id` → amount of those still leased (others were swept). */
export async function heartbeat(db: Kysely<Database>, instance: string): Promise<Map<string, bigint>> {
  const rows = await db.updateTable('billing_leases').set({ heartbeat_at: new Date() })
    .where('instance', '=', instance).returning(['kind', 'subject_id', 'amount']).execute();
  return new Map(rows.map((r) => [`${r.kind}:${r.subject_id}`, BigInt(r.amount)]));
}

/**
 * Shutdown: give back every lease this instance holds in the database, including any a
 * claim granted whose answer never arrived (the connection died after the commit).
 */
export async function returnAllLeases(db: Kysely<Database>, instance: string): Promise<number> {
  const r = await sql<{ n: number }>`
    WITH gone AS (DELETE FROM billing_leases WHERE instance = ${instance} RETURNING kind, subject_id, amount),
    u AS (UPDATE users t SET leased = t.leased - s.amount
          FROM (SELECT subject_id, sum(amount)::int8 AS amount FROM gone WHERE kind = 'user' GROUP BY subject_id) s WHERE t.id = s.subject_id),
    k AS (UPDATE api_keys t SET leased = t.leased - s.amount
          FROM (SELECT subject_id, sum(amount)::int8 AS amount FROM gone WHERE kind = 'key' GROUP BY subject_id) s WHERE t.id = s.subject_id)
    SELECT count(*)::int AS n FROM gone`.execute(db);
  return r.rows[0]?.n ?? 0;
}

/** Reclaim the leases of instances silent for `staleSeconds` (crashed without returning them). */
export async function sweepStaleLeases(db: Kysely<Database>, staleSeconds: number): Promise<number> {
  const r = await sql<{ n: number }>`
    WITH gone AS (DELETE FROM billing_leases WHERE heartbeat_at < now() - make_interval(secs => ${staleSeconds}) RETURNING kind, subject_id, amount),
    u AS (UPDATE users t SET leased = t.leased - s.amount
          FROM (SELECT subject_id, sum(amount)::int8 AS amount FROM gone WHERE kind = 'user' GROUP BY subject_id) s WHERE t.id = s.subject_id),
    k AS (UPDATE api_keys t SET leased = t.leased - s.amount
          FROM (SELECT subject_id, sum(amount)::int8 AS amount FROM gone WHERE kind = 'key' GROUP BY subject_id) s WHERE t.id = s.subject_id)
    SELECT count(*)::int AS n FROM gone`.execute(db);
  return r.rows[0]?.n ?? 0;
}

export interface Charge {
  id: number;
  cost: bigint;
  /** Lease spent by this cost (≤ the instance's lease); moves from leased to charged. */
  drop: bigint;
}

export interface Charged {
  drop: bigint;
  /** Balance (users) or used (keys) after the charge. */
  after: bigint;
  /** False when the lease row was gone (reclaimed by another instance): the local lease is void. */
  leaseKept: boolean;
}

/**
 * Charge users inside the writer's transaction: balance and used by the cost, leased by
 * the spent lease.
 */
export async function chargeUsers(tx: Kysely<Database>, instance: string, rows: Charge[]): Promise<Map<number, Charged>> {
  await lockSubjects(tx, 'user', rows.map((c) => c.id));
  const r = await sql<{ id: number; balance: bigint; lease_kept: boolean }>`
    ${chargesAndLeases(instance, 'user', rows)}
    UPDATE users u SET balance = u.balance - d.cost, used = u.used + d.cost, updated_at = now(),
      leased = u.leased - CASE WHEN l.subject_id IS NULL THEN 0 ELSE d.drop END
    FROM d LEFT JOIN l ON l.subject_id = d.id
    WHERE u.id = d.id RETURNING u.id, u.balance, (l.subject_id IS NOT NULL OR d.drop = 0) AS lease_kept`.execute(tx);
  return charged(rows, r.rows.map((x) => [x.id, BigInt(x.balance), x.lease_kept]));
}

/** Charge keys: used, the current period's spend (restarted on a new period) and leased. */
export async function chargeKeys(tx: Kysely<Database>, instance: string, rows: Charge[]): Promise<Map<number, Charged>> {
  await lockSubjects(tx, 'key', rows.map((c) => c.id));
  const r = await sql<{ id: number; used: bigint; lease_kept: boolean }>`
    ${chargesAndLeases(instance, 'key', rows)}
    UPDATE api_keys k SET used = k.used + d.cost, last_used_at = now(),
      period_used = CASE WHEN k.period IS NULL OR k.period_start >= billing_period_start(k.period, now()) THEN k.period_used + d.cost ELSE d.cost END,
      period_start = CASE WHEN k.period IS NULL THEN k.period_start ELSE billing_period_start(k.period, now()) END,
      leased = k.leased - CASE WHEN l.subject_id IS NULL THEN 0 ELSE d.drop END
    FROM d LEFT JOIN l ON l.subject_id = d.id
    WHERE k.id = d.id RETURNING k.id, k.used, (l.subject_id IS NOT NULL OR d.drop = 0) AS lease_kept`.execute(tx);
  return charged(rows, r.rows.map((x) => [x.id, BigInt(x.used), x.lease_kept]));
}

/**
 * The CTEs both charges start with: `d` the charges (id, cost, drop) and `l` this
 * instance's lease rows lowered by the spent lease (a subject whose row is gone is not in `l`).
 */
function chargesAndLeases(instance: string, kind: LeaseKind, rows: Charge[]) {
  return sql`
    WITH d AS (SELECT * FROM unnest(${rows.map((c) => c.id)}::int[], ${rows.map((c) => c.cost.toString())}::int8[], ${rows.map((c) => c.drop.toString())}::int8[]) AS d(id, cost, drop)),
    l AS (
      UPDATE billing_leases b SET amount = b.amount - d.drop FROM d
      WHERE b.instance = ${instance} AND b.kind = ${kind} AND b.subject_id = d.id AND b.amount >= d.drop AND d.drop > 0
      RETURNING b.subject_id)`;
}

function charged(rows: Charge[], returned: Array<[number, bigint, boolean]>): Map<number, Charged> {
  const drops = new Map(rows.map((c) => [c.id, c.drop]));
  return new Map(returned.map(([id, after, leaseKept]) => [id, { drop: drops.get(id) ?? 0n, after, leaseKept }]));
}
