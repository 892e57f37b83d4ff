// Upsert users by oneapi_id. Settles what the mapper could not: who may be root, and usernames
// that clash with accounts Switchboard already has. Keeps balance = Σ ledger with `import` rows:
// the first run brings One API's balance, later runs only One API's change since the run before.
import type { Role } from '../../../db/schema.ts';
import type { UserRow } from '../map/users.ts';
import type { Ok } from '../plan.ts';
import { usd, type ValueChange } from '../report.ts';
import { changedFields } from './diff.ts';
import { loadSeen, saveSeen } from './sync.ts';
import type { WriteContext } from './context.ts';

/** Returns One API user id → Switchboard user id. */
export async function writeUsers(w: WriteContext, plans: Ok<UserRow>[]): Promise<Map<number, number>> {
  const { tx, rb } = w;
  const all = await tx.selectFrom('users').selectAll().execute();
  const byOneapi = new Map(all.filter((u) => u.oneapi_id !== null).map((u) => [u.oneapi_id as number, u]));
  const nameOwner = new Map(all.map((u) => [u.username, u.oneapi_id]));
  const roots = rootDecisions(plans, all.filter((u) => u.role === 'root').map((u) => u.oneapi_id));
  const seen = await loadSeen(w, 'user');
  const ids = new Map<number, number>();

  let done = 0;
  for (const p of plans) {
    const current = byOneapi.get(p.oneapiId);
    const role: Role = p.value.role === 'root' && !roots.has(p.oneapiId) ? 'admin' : p.value.role;
    if (p.value.role === 'root' && role === 'admin')
      rb.note(`user #${p.oneapiId} (${p.label}) is root in One API; Switchboard already has a root, so imported as admin`);
    const username = freeUsername(p.value.username, p.oneapiId, nameOwner);
    if (username !== p.value.username)
      rb.note(`user #${p.oneapiId} (${p.value.username}) clashes with an existing Switchboard user, imported as "${username}"`);
    if (current && current.username !== username) nameOwner.delete(current.username);
    nameOwner.set(username, p.oneapiId);

    const { created_at, balance, used, ...fields } = p.value;
    const next = { ...fields, username, role, ...(created_at ? { created_at } : {}) };
    const snapshot = { quota: balance, used, status: p.value.status };
    if (!current) {
      const row = await tx
        .insertInto('users')
        .values({ ...next, balance, used, oneapi_id: p.oneapiId })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.set(p.oneapiId, row.id);
      rb.created('users', p.oneapiId, username, { values: [{ field: 'balance', old: null, new: usd(balance) }] });
      await ledger(w, row.id, balance, balance, p.oneapiId, 'balance of One API user');
    } else {
      ids.set(p.oneapiId, current.id);
      const changes = changedFields(current, next);
      if (changes.length) await tx.updateTable('users').set({ ...next, updated_at: new Date() }).where('id', '=', current.id).execute();
      // Money moves by One API's change since the last import, on top of whatever Switchboard
      // recorded meanwhile (usage, top-ups, redemptions). No memory of a last import (imported by
      // an older version): nothing to compare against, so Switchboard's figures stand.
      const last = seen.get(p.oneapiId);
      const dBalance = last?.quota != null ? balance - last.quota : 0n;
      const dUsed = last?.used != null ? used - last.used : 0n;
      if (!last) rb.note(`user #${p.oneapiId} (${username}): no record of the last import, Switchboard's balance ${usd(current.balance)} kept; later runs apply One API's changes`);
      let values: ValueChange[] | undefined;
      if (dBalance !== 0n || dUsed !== 0n) {
        const after = await tx
          .updateTable('users')
          .set((eb) => ({ balance: eb('balance', '+', dBalance), used: eb('used', '+', dUsed) }))
          .where('id', '=', current.id)
          .returning(['balance'])
          .executeTakeFirstOrThrow();
        if (dBalance !== 0n) {
          changes.push('balance');
          const newBalance = BigInt(after.balance);
          values = [{ field: 'balance', old: usd(newBalance - dBalance), new: usd(newBalance) }];
          await ledger(w, current.id, dBalance, newBalance, p.oneapiId, `One API balance changed by ${usd(dBalance)} since the last import`);
        }
        if (dUsed !== 0n) changes.push('used');
      }
      if (!changes.length) rb.unchanged('users');
      else rb.updated('users', p.oneapiId, username, changes, values ? { values } : undefined);
    }
    await saveSeen(w, 'user', p.oneapiId, snapshot);
    w.progress('write:users', ++done, plans.length);
  }
  return ids;
}

/** Users imported earlier that One API no longer has (deleted, or no longer importable): disabled, never deleted. */
export async function disableGoneUsers(w: WriteContext, kept: Set<number>, reasons: Map<number, string>): Promise<void> {
  const rows = await w.tx.selectFrom('users').select(['id', 'oneapi_id', 'username', 'status']).where('oneapi_id', 'is not', null).execute();
  for (const u of rows) {
    const id = u.oneapi_id as number;
    if (kept.has(id) || u.status === 2) continue;
    await w.tx.updateTable('users').set({ status: 2, updated_at: new Date() }).where('id', '=', u.id).execute();
    const why = reasons.get(id) ?? 'no longer in One API';
    w.rb.updated('users', id, u.username, ['status'], { basis: `disabled: ${why}` });
  }
}

/** One API ids allowed to be root: only if Switchboard has no root of its own, and only one. */
function rootDecisions(plans: Ok<UserRow>[], existingRootOneapiIds: (number | null)[]): Set<number> {
  const candidates = plans.filter((p) => p.value.role === 'root').map((p) => p.oneapiId).sort((a, b) => a - b);
  if (existingRootOneapiIds.length === 0) return new Set(candidates.slice(0, 1));
  return new Set(candidates.filter((id) => existingRootOneapiIds.includes(id)).slice(0, 1));
}

function freeUsername(wanted: string, oneapiId: number, owner: Map<string, number | null>): string {
  const free = (name: string) => !owner.has(name) || owner.get(name) === oneapiId;
  for (const name of [wanted, `${wanted}-oneapi`, `${wanted}-oneapi-${oneapiId}`]) if (free(name)) return name;
  for (let i = 2; ; i++) if (free(`${wanted}-oneapi-${oneapiId}-${i}`)) return `${wanted}-oneapi-${oneapiId}-${i}`;
}

async function ledger(w: WriteContext, userId: number, amount: bigint, balanceAfter: bigint, oneapiId: number, what: string) {
  await w.tx
    .insertInto('ledger')
    .values({
      user_id: userId,
      kind: 'import',
      amount,
      balance_after: balanceAfter,
      note: `One API import: ${what} #${oneapiId}`,
      actor: w.actor,
    })
    .execute();
  w.rb.created('ledger', oneapiId, `user #${oneapiId}`);
}
