// Live balances across instances. Each instance keeps balances and key usage in memory for
// admin reads (server/billing/accounts.ts); its own flushes update them, but another
// instance's flush would not. So after every committed flush that charged anything, the
// instance NOTIFYs `switchboard_balances` with the user and key ids it charged; every other
// instance re-reads just those rows (coalesced over 50 ms, serialised with its own flushes).
// (Console subscribers get `balance.changed` through the live fan-out already.) Re-reading rather than
// trusting figures in the payload keeps the result right whatever order notifications from
// several instances arrive in. Embedded PGlite has one instance only: nothing to send.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { Accounts } from '../billing/accounts.ts';
import type { Logger } from '../logger.ts';
import type { LogWriter } from '../logs/writer.ts';
import type { Mutex } from '../util/mutex.ts';

/** What the sync needs of the running gateway (passed down; this layer never imports the context). */
export interface BalanceSyncDeps {
  db: Db;
  accounts: Accounts;
  writer: Pick<LogWriter, 'onCommitted'>;
  log: Logger;
  dbLock: Mutex;
}

const CHANNEL = 'switchboard_balances';
/** NOTIFY payloads must stay under 8000 bytes. */
const MAX_PAYLOAD = 7_000;
const COALESCE_MS = 50;

interface Wire {
  /** Sender instance. */
  i: string;
  u: number[];
  k: number[];
}

export interface BalanceSync {
  stop(): Promise<void>;
}

export async function startBalanceSync(gw: BalanceSyncDeps, instanceId: string): Promise<BalanceSync> {
  // One gateway on the database: its own balances are the only ones that change.
  if (!gw.db.shared) return { stop: async () => {} };
  const users = new Set<number>();
  const keys = new Set<number>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> | null = null;

  const reread = async () => {
    timer = null;
    if (!users.size && !keys.size) return;
    const u = [...users];
    const k = [...keys];
    users.clear();
    keys.clear();
    await gw.dbLock.run(() => gw.accounts.refreshSome(gw.db.db, u, k));
  };
  const schedule = () => {
    if (timer || running) return;
    timer = setTimeout(() => {
      running = reread()
        .catch((error) => gw.log.warn('re-reading balances changed elsewhere failed', { error }))
        .finally(() => { running = null; if (users.size || keys.size) schedule(); });
    }, COALESCE_MS);
  };

  const unlisten = await gw.db.listen(CHANNEL, (payload) => {
    let w: Wire;
    try { w = JSON.parse(payload) as Wire; } catch { return; }
    if (w.i === instanceId) return;
    for (const id of w.u ?? []) if (Number.isSafeInteger(id)) users.add(id);
    for (const id of w.k ?? []) if (Number.isSafeInteger(id)) keys.add(id);
    schedule();
  });

  gw.writer.onCommitted.push((batch) => {
    const u = new Set<number>();
    const k = new Set<number>();
    for (const s of batch) {
      if (s.cost <= 0n) continue;
      if (s.userId !== null) u.add(s.userId);
      if (s.keyId !== null) k.add(s.keyId);
    }
    if (!u.size && !k.size) return;
    for (const w of pack(instanceId, [...u], [...k])) {
      sql`SELECT pg_notify(${CHANNEL}, ${JSON.stringify(w)})`.execute(gw.db.db)
        .catch((error) => gw.log.warn('balance notify failed', { error }));
    }
  });

  return {
    async stop() {
      if (timer) clearTimeout(timer);
      await running;
      await unlisten().catch(() => {});
    },
  };
}

/** Split the ids over payloads that fit NOTIFY's limit (ids are at most 10 characters each). */
function pack(i: string, u: number[], k: number[]): Wire[] {
  const per = Math.floor(MAX_PAYLOAD / 12);
  const out: Wire[] = [];
  for (let a = 0, b = 0; a < u.length || b < k.length;) {
    const nu = Math.min(per, u.length - a);
    const nk = Math.min(per - nu, k.length - b);
    out.push({ i, u: u.slice(a, a + nu), k: k.slice(b, b + nk) });
    a += nu;
    b += nk;
  }
  return out;
}
