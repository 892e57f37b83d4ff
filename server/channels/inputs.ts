// Input schemas of the channel admin procedures (create, update, bulk operations).
import * as v from 'valibot';
import { Id, int4, ModelList, Text, TextRecord } from '../util/fields.ts';
import { ParamOverrideSchema } from '../relay/overrides.ts';

export const ChannelCreate = v.object({
  name: v.pipe(Text, v.trim(), v.nonEmpty('name is required')),
  type: int4(1),
  baseUrl: v.optional(v.pipe(Text, v.trim(), v.check((s) => s === '' || /^https?:\/\/[^\s]+$/.test(s), 'must be an http(s) URL')), ''),
  /** One key per line; may be empty only for a vendor that takes no key (Ollama). */
  key: v.optional(v.pipe(Text, v.trim()), ''),
  models: v.pipe(ModelList, v.minLength(1, 'at least one model is required')),
  priority: v.optional(int4(), 0),
  weight: v.optional(int4(0), 1),
  mapping: v.optional(TextRecord, {}),
  groups: v.optional(ModelList, ['default']),
  config: v.optional(TextRecord, {}),
});

const Ids = v.pipe(v.array(Id), v.minLength(1, 'at least one channel id is required'), v.maxLength(1000));

export const ChannelUpdate = v.object({
  id: Id,
  name: v.optional(v.pipe(Text, v.trim(), v.nonEmpty('name must not be empty'))),
  type: v.optional(int4(1)),
  baseUrl: v.optional(v.pipe(Text, v.trim(), v.check((s) => s === '' || /^https?:\/\/[^\s]+$/.test(s), 'must be an http(s) URL'))),
  models: v.optional(v.pipe(ModelList, v.minLength(1, 'at least one model is required'))),
  mapping: v.optional(TextRecord),
  priority: v.optional(int4()),
  weight: v.optional(int4(0)),
  groups: v.optional(ModelList),
  config: v.optional(TextRecord),
  headers: v.optional(TextRecord),
  paramOverride: v.optional(ParamOverrideSchema),
  /** Empty string or null removes it. */
  systemPrompt: v.optional(v.nullable(v.pipe(Text, v.maxLength(20_000)))),
  /** More upstream keys, one per line; keys already in the pool are skipped. */
  addKeys: v.optional(Text),
  removeKeyIds: v.optional(v.array(Id)),
});

export const ChannelStatusInput = v.object({ id: Id, enabled: v.boolean(), reason: v.optional(v.pipe(Text, v.maxLength(500))) });
export const KeyStatusInput = v.object({ keyId: Id, enabled: v.boolean() });

export const ChannelBatch = v.variant('action', [
  v.object({ action: v.picklist(['enable', 'disable', 'delete']), ids: Ids }),
  v.object({ action: v.literal('priority'), ids: Ids, value: int4() }),
  v.object({ action: v.literal('weight'), ids: Ids, value: int4(0) }),
]);

export const ChannelCopy = v.object({ id: Id, name: v.optional(v.pipe(Text, v.trim(), v.nonEmpty())), enabled: v.optional(v.boolean(), false) });

export const TestOne = v.object({
  id: Id,
  /** Default: `config.test_model`, else the channel's first model. */
  model: v.optional(v.pipe(Text, v.nonEmpty())),
  stream: v.optional(v.boolean(), false),
  prompt: v.optional(v.pipe(v.string(), v.nonEmpty(), v.maxLength(2000))),
});

export const TestMany = v.object({
  /** Channels to test; all channels when absent. */
  ids: v.optional(Ids),
  /** Every model of each channel, not only its test model. */
  allModels: v.optional(v.boolean(), false),
  stream: v.optional(v.boolean(), false),
  prompt: v.optional(v.pipe(v.string(), v.nonEmpty(), v.maxLength(2000))),
  concurrency: v.optional(int4(1, 32)),
  /** Wait for the whole run instead of returning its id at once. */
  wait: v.optional(v.boolean(), false),
});

export const FetchModels = v.union([
  v.object({ id: Id }),
  v.object({ type: int4(1), baseUrl: v.optional(v.string(), ''), key: v.pipe(v.string(), v.nonEmpty()), config: v.optional(v.record(v.string(), v.string()), {}) }),
]);

export const ChannelId = v.object({ id: Id });
export const RunId = v.object({ runId: v.string() });
export const TestHistory = v.object({ id: Id, limit: v.optional(int4(1, 500), 50) });
