// Upsert client keys by oneapi_id. A key hash already owned by another Switchboard key is skipped:
// two rows must never answer to the same secret.
import type { KeyPlan } from '../map/tokens.ts';
import type { Ok } from '../plan.ts';
import { usd } from '../report.ts';
import { changedFields } from './diff.ts';
import { loadSeen, saveSeen } from './sync.ts';
import type { WriteContext } from './context.ts';

/** Returns One API token id → Switchboard api_keys id. */
export async function writeKeys(w: WriteContext, plans: Ok<KeyPlan>[], userIds: Map<number, number>): Promise<Map<number, number>> {
  const { tx, rb } = w;
  const all = await tx.selectFrom('api_keys').selectAll().execute();
  const byOneapi = new Map(all.filter((k) => k.oneapi_id !== null).map((k) => [k.oneapi_id as number, k]));
  const byHash = new Map(all.map((k) => [k.key_hash, k]));
  const ids = new Map<number, number>();
  const seen = await loadSeen(w, 'token');

  let done = 0;
  for (const p of plans) {
    w.progress('write:api_keys', ++done, plans.length);
    const userId = userIds.get(p.value.ownerOneapiId);
    if (userId === undefined) {
      rb.skipped('api_keys', p.oneapiId, p.label, `owner user #${p.value.ownerOneapiId} was not imported`);
      continue;
    }
    const clash = byHash.get(p.value.row.key_hash);
    if (clash && clash.oneapi_id !== p.oneapiId) {
      rb.skipped('api_keys', p.oneapiId, p.label, `the same key already exists in Switchboard (api_keys #${clash.id})`);
      continue;
    }
    const { created_at, budget, used, last_used_at, ...fields } = p.value.row;
    const next = { ...fields, user_id: userId, ...(created_at ? { created_at } : {}) };
    const remain = budget === null ? null : budget - used;
    const snapshot = { quota: remain, used, status: fields.status };
    const current = byOneapi.get(p.oneapiId);
    if (!current) {
      const row = await tx.insertInto('api_keys').values({ ...next, budget, used, last_used_at, oneapi_id: p.oneapiId }).returning('id').executeTakeFirstOrThrow();
      ids.set(p.oneapiId, row.id);
      byHash.set(next.key_hash, { ...row, ...next, oneapi_id: p.oneapiId } as (typeof all)[number]);
      rb.created('api_keys', p.oneapiId, p.label);
      await saveSeen(w, 'token', p.oneapiId, snapshot);
      continue;
    }
    ids.set(p.oneapiId, current.id);
    const changes = changedFields(current, next);
    // Budget and usage move by One API's change since the last import (see write/users.ts).
    const last = seen.get(p.oneapiId);
    const curUsed = BigInt(current.used);
    const dUsed = last?.used != null ? used - last.used : 0n;
    const newUsed = curUsed + dUsed;
    let newBudget = current.budget === null ? null : BigInt(current.budget);
    if (last) {
      if (remain === null) newBudget = null;
      // Was unlimited (or Switchboard had no cap): the cap is what One API has left on top of what was used.
      else if (last.quota === null || newBudget === null) newBudget = newUsed + remain;
      // One API's cap (used + remaining) moved by this much: a top-up or a cut of the token's quota.
      else newBudget += used + remain - (last.used ?? 0n) - last.quota;
    }
    const money: Record<string, unknown> = {};
    if (dUsed !== 0n) money.used = newUsed;
    if (newBudget !== (current.budget === null ? null : BigInt(current.budget))) money.budget = newBudget;
    if (last_used_at && (!current.last_used_at || current.last_used_at < last_used_at)) money.last_used_at = last_used_at;
    changes.push(...Object.keys(money));
    if (!changes.length) rb.unchanged('api_keys');
    else {
      await tx.updateTable('api_keys').set({ ...next, ...money }).where('id', '=', current.id).execute();
      const values = 'budget' in money ? [{ field: 'budget', old: current.budget === null ? 'unlimited' : usd(BigInt(current.budget)), new: newBudget === null ? 'unlimited' : usd(newBudget) }] : undefined;
      rb.updated('api_keys', p.oneapiId, p.label, changes, values ? { values } : undefined);
    }
    await saveSeen(w, 'token', p.oneapiId, snapshot);
  }
  return ids;
}

/** Keys imported earlier whose token One API no longer has (deleted, or its owner deleted): disabled. */
export async function disableGoneKeys(w: WriteContext, kept: Set<number>, reasons: Map<number, string>): Promise<void> {
  const rows = await w.tx.selectFrom('api_keys').select(['id', 'oneapi_id', 'name', 'status']).where('oneapi_id', 'is not', null).execute();
  for (const k of rows) {
    const id = k.oneapi_id as number;
    if (kept.has(id) || k.status === 2) continue;
    await w.tx.updateTable('api_keys').set({ status: 2 }).where('id', '=', k.id).execute();
    w.rb.updated('api_keys', id, k.name || `One API token #${id}`, ['status'], { basis: `disabled: ${reasons.get(id) ?? 'no longer in One API'}` });
  }
}
