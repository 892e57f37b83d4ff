// Live balances and budgets for the hot path, safe across instances sharing one Postgres.
// Each instance spends from leases it claimed from the database (server/billing/leases.ts):
//   free = lease − reserved − pending
// Admission takes from `free` synchronously; only when the lease runs short does a request
// wait for one claim (one UPDATE). Leases are topped up in the background before they run
// out, returned when idle and on shutdown, and reclaimed by other instances if this one dies.
// Overspend across all instances is therefore bounded by the leases, which never exceed
// what the database had free when they were granted (docs/billing.md).
import type { Kysely } from 'kysely';
import { DatabaseUnavailable } from '../../db/health.ts';
import type { Database } from '../../db/schema.ts';
import type { Logger } from '../logger.ts';
import type { KeyEntry, UserEntry } from '../state/types.ts';
import type { Mutex } from '../util/mutex.ts';
import { INT8_MAX } from './money.ts';
import { type Charged, claimLease, heartbeat, type LeaseKind, returnAllLeases, returnLeases, sweepStaleLeases } from './leases.ts';

/** Backstop on claim rounds for one reservation (see reserve). */
const CLAIM_ROUNDS = 64;

interface Live {
  /** Balance (users) or used (keys) as last read from or written to the database: for display. */
  db: bigint;
  /** Claimed from the database for this instance (0 for unlimited users and uncapped keys). */
  lease: bigint;
  reserved: bigint;
  /** Settled but not yet flushed. */
  pending: bigint;
  claiming: Promise<void> | null;
  /** A claim for at least this much was refused at `refusedAt`: later asks as big fail fast. */
  refusedNeed: bigint;
  refusedAt: number;
  /** The last claim failed because the database is unreachable (cleared by the next claim). */
  unavailable: boolean;
  lastUse: number;
  /** Reserved since `windowStart`, and in the whole window before it (the claim size at load). */
  reservedInWindow: bigint;
  windowStart: number;
  lastWindow: bigint;
}

export interface Reservation {
  userId: number;
  keyId: number;
  amount: bigint;
  open: boolean;
}

/** `unavailable`: the lease had to grow and the database could not be asked (a 503, not a refusal). */
export type ReserveResult = { ok: true; reservation: Reservation } | { ok: false; reason: 'balance' | 'key_budget' | 'unavailable' };

export interface AccountsOptions {
  /** Lease idle this long (no reservation, nothing pending) goes back to the database. */
  idleMs: number;
  /** Heartbeat period; leases silent for `staleSeconds` are reclaimed by any instance. */
  heartbeatMs: number;
  staleSeconds: number;
  /** A claim asks for this many times the reservation that triggered it (plus what is in flight)… */
  claimFactor: bigint;
  /** …or for what the subject reserved in the last `rateWindowMs`, if more (see `ask`). */
  rateWindowMs: number;
  /** A refused claim makes equal or bigger asks fail without a round trip for this long. */
  refusalMs: number;
}

const DEFAULTS: AccountsOptions = { idleMs: 2_000, heartbeatMs: 10_000, staleSeconds: 60, claimFactor: 8n, rateWindowMs: 1_000, refusalMs: 250 };

export class Accounts {
  private users = new Map<number, Live>();
  private keys = new Map<number, Live>();
  private timers: Array<ReturnType<typeof setInterval>> = [];
  private readonly opts: AccountsOptions;

  constructor(
    private readonly db: Kysely<Database>,
    /** Serialises lease returns with the writer's flushes (both lower this instance's leases). */
    private readonly dbLock: Mutex,
    readonly instance: string,
    private readonly log: Logger,
    opts: Partial<AccountsOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  start(): void {
    if (this.timers.length) return;
    this.timers.push(
      setInterval(() => void this.returnIdle().catch((error) => this.quiet(error) || this.log.warn('returning idle leases failed', { error })), this.opts.idleMs),
      setInterval(() => void this.keepAlive().catch((error) => this.quiet(error) || this.log.warn('lease heartbeat failed', { error })), this.opts.heartbeatMs),
    );
  }

  /** A database outage is logged once by the health monitor, not by every background job. */
  private quiet(error: unknown): boolean {
    return error instanceof DatabaseUnavailable;
  }

  /** Give every lease back (after the writer's last flush, on shutdown). */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.dbLock.run(async () => {
      await this.giveBack(() => true);
      // Nothing reserved or unflushed any more: whatever the database still holds for this
      // instance (a claim granted while its answer was lost to an outage) goes back too.
      const busy = [...this.users.values(), ...this.keys.values()].some((l) => l.reserved || l.pending || l.claiming);
      if (!busy) {
        await returnAllLeases(this.db, this.instance);
        for (const map of [this.users, this.keys]) for (const l of map.values()) l.lease = 0n;
      }
    });
  }

  /** Load balances and key usage (for display) from the database. Callers serialise this with flushes. */
  async refresh(db: Kysely<Database>): Promise<void> {
    const [users, keys] = await Promise.all([
      db.selectFrom('users').select(['id', 'balance']).execute(),
      db.selectFrom('api_keys').select(['id', 'used']).execute(),
    ]);
    this.users = rebuild(this.users, users.map((u) => [u.id, u.balance]));
    this.keys = rebuild(this.keys, keys.map((k) => [k.id, k.used]));
  }

  /**
   * Re-read some users' balances and keys' usage (another instance charged them). Callers
   * serialise this with flushes. Returns the users whose figure changed, with the new balance
   * as admin reads show it (database less this instance's unflushed spend).
   */
  async refreshSome(db: Kysely<Database>, userIds: number[], keyIds: number[]): Promise<Map<number, bigint>> {
    const [users, keys] = await Promise.all([
      userIds.length ? db.selectFrom('users').select(['id', 'balance']).where('id', 'in', userIds).execute() : [],
      keyIds.length ? db.selectFrom('api_keys').select(['id', 'used']).where('id', 'in', keyIds).execute() : [],
    ]);
    const changed = new Map<number, bigint>();
    for (const u of users) {
      const l = live(this.users, u.id);
      if (l.db !== u.balance) changed.set(u.id, u.balance - l.pending);
      l.db = u.balance;
      // The balance moved: a refused claim may succeed now (e.g. after a credit elsewhere).
      l.refusedAt = 0;
    }
    for (const k of keys) live(this.keys, k.id).db = k.used;
    return changed;
  }

  /** Balance less this instance's reservations and unflushed spend (other instances hold their own leases). */
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

  /** This instance's lease, reservations and unflushed spend for a user (diagnostics, tests). */
  userState(userId: number): { lease: bigint; reserved: bigint; pending: bigint } {
    const u = this.users.get(userId);
    return { lease: u?.lease ?? 0n, reserved: u?.reserved ?? 0n, pending: u?.pending ?? 0n };
  }

  /**
   * Reserve `amount` against the user's balance and the key's budgets. Synchronous while
   * the leases cover it; otherwise one claim round trip.
   */
  reserve(user: UserEntry, key: KeyEntry, amount: bigint): ReserveResult | Promise<ReserveResult> {
    const u = live(this.users, user.id);
    const k = live(this.keys, key.id);
    const userCapped = !user.unlimited;
    const keyCapped = key.budget !== null || key.periodBudget !== null;
    const now = Date.now();
    u.lastUse = now;
    k.lastUse = now;
    const userOk = !userCapped || free(u) >= amount;
    const keyOk = !keyCapped || free(k) >= amount;
    if (userOk && keyOk) return this.take(user.id, key.id, amount, userCapped, keyCapped);
    return (async (): Promise<ReserveResult> => {
      // In a burst, others may spend a fresh claim before this request gets to it: claim
      // again. Only the database refusing a claim means the money is not there; the round
      // bound is a backstop (claims grow with what is reserved, so bursts converge fast).
      let result: ReserveResult = { ok: false, reason: 'balance' };
      for (let round = 0; round < CLAIM_ROUNDS; round++) {
        const [uGot, kGot] = await Promise.all([
          userCapped ? this.ensure('user', user.id, u, amount) : true,
          keyCapped ? this.ensure('key', key.id, k, amount) : true,
        ]);
        if (uGot === 'unavailable' || kGot === 'unavailable') return { ok: false, reason: 'unavailable' };
        if (!uGot) return { ok: false, reason: 'balance' };
        if (!kGot) return { ok: false, reason: 'key_budget' };
        result = this.take(user.id, key.id, amount, userCapped, keyCapped);
        if (result.ok) return result;
      }
      return result;
    })();
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

  /** Lease the writer may convert into charged cost for this subject: all of it, up to the lease. */
  leaseDrop(kind: LeaseKind, id: number, cost: bigint): bigint {
    const l = (kind === 'user' ? this.users : this.keys).get(id);
    if (!l) return 0n;
    return cost < l.lease ? cost : l.lease;
  }

  /** After a flush commits: pending moves into the database figures, spent lease is gone. */
  flushed(userId: number, pendingCost: bigint, charged: Charged | null): void {
    const u = live(this.users, userId);
    u.pending -= pendingCost;
    u.db = charged?.after ?? u.db - pendingCost;
    if (charged) spend(u, charged);
  }

  keyFlushed(keyId: number, pendingCost: bigint, charged: Charged | null): void {
    const k = live(this.keys, keyId);
    k.pending -= pendingCost;
    k.db = charged?.after ?? k.db + pendingCost;
    if (charged) spend(k, charged);
  }

  private take(userId: number, keyId: number, amount: bigint, userLeased: boolean, keyLeased: boolean): ReserveResult {
    const u = live(this.users, userId);
    const k = live(this.keys, keyId);
    // A waiting request may find its lease taken by others meanwhile; re-check before taking.
    if (userLeased && free(u) < amount) return { ok: false, reason: 'balance' };
    if (keyLeased && free(k) < amount) return { ok: false, reason: 'key_budget' };
    u.reserved += amount;
    k.reserved += amount;
    // Only leased subjects claim, so only their pace is kept (see `ask`).
    const now = userLeased || keyLeased ? Date.now() : 0;
    if (userLeased) {
      this.count(u, amount, now);
      this.topUp('user', userId, u, amount);
    }
    if (keyLeased) {
      this.count(k, amount, now);
      this.topUp('key', keyId, k, amount);
    }
    return { ok: true, reservation: { userId, keyId, amount, open: true } };
  }

  /** Claim until `amount` fits, sharing claims already in flight; 'unavailable' when the database cannot be reached. */
  private async ensure(kind: LeaseKind, id: number, l: Live, amount: bigint): Promise<boolean | 'unavailable'> {
    for (let i = 0; i < CLAIM_ROUNDS && free(l) < amount; i++) {
      if (l.claiming) {
        await l.claiming;
      } else {
        const need = amount - free(l);
        if (this.refusedRecently(l, need)) return false;
        await this.claim(kind, id, l, need, need + this.ask(l, amount) + l.reserved);
      }
      if (l.unavailable && free(l) < amount) return 'unavailable';
    }
    return free(l) >= amount;
  }

  /** Background top-up when what is left would not cover two more such reservations. */
  private topUp(kind: LeaseKind, id: number, l: Live, amount: bigint): void {
    if (l.claiming || free(l) >= 2n * amount || this.refusedRecently(l, amount)) return;
    void this.claim(kind, id, l, amount, this.ask(l, amount) + l.reserved);
  }

  /**
   * What a claim asks for beyond the need: several such reservations, or what the subject
   * reserved in the last window or so far in this one, whichever is most. Under steady load
   * a subject claims about once per window (and a few times, growing, in its first one);
   * the database still grants at most half of what is free (leases.ts).
   */
  private ask(l: Live, amount: bigint): bigint {
    let ask = amount * this.opts.claimFactor;
    if (l.lastWindow > ask) ask = l.lastWindow;
    if (l.reservedInWindow > ask) ask = l.reservedInWindow;
    return ask;
  }

  private count(l: Live, amount: bigint, now: number): void {
    const since = now - l.windowStart;
    if (since >= this.opts.rateWindowMs) {
      // A window with a gap after it says nothing about the pace now.
      l.lastWindow = since < 2 * this.opts.rateWindowMs ? l.reservedInWindow : 0n;
      l.reservedInWindow = 0n;
      l.windowStart = now;
    }
    l.reservedInWindow += amount;
  }

  private refusedRecently(l: Live, need: bigint): boolean {
    return l.refusedAt !== 0 && Date.now() - l.refusedAt < this.opts.refusalMs && need >= l.refusedNeed;
  }

  private claim(kind: LeaseKind, id: number, l: Live, need: bigint, want: bigint): Promise<void> {
    // Asks are int8 in SQL: past its range no balance could grant them anyway, so cap them
    // (a claim for that much is simply refused) rather than let Postgres fail on the number.
    if (want > INT8_MAX) want = INT8_MAX;
    if (need > want) need = want;
    l.unavailable = false;
    l.claiming = claimLease(this.db, this.instance, kind, id, need, want)
      .then((got) => {
        if (got > 0n) {
          l.lease += got;
          l.refusedAt = 0;
        } else {
          l.refusedNeed = need;
          l.refusedAt = Date.now();
        }
      })
      .catch((error) => {
        // Down is reported once by the health monitor; every refused call gets a 503.
        if (error instanceof DatabaseUnavailable) l.unavailable = true;
        else this.log.error('lease claim failed', { error, kind, id });
      })
      .finally(() => {
        l.claiming = null;
      });
    return l.claiming;
  }

  private returnIdle(): Promise<void> {
    const before = Date.now() - this.opts.idleMs;
    return this.dbLock.run(() => this.giveBack((l) => l.lastUse < before));
  }

  /** Return the unused part of leases with nothing reserved or pending. Runs under dbLock. */
  private async giveBack(pick: (l: Live) => boolean): Promise<void> {
    for (const [kind, map] of [['user', this.users], ['key', this.keys]] as const) {
      const items: Array<{ id: number; amount: bigint }> = [];
      for (const [id, l] of map) {
        if (l.lease > 0n && l.reserved === 0n && l.pending === 0n && !l.claiming && pick(l)) items.push({ id, amount: l.lease });
      }
      if (!items.length) continue;
      // Off the local lease first: a request arriving during the round trip must not spend it.
      for (const i of items) map.get(i.id)!.lease -= i.amount;
      try {
        await returnLeases(this.db, this.instance, kind, items);
      } catch (error) {
        for (const i of items) map.get(i.id)!.lease += i.amount;
        throw error;
      }
    }
  }

  private async keepAlive(): Promise<void> {
    await this.dbLock.run(async () => {
      const alive = await heartbeat(this.db, this.instance);
      for (const [kind, map] of [['user', this.users], ['key', this.keys]] as const) {
        for (const [id, l] of map) {
          if (l.claiming) continue;
          const held = alive.get(`${kind}:${id}`);
          // Swept while we were silent: those leases are no longer ours to spend.
          if (held === undefined) { if (l.lease > 0n) l.lease = 0n; }
          // Granted by a claim whose answer was lost (timeout, dropped connection): ours to spend.
          else if (held > l.lease) l.lease = held;
        }
      }
    });
    const swept = await sweepStaleLeases(this.db, this.opts.staleSeconds);
    if (swept) this.log.warn('reclaimed leases of silent instances', { leases: swept });
  }
}

const free = (l: Live) => l.lease - l.reserved - l.pending;

/** Spent lease leaves the local figure; a lease row swept by another instance is gone entirely. */
function spend(l: Live, c: Charged): void {
  l.lease = c.leaseKept ? l.lease - c.drop : 0n;
}

const blank = (db: bigint): Live => ({ db, lease: 0n, reserved: 0n, pending: 0n, claiming: null, refusedNeed: 0n, refusedAt: 0, unavailable: false, lastUse: 0, reservedInWindow: 0n, windowStart: 0, lastWindow: 0n });

function live(map: Map<number, Live>, id: number): Live {
  let l = map.get(id);
  if (!l) {
    l = blank(0n);
    map.set(id, l);
  }
  return l;
}

/** New db figures, keeping leases, in-flight reservations and unflushed spend. */
function rebuild(old: Map<number, Live>, rows: Array<[number, bigint]>): Map<number, Live> {
  const next = new Map<number, Live>();
  for (const [id, value] of rows) {
    const prev = old.get(id);
    if (prev) {
      prev.db = value;
      // A reload (e.g. after a top-up) may make a refused claim succeed now.
      prev.refusedAt = 0;
      next.set(id, prev);
    } else {
      next.set(id, blank(value));
    }
  }
  // Subjects with leases or work in flight stay even if their row is gone; their lease returns normally.
  for (const [id, prev] of old) if (!next.has(id) && (prev.lease || prev.reserved || prev.pending)) next.set(id, prev);
  return next;
}
