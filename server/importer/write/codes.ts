// Upsert redemption codes by oneapi_id. A code already redeemed in Switchboard is never touched:
// re-importing it as unused would let it be spent twice.
import type { CodePlan } from '../map/redemptions.ts';
import type { Ok } from '../plan.ts';
import { changedFields } from './diff.ts';
import type { WriteContext } from './context.ts';
import { loadSeen, saveSeen } from './sync.ts';

const REDEEMED = 3;

/** A One API redemption row's state, for every row the source has (importable or not). */
export interface CodeState {
  status: number;
  redeemedAt: Date | null;
  deleted: boolean;
  label: string;
}

export async function writeCodes(w: WriteContext, plans: Ok<CodePlan>[], states: Map<number, CodeState>): Promise<void> {
  const { tx, rb } = w;
  await syncRedeemed(w, states);
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

/**
 * Codes Switchboard imported earlier, against One API's current rows: redeemed there → used here
 * (the credit arrives with the user's balance change), deleted there → disabled here. A code
 * redeemed here but still unused there cannot be closed from this side (the source is only read):
 * the report says so, by name, so the operator disables it in One API.
 */
async function syncRedeemed(w: WriteContext, states: Map<number, CodeState>): Promise<void> {
  const { tx, rb } = w;
  const seen = await loadSeen(w, 'redemption');
  const rows = await tx.selectFrom('redemption_codes').selectAll().where('oneapi_id', 'is not', null).execute();
  for (const c of rows) {
    const id = c.oneapi_id as number;
    const state = states.get(id);
    if (c.status !== REDEEMED) {
      if (state?.status === REDEEMED) {
        await tx.updateTable('redemption_codes').set({ status: REDEEMED, redeemed_at: state.redeemedAt ?? new Date() }).where('id', '=', c.id).execute();
        rb.updated('redemption_codes', id, c.name, ['status'], { basis: 'redeemed in One API since the last import: closed here so it cannot be redeemed twice' });
      } else if ((!state || state.deleted) && c.status !== 2) {
        await tx.updateTable('redemption_codes').set({ status: 2 }).where('id', '=', c.id).execute();
        rb.updated('redemption_codes', id, c.name, ['status'], { basis: 'disabled: deleted in One API' });
      }
    } else if (c.redeemed_by !== null && state && !state.deleted) {
      if (state.status === REDEEMED && seen.get(id)?.status !== REDEEMED)
        rb.note(`redemption code #${id} (${c.name}) was redeemed in both systems: in Switchboard by user #${c.redeemed_by}, and in One API since the last import (One API's credit arrives with its user's balance change); review both`);
      else if (state.status !== REDEEMED)
        rb.note(`redemption code #${id} (${c.name}) was redeemed in Switchboard but is still unused in One API: disable or delete it in One API so it cannot be redeemed there too`);
    }
  }
  for (const [id, state] of states) await saveSeen(w, 'redemption', id, { quota: null, used: null, status: state.status });
}
