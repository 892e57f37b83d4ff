// Upsert redemption codes by oneapi_id. A code already redeemed in Switchboard is never touched:
// re-importing it as unused would let it be spent twice.
import type { CodePlan } from '../map/redemptions.ts';
import type { Ok } from '../plan.ts';
import { changedFields } from './diff.ts';
import type { WriteContext } from './context.ts';

const REDEEMED = 3;

export async function writeCodes(w: WriteContext, plans: Ok<CodePlan>[]): Promise<void> {
  const { tx, rb } = w;
  const all = await tx.selectFrom('redemption_codes').selectAll().execute();
  const byOneapi = new Map(all.filter((c) => c.oneapi_id !== null).map((c) => [c.oneapi_id as number, c]));
  const byHash = new Map(all.map((c) => [c.code_hash, c]));
  let done = 0;
  for (const p of plans) {
    w.progress('write:redemption_codes', ++done, plans.length);
    const clash = byHash.get(p.value.row.code_hash);
    if (clash && clash.oneapi_id !== p.oneapiId) {
      rb.skipped('redemption_codes', p.oneapiId, p.label, `the same code already exists in Switchboard (#${clash.id})`);
      continue;
    }
    const { created_at, ...fields } = p.value.row;
    const next = { ...fields, ...(created_at ? { created_at } : {}) };
    const current = byOneapi.get(p.oneapiId);
    if (!current) {
      await tx.insertInto('redemption_codes').values({ ...next, created_by: w.actor, oneapi_id: p.oneapiId }).execute();
      rb.created('redemption_codes', p.oneapiId, p.label);
      continue;
    }
    if (current.status === REDEEMED) {
      rb.unchanged('redemption_codes');
      continue;
    }
    const changes = changedFields(current, next);
    if (!changes.length) rb.unchanged('redemption_codes');
    else {
      await tx.updateTable('redemption_codes').set(next).where('id', '=', current.id).execute();
      rb.updated('redemption_codes', p.oneapiId, p.label, changes);
    }
  }
}
