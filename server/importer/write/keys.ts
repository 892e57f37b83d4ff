// Upsert client keys by oneapi_id. A key hash already owned by another Switchboard key is skipped:
// two rows must never answer to the same secret.
import type { KeyPlan } from '../map/tokens.ts';
import type { Ok } from '../plan.ts';
import { changedFields } from './diff.ts';
import type { WriteContext } from './context.ts';

/** Returns One API token id → Switchboard api_keys id. */
export async function writeKeys(w: WriteContext, plans: Ok<KeyPlan>[], userIds: Map<number, number>): Promise<Map<number, number>> {
  const { tx, rb } = w;
  const all = await tx.selectFrom('api_keys').selectAll().execute();
  const byOneapi = new Map(all.filter((k) => k.oneapi_id !== null).map((k) => [k.oneapi_id as number, k]));
  const byHash = new Map(all.map((k) => [k.key_hash, k]));
  const ids = new Map<number, number>();

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
    const { created_at, ...fields } = p.value.row;
    const next = { ...fields, user_id: userId, ...(created_at ? { created_at } : {}) };
    const current = byOneapi.get(p.oneapiId);
    if (!current) {
      const row = await tx.insertInto('api_keys').values({ ...next, oneapi_id: p.oneapiId }).returning('id').executeTakeFirstOrThrow();
      ids.set(p.oneapiId, row.id);
      byHash.set(next.key_hash, { ...row, ...next, oneapi_id: p.oneapiId } as (typeof all)[number]);
      rb.created('api_keys', p.oneapiId, p.label);
      continue;
    }
    ids.set(p.oneapiId, current.id);
    const changes = changedFields(current, next);
    if (!changes.length) rb.unchanged('api_keys');
    else {
      await tx.updateTable('api_keys').set(next).where('id', '=', current.id).execute();
      rb.updated('api_keys', p.oneapiId, p.label, changes);
    }
  }
  return ids;
}
