// Channel changes from the admin API beyond create: update, copy, batch operations and
// per-key status. Status changes go through routing/channel-status.ts (events, health reset).
import { TRPCError } from '@trpc/server';
import type * as v from 'valibot';
import type { ChannelUpdate as ChannelsUpdate } from '../../db/schema.ts';
import type { Gateway } from '../context.ts';
import { providerFor } from '../relay/providers/registry.ts';
import { setChannelStatus } from '../routing/channel-status.ts';
import { hintOf } from '../secrets/crypto.ts';
import { assertUpstreamAllowed } from '../security/guarded-fetch.ts';
import type { ChannelBatch, ChannelCopy, ChannelUpdate } from './inputs.ts';

/** Split a key pool textarea: one key per line; composite keys (`AK|SK`) stay whole. */
export function splitKeys(text: string): string[] {
  return [...new Set(text.split(/\r?\n/).map((k) => k.trim()).filter(Boolean))];
}

export async function updateChannel(gw: Gateway, input: v.InferOutput<typeof ChannelUpdate>): Promise<{ id: number; keysAdded: number; keysRemoved: number }> {
  const { db } = gw.db;
  const current = await db.selectFrom('channels').select(['type', 'base_url']).where('id', '=', input.id).executeTakeFirst();
  if (!current) throw new TRPCError({ code: 'NOT_FOUND', message: `Channel ${input.id} does not exist.` });
  const type = input.type ?? current.type;
  const baseUrl = input.baseUrl ?? current.base_url;
  const provider = providerFor(type);
  if (!baseUrl && !provider.defaultBaseUrl) throw new TRPCError({ code: 'BAD_REQUEST', message: `baseUrl is required for channel type ${type}` });
  await assertUpstreamAllowed(baseUrl || provider.defaultBaseUrl).catch((e: Error) => {
    throw new TRPCError({ code: 'BAD_REQUEST', message: `baseUrl: ${e.message}` });
  });
  const set: ChannelsUpdate = { updated_at: new Date() };
  if (input.name !== undefined) set.name = input.name;
  if (input.type !== undefined) set.type = input.type;
  if (input.baseUrl !== undefined) set.base_url = input.baseUrl;
  if (input.models !== undefined) set.models = input.models;
  if (input.mapping !== undefined) set.model_mapping = input.mapping;
  if (input.priority !== undefined) set.priority = input.priority;
  if (input.weight !== undefined) set.weight = input.weight;
  if (input.groups !== undefined) set.groups = input.groups;
  if (input.config !== undefined) set.config = input.config;
  if (input.headers !== undefined) set.headers = input.headers;
  if (input.paramOverride !== undefined) set.param_override = input.paramOverride;
  if (input.systemPrompt !== undefined) set.system_prompt = input.systemPrompt || null;

  const existing = new Set((gw.store.channel(input.id)?.keys ?? []).map((k) => k.key));
  const added = input.addKeys ? splitKeys(input.addKeys).filter((k) => !existing.has(k)) : [];
  const result = await db.transaction().execute(async (tx) => {
    await tx.updateTable('channels').set(set).where('id', '=', input.id).execute();
    let removed = 0;
    if (input.removeKeyIds?.length) {
      const r = await tx.deleteFrom('channel_keys').where('channel_id', '=', input.id).where('id', 'in', input.removeKeyIds).executeTakeFirst();
      removed = Number(r.numDeletedRows);
    }
    if (added.length) {
      const last = await tx.selectFrom('channel_keys').select((eb) => eb.fn.max('position').as('p')).where('channel_id', '=', input.id).executeTakeFirst();
      const start = (last?.p ?? -1) + 1;
      await tx.insertInto('channel_keys').values(added.map((k, i) => ({
        channel_id: input.id, key_enc: gw.box.seal(k), key_hint: hintOf(k), position: start + i, status_reason: null, cooldown_until: null,
      }))).execute();
    }
    return { id: input.id, keysAdded: added.length, keysRemoved: removed };
  });
  await gw.invalidate();
  return result;
}

/** A copy of a channel with its key pool; disabled by hand unless asked otherwise. */
export async function copyChannel(gw: Gateway, input: v.InferOutput<typeof ChannelCopy>): Promise<{ id: number }> {
  const { db } = gw.db;
  const id = await db.transaction().execute(async (tx) => {
    const src = await tx.selectFrom('channels').selectAll().where('id', '=', input.id).executeTakeFirst();
    if (!src) throw new TRPCError({ code: 'NOT_FOUND', message: `Channel ${input.id} does not exist.` });
    const { id: _id, created_at: _c, updated_at: _u, used: _used, oneapi_id: _o, ...rest } = src;
    const ch = await tx.insertInto('channels').values({
      ...rest, name: input.name ?? `${src.name} (copy)`, status: input.enabled ? 1 : 2,
      status_reason: input.enabled ? null : `copied from channel ${src.id}`, oneapi_id: null,
    }).returning('id').executeTakeFirstOrThrow();
    const keys = await tx.selectFrom('channel_keys').select(['key_enc', 'key_hint', 'position']).where('channel_id', '=', src.id).where('status', '=', 1).execute();
    if (keys.length) {
      await tx.insertInto('channel_keys').values(keys.map((k) => ({ ...k, channel_id: ch.id, status_reason: null, cooldown_until: null }))).execute();
    }
    return ch.id;
  });
  await gw.invalidate();
  return { id };
}

export async function setKeyStatus(gw: Gateway, keyId: number, enabled: boolean): Promise<void> {
  const row = await gw.db.db.updateTable('channel_keys')
    .set({ status: enabled ? 1 : 2, status_reason: enabled ? null : 'disabled by an admin', cooldown_until: null })
    .where('id', '=', keyId).returning(['channel_id']).executeTakeFirst();
  if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: `Channel key ${keyId} does not exist.` });
  gw.routing.keys.forget(keyId);
  await gw.invalidate();
  gw.events.emit('channel.key', { channelId: row.channel_id, keyId, status: enabled ? 1 : 2, reason: enabled ? null : 'disabled by an admin', at: new Date() });
}

export async function setStatusByAdmin(gw: Gateway, id: number, enabled: boolean, reason?: string): Promise<boolean> {
  return setChannelStatus(gw, id, enabled
    ? { status: 1, reason: null, source: 'admin' }
    : { status: 2, reason: reason || 'disabled by an admin', source: 'admin' });
}

export async function batchChannels(gw: Gateway, input: v.InferOutput<typeof ChannelBatch>): Promise<{ changed: number }> {
  const { db } = gw.db;
  if (input.action === 'enable' || input.action === 'disable') {
    let changed = 0;
    for (const id of input.ids) if (await setStatusByAdmin(gw, id, input.action === 'enable')) changed++;
    return { changed };
  }
  const changed = 'value' in input
    ? Number((await db.updateTable('channels').set({ [input.action]: input.value, updated_at: new Date() }).where('id', 'in', input.ids).executeTakeFirst()).numUpdatedRows)
    : Number((await db.deleteFrom('channels').where('id', 'in', input.ids).executeTakeFirst()).numDeletedRows);
  await gw.invalidate();
  return { changed };
}
