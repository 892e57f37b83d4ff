import { TRPCError } from '@trpc/server';
import { hintOf } from '../secrets/crypto.ts';
import { providerFor } from '../relay/providers/registry.ts';
import { ChannelCreate } from './schemas.ts';
import { adminProcedure, mutate, router } from './trpc.ts';

/** Split a key pool textarea: one key per line; composite keys (`AK|SK`) stay whole. */
export function splitKeys(text: string): string[] {
  return [...new Set(text.split(/\r?\n/).map((k) => k.trim()).filter(Boolean))];
}

export const channelsRouter = router({
  create: adminProcedure.input(ChannelCreate).mutation(({ ctx, input }) => mutate(ctx, async () => {
    const { db } = ctx.gw.db;
    const provider = providerFor(input.type);
    if (!input.baseUrl && !provider.defaultBaseUrl) {
      throw new TRPCError({ code: 'BAD_REQUEST', message: `baseUrl is required for channel type ${input.type}` });
    }
    return db.transaction().execute(async (tx) => {
      const ch = await tx.insertInto('channels').values({
        name: input.name, type: input.type, base_url: input.baseUrl, models: input.models,
        model_mapping: input.mapping, priority: input.priority, weight: input.weight,
        groups: input.groups, config: input.config, headers: {}, param_override: {},
        status_reason: null, system_prompt: null, balance: null, balance_updated_at: null, test_at: null,
        test_latency_ms: null, oneapi_id: null,
      }).returning('id').executeTakeFirstOrThrow();
      const keys = splitKeys(input.key);
      await tx.insertInto('channel_keys').values(keys.map((k, i) => ({
        channel_id: ch.id, key_enc: ctx.gw.box.seal(k), key_hint: hintOf(k), position: i, status_reason: null, cooldown_until: null,
      }))).execute();
      return { id: ch.id, keys: keys.length };
    });
  })),

  list: adminProcedure.query(async ({ ctx }) => {
    const { db } = ctx.gw.db;
    const [channels, keys] = await Promise.all([
      db.selectFrom('channels').selectAll().orderBy('id').execute(),
      db.selectFrom('channel_keys').select(['id', 'channel_id', 'key_hint', 'status', 'status_reason', 'cooldown_until']).orderBy('position').execute(),
    ]);
    return channels.map((c) => ({
      id: c.id, name: c.name, type: c.type, provider: providerFor(c.type).id, baseUrl: c.base_url, models: c.models,
      mapping: c.model_mapping, priority: c.priority, weight: c.weight, groups: c.groups, status: c.status,
      statusReason: c.status_reason, used: c.used, balance: c.balance,
      // Upstream keys are never returned: only their hints.
      keys: keys.filter((k) => k.channel_id === c.id).map(({ channel_id: _c, ...k }) => k),
    }));
  }),
});
