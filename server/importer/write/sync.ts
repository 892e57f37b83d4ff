// The importer's memory of the source (oneapi_sync): what One API held for each row at the last
// import. A re-run moves money by One API's change since then, so balances, budgets and usage
// recorded in Switchboard in between are never overwritten.
import type { OneapiSyncTable } from '../../../db/schema.ts';
import type { WriteContext } from './context.ts';

export type SyncKind = OneapiSyncTable['kind'];

export interface Seen {
  quota: bigint | null;
  used: bigint | null;
  status: number | null;
}

export async function loadSeen(w: WriteContext, kind: SyncKind): Promise<Map<number, Seen>> {
  const rows = await w.tx.selectFrom('oneapi_sync').select(['oneapi_id', 'quota', 'used', 'status']).where('kind', '=', kind).execute();
  return new Map(rows.map((r) => [r.oneapi_id, { quota: r.quota === null ? null : BigInt(r.quota), used: r.used === null ? null : BigInt(r.used), status: r.status }]));
}

export async function saveSeen(w: WriteContext, kind: SyncKind, oneapiId: number, seen: Seen): Promise<void> {
  await w.tx
    .insertInto('oneapi_sync')
    .values({ kind, oneapi_id: oneapiId, quota: seen.quota, used: seen.used, status: seen.status })
    .onConflict((oc) => oc.columns(['kind', 'oneapi_id']).doUpdateSet({ quota: seen.quota, used: seen.used, status: seen.status, synced_at: new Date() }))
    .execute();
}
