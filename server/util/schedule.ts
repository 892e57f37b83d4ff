// Background jobs: run a function every N ms (N re-read each time, so settings changes
// apply without a restart), and make a run exclusive across instances with a Postgres
// advisory lock: when several gateways share a database, one of them does the work.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { Logger } from '../logger.ts';

/** What a job needs of the running gateway (server/context.ts passes itself down). */
export interface JobDeps {
  db: Db;
  log: Logger;
}

/** Advisory lock ids of the jobs (arbitrary, fixed). */
export const LOCKS = { probe: 0x5342_0001, tests: 0x5342_0002, balances: 0x5342_0003 } as const;

export interface Repeating {
  stop(): Promise<void>;
}

/**
 * Run `fn` every `intervalMs()` ms (0 pauses). The interval is re-read at least every
 * `checkMs`, so a changed setting applies within that time; runs never overlap.
 */
export function repeat(gw: JobDeps, name: string, intervalMs: () => number, fn: () => Promise<unknown>, checkMs = 1_000): Repeating {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<unknown> | null = null;
  let stopped = false;
  let last = Date.now();
  const tick = () => {
    if (stopped) return;
    const ms = intervalMs();
    if (!ms || Date.now() - last < ms) return schedule();
    last = Date.now();
    running = fn()
      .catch((e) => gw.log.error('background job failed', { job: name, error: e }))
      .finally(() => { running = null; last = Date.now(); schedule(); });
  };
  const schedule = () => {
    if (stopped) return;
    const ms = intervalMs();
    timer = setTimeout(tick, Math.max(10, Math.min(ms ? ms - (Date.now() - last) : checkMs, checkMs)));
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

/**
 * Run `fn` only if no other instance is running the same job: pg_try_advisory_lock on one
 * pinned connection, released after. A database no other instance uses (PGlite, the
 * embedded server) is owned by this process, so there it just runs (no pinned connection).
 */
export async function exclusive(gw: JobDeps, lock: number, fn: () => Promise<void>): Promise<boolean> {
  if (!gw.db.shared) {
    await fn();
    return true;
  }
  return gw.db.session(async (conn) => {
    const { rows } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(${lock}) AS ok`.execute(conn);
    if (!rows[0]?.ok) return false;
    try {
      await fn();
    } finally {
      await sql`SELECT pg_advisory_unlock(${lock})`.execute(conn);
    }
    return true;
  });
}
