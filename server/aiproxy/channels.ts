// Channels in AI Proxy's shape (core/controller/channel.go, model/channel.go): list, get,
// create, update, status, delete — on the same services as the admin router
// (server/channels/create.ts, manage.ts). Upstream keys are never returned: `key` holds
// their hints (`sk-abcd…wxyz`, one per line), and a PUT that sends those hints back (as
// FastGPT does when it saves a channel) leaves the key pool as it is.
import type { Selectable } from 'kysely';
import * as v from 'valibot';
import type { ChannelsTable } from '../../db/schema.ts';
import { ChannelCreate, Text } from '../admin/schemas.ts';
import { nanoToUsd } from '../billing/money.ts';
import { createChannel } from '../channels/create.ts';
import { ChannelUpdate } from '../channels/inputs.ts';
import { batchChannels, setStatusByAdmin, splitKeys, updateChannel } from '../channels/manage.ts';
import type { Gateway } from '../context.ts';
import { isKnownType, providerFor } from '../relay/providers/registry.ts';
import { aiproxyTypeOf, KeyFormatError, toAiproxyType, UNSUPPORTED_AIPROXY_TYPES, unpackKey } from './channel-types.ts';
import { ApiError, parseInput } from './envelope.ts';

const int = (min: number, max: number, what: string) => v.pipe(v.number(`${what} must be a number`), v.integer(`${what} must be an integer`), v.minValue(min, `${what} must be at least ${min}`), v.maxValue(max, `${what} must be at most ${max}`));
const optionalText = v.optional(v.nullable(Text));
/** AI Proxy's map[string]string; FastGPT may send null for "none". */
const Mapping = v.optional(v.nullable(v.record(Text, Text, 'model_mapping values must be strings')));

/** AI Proxy's AddChannelRequest; fields we have no use for are accepted and ignored. */
const ChannelBody = v.object({
  type: v.optional(int(1, 2_147_483_647, 'type')),
  name: v.optional(v.pipe(Text, v.check((s) => s.trim() !== '', 'name must not be empty'))),
  key: optionalText,
  base_url: v.optional(v.nullable(v.pipe(Text, v.trim(), v.check((s) => s === '' || /^https?:\/\/[^\s]+$/.test(s), 'base_url must be an http(s) URL')))),
  proxy_url: optionalText,
  models: v.optional(v.nullable(v.array(Text, 'models must be an array of model names'))),
  model_mapping: Mapping,
  priority: v.optional(int(-2_147_483_648, 2_147_483_647, 'priority')),
  status: v.optional(int(0, 3, 'status')),
  sets: v.optional(v.nullable(v.array(Text, 'sets must be an array of names'))),
  configs: v.optional(v.nullable(v.record(v.string(), v.unknown()))),
});
type ChannelBody = v.InferOutput<typeof ChannelBody>;

export const StatusBody = v.object({ status: int(0, 3, 'status') });

/** The channel as AI Proxy's ChannelResponse serialises it (times in epoch milliseconds). */
export function channelView(row: Selectable<ChannelsTable>, hints: string[]) {
  return {
    id: row.id,
    type: toAiproxyType(row.type, row.aiproxy_type),
    name: row.name,
    key: hints.join('\n'),
    base_url: row.base_url,
    proxy_url: '',
    models: row.models,
    model_mapping: row.model_mapping,
    configs: row.config,
    sets: row.groups,
    status: row.status,
    priority: row.priority,
    created_at: row.created_at.getTime(),
    balance: row.balance === null ? 0 : Number(nanoToUsd(row.balance)),
    balance_updated_at: row.balance_updated_at?.getTime() ?? 0,
    used_amount: Number(nanoToUsd(row.used)),
    last_test_error_at: 0,
    enabled_auto_balance_check: false,
    balance_threshold: 0,
    skip_tls_verify: false,
    enabled_no_permission_ban: false,
    warn_error_rate: 0,
    max_error_rate: 0,
  };
}
export type ChannelView = ReturnType<typeof channelView>;

/** Channels (all, or one page of them, or one id) with their key hints, oldest first like AI Proxy. */
export async function listChannels(gw: Gateway, opts: { id?: number; page?: number; perPage?: number } = {}): Promise<{ channels: ChannelView[]; total: number }> {
  const { db } = gw.db;
  let q = db.selectFrom('channels').selectAll().orderBy('id');
  if (opts.id !== undefined) q = q.where('id', '=', opts.id);
  if (opts.page && opts.perPage) q = q.limit(opts.perPage).offset((opts.page - 1) * opts.perPage);
  const [rows, total] = await Promise.all([
    q.execute(),
    opts.id !== undefined ? Promise.resolve(null) : db.selectFrom('channels').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const hints = await keyHints(gw, rows.map((r) => r.id));
  return { channels: rows.map((r) => channelView(r, hints.get(r.id) ?? [])), total: total ? Number(total.n) : rows.length };
}

async function keyHints(gw: Gateway, ids: number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (!ids.length) return out;
  const keys = await gw.db.db.selectFrom('channel_keys').select(['channel_id', 'key_hint']).where('channel_id', 'in', ids).orderBy('position').orderBy('id').execute();
  for (const k of keys) out.set(k.channel_id, [...(out.get(k.channel_id) ?? []), k.key_hint]);
  return out;
}

export async function getChannel(gw: Gateway, id: number): Promise<ChannelView> {
  const [ch] = (await listChannels(gw, { id })).channels;
  if (!ch) throw notFound(id);
  return ch;
}

const notFound = (id: number) => new ApiError(404, `channel ${id} not found: record not found`);

/** AI Proxy type → ours, refusing types with no vendor here. */
function oursOf(aiproxyType: number): number {
  const t = aiproxyTypeOf(aiproxyType);
  if (t && isKnownType(t.ours)) return t.ours;
  const why = UNSUPPORTED_AIPROXY_TYPES[aiproxyType];
  throw new ApiError(400, why
    ? `invalid channel type: ${aiproxyType} (${why}) is not supported by this gateway`
    : `invalid channel type: ${aiproxyType}; GET /api/channels/type_metas lists the supported types`);
}

/** Settings AI Proxy sends in `configs` that our provider also has (string values only). */
function configOf(ours: number, configs: ChannelBody['configs']): Record<string, string> {
  const names = new Set((providerFor(ours).configFields ?? []).map((f) => f.name));
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(configs ?? {})) {
    if (names.has(k) && (typeof val === 'string' || typeof val === 'number' || typeof val === 'boolean')) out[k] = String(val);
  }
  return out;
}

function unpack(aiproxyType: number, key: string) {
  try {
    return unpackKey(aiproxyType, key);
  } catch (e) {
    if (e instanceof KeyFormatError) throw new ApiError(400, `invalid key: ${e.message}`);
    throw e;
  }
}

function refuseProxyUrl(body: ChannelBody): void {
  if (body.proxy_url?.trim()) throw new ApiError(400, 'proxy_url is not supported: this gateway reaches upstreams directly (set HTTPS_PROXY for the whole process instead).');
}

/** `POST /api/channel/`: one channel; several keys (one per line) become its key pool. */
export async function addChannel(gw: Gateway, raw: unknown): Promise<{ id: number }> {
  const body = parseInput(ChannelBody, raw);
  if (body.type === undefined) throw new ApiError(400, 'type is required');
  if (body.name === undefined) throw new ApiError(400, 'name is required');
  refuseProxyUrl(body);
  const ours = oursOf(body.type);
  const meta = aiproxyTypeOf(body.type)!;
  const { key, config } = unpack(body.type, body.key ?? '');
  const input = parseInput(ChannelCreate, {
    name: body.name,
    type: ours,
    baseUrl: body.base_url || meta.defaultBaseUrl || meta.baseUrlFor?.(config) || '',
    key,
    // AI Proxy allows a channel with no models (it serves nothing); the console's schema does not.
    models: body.models?.length ? body.models : ['-'],
    mapping: body.model_mapping ?? {},
    priority: body.priority ?? 0,
    groups: body.sets?.length ? body.sets : ['default'],
    config: { ...configOf(ours, body.configs), ...config },
  });
  // FastGPT finds a channel it created by its exact name: keep it as sent.
  input.name = body.name;
  if (!body.models?.length) input.models = [];
  const created = await createChannel(gw, input, { status: body.status === 2 || body.status === 3 ? 2 : 1, aiproxyType: body.type });
  await gw.invalidate();
  return { id: created.id };
}

/** `PUT /api/channel/:id`: fields sent replace the stored ones; fields left out stay. */
export async function putChannel(gw: Gateway, id: number, raw: unknown): Promise<ChannelView> {
  const body = parseInput(ChannelBody, raw);
  refuseProxyUrl(body);
  const current = await gw.db.db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
  if (!current) throw notFound(id);
  const aiproxyType = body.type ?? toAiproxyType(current.type, current.aiproxy_type);
  const ours = body.type !== undefined ? oursOf(body.type) : current.type;
  const hints = (await keyHints(gw, [id])).get(id) ?? [];
  // Empty, or the hints we handed out: the pool stays. Anything else replaces it.
  const keyText = body.key?.trim() ?? '';
  const keepKeys = keyText === '' || keyText === hints.join('\n').trim() || keyText.includes('…');
  let addKeys: string | undefined;
  let removeKeyIds: number[] | undefined;
  let keyConfig: Record<string, string> = {};
  if (!keepKeys) {
    const unpacked = unpack(aiproxyType, keyText);
    keyConfig = unpacked.config;
    const wanted = new Set(splitKeys(unpacked.key));
    const pool = gw.store.channel(id)?.keys ?? [];
    removeKeyIds = pool.filter((k) => !wanted.has(k.key)).map((k) => k.id);
    // Keys the in-memory pool lacks (a reload is pending) are found by updateChannel itself.
    addKeys = [...wanted].join('\n');
  }
  const config = body.configs !== undefined || Object.keys(keyConfig).length
    ? { ...current.config, ...configOf(ours, body.configs), ...keyConfig }
    : undefined;
  // AI Proxy's own columns and what the console's schema refuses (no models: FastGPT unbinds a
  // deleted model from every channel, the last one included) are written here; the rest below.
  const direct: { aiproxy_type?: number; models?: string[] } = {};
  if (body.type !== undefined) direct.aiproxy_type = body.type;
  if (body.models !== undefined && body.models !== null && !body.models.some((m) => m.trim())) direct.models = [];
  if (Object.keys(direct).length) await gw.db.db.updateTable('channels').set(direct).where('id', '=', id).execute();
  await updateChannel(gw, parseInput(ChannelUpdate, {
    id,
    name: body.name,
    type: body.type !== undefined ? ours : undefined,
    baseUrl: body.base_url ?? undefined,
    models: direct.models ? undefined : (body.models ?? undefined),
    mapping: body.model_mapping === undefined ? undefined : (body.model_mapping ?? {}),
    priority: body.priority,
    groups: body.sets === undefined ? undefined : (body.sets?.length ? body.sets : ['default']),
    config,
    addKeys,
    removeKeyIds,
  }));
  if (body.name !== undefined && body.name !== body.name.trim()) {
    // updateChannel trims names; FastGPT matches channels by the exact name it sent.
    await gw.db.db.updateTable('channels').set({ name: body.name }).where('id', '=', id).execute();
  }
  if (body.status !== undefined) await setStatus(gw, id, body.status, current.status);
  return getChannel(gw, id);
}

/** `POST /api/channel/:id/status`: 1 enables, 2 (and 3, AI Proxy's auto-disabled) disables by hand. */
export async function setStatus(gw: Gateway, id: number, status: number, current?: number): Promise<void> {
  if (status === 0) throw new ApiError(400, 'status must be 1 (enabled) or 2 (disabled)');
  const enable = status === 1;
  if (current !== undefined && (current === 1) === enable) return;
  if (!(await setStatusByAdmin(gw, id, enable, enable ? undefined : 'disabled through the AI Proxy API'))) throw notFound(id);
}

const BatchIds = v.union([
  v.pipe(v.array(int(1, 2_147_483_647, 'id')), v.minLength(1, 'at least one channel id is required'), v.maxLength(1000)),
  v.pipe(v.object({ ids: v.array(int(1, 2_147_483_647, 'id')) }), v.transform((o) => o.ids), v.minLength(1, 'at least one channel id is required'), v.maxLength(1000)),
], 'the body must be an array of channel ids or {"ids": [...]}');

/** `POST /api/channels/batch_delete`: AI Proxy takes `[ids]`; FastGPT's newer client sends `{ ids }`. */
export async function batchDelete(gw: Gateway, raw: unknown): Promise<number> {
  const ids = parseInput(BatchIds, raw);
  return (await batchChannels(gw, { action: 'delete', ids })).changed;
}

/** `POST /api/channels/batch_status` `{ ids, status }`. */
export async function batchStatus(gw: Gateway, raw: unknown): Promise<number> {
  const { ids, status } = parseInput(v.object({ ids: BatchIds, status: int(0, 3, 'status') }), raw);
  if (status === 0) throw new ApiError(400, 'status must be 1 (enabled) or 2 (disabled)');
  return (await batchChannels(gw, { action: status === 1 ? 'enable' : 'disable', ids })).changed;
}

/** `DELETE /api/channel/:id`. */
export async function deleteChannel(gw: Gateway, id: number): Promise<void> {
  const { changed } = await batchChannels(gw, { action: 'delete', ids: [id] });
  if (!changed) throw notFound(id);
}
