// Live balances for the hot path. The database holds the settled truth; this module
// adds what is reserved by calls in flight and what is settled but not yet flushed,
// so admission control needs no database round trip:
//   available = balance(db) − reserved − pending
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { KeyEntry, UserEntry } from '../state/types.ts';

interface Live {
  /** Balance (users) or used (keys) as last read from or written to the database. */
  db: bigint;
  reserved: bigint;
  pending: bigint;
}

export interface Reservation {
  userId: number;
  keyId: number;
  amount: bigint;
  open: boolean;
}

export type ReserveResult = { ok: true; reservation: Reservation } | { ok: false; reason: 'balance' | 'key_budget' };

export class Accounts {
  private users = new Map<number, Live>();
  private keys = new Map<number, Live>();

  /** Load balances and key usage from the database. Callers serialise this with flushes. */
  async refresh(db: Kysely<Database>): Promise<void> {
    const [users, keys] = await Promise.all([
      db.selectFrom('users').select(['id', 'balance']).execute(),
      db.selectFrom('api_keys').select(['id', 'used']).execute(),
    ]);
    this.users = rebuild(this.users, users.map((u) => [u.id, u.balance]));
    this.keys = rebuild(this.keys, keys.map((k) => [k.id, k.used]));
  }

  available(userId: number): bigint {
    const u = this.users.get(userId);
    return u ? u.db - u.reserved - u.pending : 0n;
  }

  /** Balance including settled-but-unflushed usage (what the user has spent so far). */
  balance(userId: number): bigint {
    const u = this.users.get(userId);
    return u ? u.db - u.pending : 0n;
  }

  keyUsed(keyId: number): bigint {
    const k = this.keys.get(keyId);
    return k ? k.db + k.pending : 0n;
  }

  reserve(user: UserEntry, key: KeyEntry, amount: bigint): ReserveResult {
    const u = live(this.users, user.id);
    const k = live(this.keys, key.id);
    if (!user.unlimited && u.db - u.reserved - u.pending < amount) return { ok: false, reason: 'balance' };
    if (key.budget !== null && k.db + k.reserved + k.pending + amount > key.budget) return { ok: false, reason: 'key_budget' };
    u.reserved += amount;
    k.reserved += amount;
    return { ok: true, reservation: { userId: user.id, keyId: key.id, amount, open: true } };
  }

  /** Replace the reservation by the exact cost; the cost is pending until flushed. */
  settle(r: Reservation, cost: bigint): void {
    if (!r.open) return;
    r.open = false;
    const u = live(this.users, r.userId);
    const k = live(this.keys, r.keyId);
    u.reserved -= r.amount;
    k.reserved -= r.amount;
    u.pending += cost;
    k.pending += cost;
  }

  /** After a flush commits: move cost from pending into the database figure. */
  flushed(userId: number, cost: bigint, balanceAfter: bigint | null): void {
    const u = live(this.users, userId);
    u.pending -= cost;
    u.db = balanceAfter ?? u.db - cost;
  }

  keyFlushed(keyId: number, cost: bigint, usedAfter: bigint | null): void {
    const k = live(this.keys, keyId);
    k.pending -= cost;
    k.db = usedAfter ?? k.db + cost;
  }
}

function live(map: Map<number, Live>, id: number): Live {
  let l = map.get(id);
  if (!l) {
    l = { db: 0n, reserved: 0n, pending: 0n };
    map.set(id, l);
  }
  return l;
}

/** New db figures, keeping in-flight reservations and unflushed spend. */
function rebuild(old: Map<number, Live>, rows: Array<[number, bigint]>): Map<number, Live> {
  const next = new Map<number, Live>();
  for (const [id, value] of rows) {
    const prev = old.get(id);
    next.set(id, { db: value, reserved: prev?.reserved ?? 0n, pending: prev?.pending ?? 0n });
  }
  return next;
}
