// Upsert channels by oneapi_id; each key is sealed into its own channel_keys row. On a re-run the
// pool is replaced only when the decrypted keys differ, so cooldowns and key ids survive.
import type { SecretBox } from '../../secrets/crypto.ts';
import { assertUpstreamAllowed } from '../../security/guarded-fetch.ts';
import { hintOf } from '../../secrets/crypto.ts';
import type { ChannelPlan } from '../map/channels.ts';
import type { Ok } from '../plan.ts';
import { changedFields, same } from './diff.ts';
import type { WriteContext } from './context.ts';
import { loadSeen, saveSeen } from './sync.ts';

/** Returns One API channel id → Switchboard channel id. */
export async function writeChannels(w: WriteContext, box: SecretBox, plans: Ok<ChannelPlan>[]): Promise<Map<number, number>> {
  const { tx, rb } = w;
  const existing = await tx.selectFrom('channels').selectAll().where('oneapi_id', 'is not', null).execute();
  const byOneapi = new Map(existing.map((c) => [c.oneapi_id as number, c]));
  const ids = new Map<number, number>();
  const seen = await loadSeen(w, 'channel');

  let done = 0;
  for (const p of plans) {
    const { created_at, used, ...fields } = p.value.row;
    const next = { ...fields, ...(created_at ? { created_at } : {}) };
    // A base URL on a metadata/link-local address is imported disabled (the guarded fetch refuses it anyway).
    const refused = fields.base_url ? await assertUpstreamAllowed(fields.base_url).then(() => null, (e: Error) => e.message) : null;
    if (refused) {
      Object.assign(next, { status: 2, status_reason: `base URL refused: ${refused}` });
      rb.note(`channel #${p.oneapiId} (${p.label}): base URL refused (${refused}); imported disabled`);
    }
    const last = seen.get(p.oneapiId);
    const keys = p.value.keys;
    if (!keys.length) rb.note(`channel #${p.oneapiId} (${p.label}) has no key in One API: imported with an empty key pool`);
    const current = byOneapi.get(p.oneapiId);
    if (!current) {
      const row = await tx
        .insertInto('channels')
        .values({ ...next, used, oneapi_id: p.oneapiId })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.set(p.oneapiId, row.id);
      await insertKeys(w, box, row.id, keys, p.oneapiId);
      rb.created('channels', p.oneapiId, p.label);
    } else {
      ids.set(p.oneapiId, current.id);
      const changes = changedFields(current, next);
      // Usage moves by One API's change since the last import; Switchboard's own stays.
      const dUsed = last?.used != null ? used - last.used : 0n;
      const money = dUsed !== 0n ? { used: BigInt(current.used) + dUsed } : {};
      if (dUsed !== 0n) changes.push('used');
      const pool = await tx
        .selectFrom('channel_keys')
        .select(['key_enc'])
        .where('channel_id', '=', current.id)
        .orderBy('position')
        .orderBy('id')
        .execute();
      const keysChanged = !same(pool.map((k) => openOrNull(box, k.key_enc)), keys);
      if (keysChanged) {
        await tx.deleteFrom('channel_keys').where('channel_id', '=', current.id).execute();
        await insertKeys(w, box, current.id, keys, p.oneapiId);
        changes.push('keys');
      } else for (let i = 0; i < pool.length; i++) rb.unchanged('channel_keys');
      if (!changes.length) rb.unchanged('channels');
      else {
        await tx.updateTable('channels').set({ ...next, ...money, updated_at: new Date() }).where('id', '=', current.id).execute();
        rb.updated('channels', p.oneapiId, p.label, changes);
      }
    }
    await saveSeen(w, 'channel', p.oneapiId, { quota: null, used, status: fields.status });
    w.progress('write:channels', ++done, plans.length);
  }
  return ids;
}

/** Channels imported earlier that One API no longer has: disabled (with the reason), never deleted. */
export async function disableGoneChannels(w: WriteContext, kept: Set<number>): Promise<void> {
  const rows = await w.tx.selectFrom('channels').select(['id', 'oneapi_id', 'name', 'status']).where('oneapi_id', 'is not', null).execute();
  for (const c of rows) {
    const id = c.oneapi_id as number;
    if (kept.has(id) || c.status !== 1) continue;
    await w.tx.updateTable('channels').set({ status: 2, status_reason: 'deleted in One API', updated_at: new Date() }).where('id', '=', c.id).execute();
    w.rb.updated('channels', id, c.name, ['status'], { basis: 'disabled: deleted in One API' });
  }
}

async function insertKeys(w: WriteContext, box: SecretBox, channelId: number, keys: string[], oneapiId: number) {
  if (!keys.length) return;
  await w.tx
    .insertInto('channel_keys')
    .values(keys.map((k, position) => ({ channel_id: channelId, key_enc: box.seal(k), key_hint: hintOf(k), position })))
    .execute();
  for (let i = 0; i < keys.length; i++) w.rb.created('channel_keys', oneapiId, `channel #${oneapiId} key ${i + 1}`);
}

/** A key sealed under another master secret reads as "different", so the pool gets re-sealed. */
function openOrNull(box: SecretBox, sealed: string): string | null {
  try {
    return box.open(sealed);
  } catch {
    return null;
  }
}
