// Money settlement of a batch of served calls, inside the log writer's transaction (the
// writer records the rows, then hands the batch here; one commit covers both). Each user
// is charged once per batch (balance, used and a usage ledger row with the batch's call
// count), keys get used and period spend, channels their spend, and spent balance leases
// turn into charged cost (docs/billing.md). After the commit, `applySettlement` moves the
// calls' pending cost into this instance's live figures.
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Accounts } from './accounts.ts';
import { type Charged, chargeKeys, chargeUsers } from './leases.ts';

/** Who pays for one served call, and how much (nano-USD). */
export interface CallCharge {
  userId: number | null;
  keyId: number | null;
  channelId: number | null;
  cost: bigint;
}

/** `billed`: calls that cost something (the ledger's usage count); `calls`: every call. */
interface Sum { cost: bigint; calls: number; billed: number }

export interface Settlement {
  /** Each charged user's balance after the charge. */
  balances: Map<number, bigint>;
  /** Per user and key: the batch's pending cost (to clear locally) and what the database charged. */
  users: Map<number, { pending: bigint; charged: Charged | null }>;
  keys: Map<number, { pending: bigint; charged: Charged | null }>;
}

/**
 * Charge `fresh` (the batch's calls not already committed by an earlier attempt) within `tx`.
 * `all` is the whole batch: every call's cost was pending on this instance and clears with
 * this commit, charged now or before.
 */
export async function settleBatch(tx: Kysely<Database>, accounts: Accounts, all: readonly CallCharge[], fresh: readonly CallCharge[]): Promise<Settlement> {
  const byUser = sumBy(fresh, (c) => c.userId);
  const byKey = sumBy(fresh, (c) => c.keyId);
  const byChannel = sumBy(fresh, (c) => c.channelId);
  const result: Settlement = { balances: new Map(), users: pendingBy(all, (c) => c.userId), keys: pendingBy(all, (c) => c.keyId) };

  const users = [...byUser].filter(([, v]) => v.cost > 0n);
  if (users.length) {
    // Spent balance leases turn into charged cost in this same transaction.
    const charged = await chargeUsers(tx, accounts.instance, users.map(([id, v]) => ({ id, cost: v.cost, drop: accounts.leaseDrop('user', id, v.cost) })));
    for (const [id, c] of charged) {
      result.balances.set(id, c.after);
      result.users.get(id)!.charged = c;
    }
    await tx.insertInto('ledger').values(users.filter(([id]) => result.balances.has(id)).map(([id, v]) => ({
      user_id: id, kind: 'usage' as const, amount: -v.cost, balance_after: result.balances.get(id)!, calls: v.billed,
      note: `${v.billed} call(s)`,
    }))).execute();
  }
  const keys = [...byKey].filter(([, v]) => v.cost > 0n || v.calls > 0);
  if (keys.length) {
    // used, the current period's spend (restarted on a calendar boundary) and spent budget leases.
    const charged = await chargeKeys(tx, accounts.instance, keys.map(([id, v]) => ({ id, cost: v.cost, drop: accounts.leaseDrop('key', id, v.cost) })));
    for (const [id, c] of charged) result.keys.get(id)!.charged = c;
  }
  const channels = [...byChannel].filter(([, v]) => v.cost > 0n);
  if (channels.length) {
    await sql`
      UPDATE channels c SET used = c.used + d.cost
      FROM (SELECT unnest(${channels.map(([id]) => id)}::int[]) AS id, unnest(${channels.map(([, v]) => v.cost.toString())}::int8[]) AS cost) d
      WHERE c.id = d.id`.execute(tx);
  }
  return result;
}

/**
 * After the commit: pending cost moves into the database figures and spent lease is gone.
 * A replayed batch (from the journal of a killed process) was never pending here.
 */
export function applySettlement(accounts: Accounts, s: Settlement, replayed: boolean): void {
  for (const [id, v] of s.users) accounts.flushed(id, replayed ? 0n : v.pending, v.charged);
  for (const [id, v] of s.keys) accounts.keyFlushed(id, replayed ? 0n : v.pending, v.charged);
}

function sumBy(calls: readonly CallCharge[], pick: (c: CallCharge) => number | null): Map<number, Sum> {
  const m = new Map<number, Sum>();
  for (const c of calls) {
    const id = pick(c);
    if (id === null) continue;
    const e = m.get(id) ?? { cost: 0n, calls: 0, billed: 0 };
    e.cost += c.cost;
    e.calls += 1;
    if (c.cost > 0n) e.billed += 1;
    m.set(id, e);
  }
  return m;
}

function pendingBy(calls: readonly CallCharge[], pick: (c: CallCharge) => number | null): Map<number, { pending: bigint; charged: Charged | null }> {
  const m = new Map<number, { pending: bigint; charged: Charged | null }>();
  for (const c of calls) {
    const id = pick(c);
    if (id === null) continue;
    const e = m.get(id) ?? { pending: 0n, charged: null };
    e.pending += c.cost;
    m.set(id, e);
  }
  return m;
}
