// Upsert users by oneapi_id. Settles what the mapper could not: who may be root, and usernames
// that clash with accounts Switchboard already has. Keeps balance = Σ ledger with `import` rows.
import type { Role } from '../../../db/schema.ts';
import type { UserRow } from '../map/users.ts';
import type { Ok } from '../plan.ts';
import { changedFields } from './diff.ts';
import type { WriteContext } from './context.ts';

/** Returns One API user id → Switchboard user id. */
export async function writeUsers(w: WriteContext, plans: Ok<UserRow>[]): Promise<Map<number, number>> {
  const { tx, rb } = w;
  const all = await tx.selectFrom('users').selectAll().execute();
  const byOneapi = new Map(all.filter((u) => u.oneapi_id !== null).map((u) => [u.oneapi_id as number, u]));
  const nameOwner = new Map(all.map((u) => [u.username, u.oneapi_id]));
  const roots = rootDecisions(plans, all.filter((u) => u.role === 'root').map((u) => u.oneapi_id));
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

    const { created_at, ...fields } = p.value;
    const next = { ...fields, username, role, ...(created_at ? { created_at } : {}) };
    if (!current) {
      const row = await tx
        .insertInto('users')
        .values({ ...next, oneapi_id: p.oneapiId })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.set(p.oneapiId, row.id);
      rb.created('users', p.oneapiId, username);
      await ledger(w, row.id, next.balance, next.balance, p.oneapiId);
    } else {
      ids.set(p.oneapiId, current.id);
      const changes = changedFields(current, next);
      if (!changes.length) rb.unchanged('users');
      else {
        await tx.updateTable('users').set({ ...next, updated_at: new Date() }).where('id', '=', current.id).execute();
        rb.updated('users', p.oneapiId, username, changes);
        // One API is the source of truth until cut-over: move the balance with a ledger row.
        if (changes.includes('balance')) await ledger(w, current.id, next.balance - current.balance, next.balance, p.oneapiId);
      }
    }
    w.progress('write:users', ++done, plans.length);
  }
  return ids;
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

async function ledger(w: WriteContext, userId: number, amount: bigint, balanceAfter: bigint, oneapiId: number) {
  await w.tx
    .insertInto('ledger')
    .values({
      user_id: userId,
      kind: 'import',
      amount,
      balance_after: balanceAfter,
      note: `One API import: balance of One API user #${oneapiId}`,
      actor: w.actor,
    })
    .execute();
  w.rb.created('ledger', oneapiId, `user #${oneapiId}`);
}
