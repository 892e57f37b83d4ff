// The price table, per-channel prices, group multipliers and the missing-price policy.
// Inputs are USD (per 1M tokens, per image, per 1M characters, per minute); storage is
// nano-USD (server/billing/pricing.ts).
import { TRPCError } from '@trpc/server';
import { sql } from 'kysely';
import * as v from 'valibot';
import { usdToNano } from '../billing/money.ts';
import type { PriceExtra } from '../billing/pricing.ts';
import { billingSettings, type FallbackPriceValue, saveSettings, SETTING } from '../billing/settings.ts';
import { Id, int4, PriceSet, Text, TokenPriceFields, UsdAmount } from './schemas.ts';
import { adminProcedure, mutate, router, userProcedure } from './trpc.ts';

const nanoStr = (usd: string) => usdToNano(usd).toString();
const opt = (x: string | undefined) => (x === undefined ? null : usdToNano(x));

/** Prices in other units; every amount in USD. Absent: the stored extras are kept. */
const PriceExtraInput = v.object({
  defaultMaxTokens: v.optional(int4(1)),
  /** USD per image by `"<size>|<quality>"`, `"<size>"` or `"*"`. */
  image: v.optional(v.record(v.pipe(Text, v.nonEmpty()), UsdAmount)),
  ttsUsdPerMChars: v.optional(UsdAmount),
  sttUsdPerMinute: v.optional(UsdAmount),
  perSearchUsd: v.optional(UsdAmount),
  longContext: v.optional(v.object({
    threshold: int4(1),
    ...TokenPriceFields,
  })),
});

const PriceInput = v.object({ ...PriceSet.entries, extra: v.optional(PriceExtraInput), source: v.optional(v.pipe(Text, v.maxLength(500))) });
type PriceInputT = v.InferOutput<typeof PriceInput>;

function extraOf(x: v.InferOutput<typeof PriceExtraInput>): PriceExtra {
  const out: PriceExtra = {};
  if (x.defaultMaxTokens !== undefined) out.default_max_tokens = x.defaultMaxTokens;
  if (x.image) out.image = Object.fromEntries(Object.entries(x.image).map(([k, usd]) => [k, nanoStr(usd)]));
  if (x.ttsUsdPerMChars !== undefined) out.tts_per_m_chars = nanoStr(x.ttsUsdPerMChars);
  if (x.sttUsdPerMinute !== undefined) out.stt_per_minute = nanoStr(x.sttUsdPerMinute);
  if (x.perSearchUsd !== undefined) out.per_search = nanoStr(x.perSearchUsd);
  const lc = x.longContext;
  if (lc) {
    out.long_context = {
      threshold: lc.threshold, input: nanoStr(lc.inputUsdPerM), output: nanoStr(lc.outputUsdPerM),
      ...(lc.cacheReadUsdPerM !== undefined ? { cache_read: nanoStr(lc.cacheReadUsdPerM) } : {}),
      ...(lc.cacheWrite5mUsdPerM !== undefined ? { cache_write_5m: nanoStr(lc.cacheWrite5mUsdPerM) } : {}),
      ...(lc.cacheWrite1hUsdPerM !== undefined ? { cache_write_1h: nanoStr(lc.cacheWrite1hUsdPerM) } : {}),
    };
  }
  return out;
}

/** Price columns from an input; `extra` only when given, so an edit of token prices keeps the rest. */
function priceColumns(input: PriceInputT) {
  return {
    input: usdToNano(input.inputUsdPerM), output: usdToNano(input.outputUsdPerM),
    cache_read: opt(input.cacheReadUsdPerM), cache_write_5m: opt(input.cacheWrite5mUsdPerM),
    cache_write_1h: opt(input.cacheWrite1hUsdPerM), per_request: opt(input.perRequestUsd),
    ...(input.extra ? { extra: extraOf(input.extra) as Record<string, unknown> } : {}),
    updated_at: new Date(),
  };
}

const Model = v.pipe(Text, v.trim(), v.nonEmpty('model is required'));
const ChannelId = Id;
/** A multiplier such as "0.8" or 1.25, up to 6 decimals. */
const Multiplier = v.pipe(v.union([v.string(), v.number()]), v.transform(String), v.regex(/^\d+(\.\d{1,6})?$/, 'must be a non-negative number with at most 6 decimals, e.g. 0.8'));

const channelPrices = router({
  /** A channel's own price for a model; it wins over the price table for calls that channel serves. */
  set: adminProcedure.input(v.object({ ...PriceInput.entries, channelId: ChannelId })).mutation(({ ctx, input }) => mutate(ctx, async () => {
    const { db } = ctx.gw.db;
    const channel = await db.selectFrom('channels').select('id').where('id', '=', input.channelId).executeTakeFirst();
    if (!channel) throw new TRPCError({ code: 'NOT_FOUND', message: `channel ${input.channelId} not found` });
    const cols = priceColumns(input);
    await db.insertInto('channel_prices').values({ channel_id: input.channelId, model: input.model, extra: {}, ...cols })
      .onConflict((oc) => oc.columns(['channel_id', 'model']).doUpdateSet(cols)).execute();
    return { channelId: input.channelId, model: input.model };
  })),

  remove: adminProcedure.input(v.object({ channelId: ChannelId, model: Model })).mutation(({ ctx, input }) => mutate(ctx, async () => {
    const r = await ctx.gw.db.db.deleteFrom('channel_prices').where('channel_id', '=', input.channelId).where('model', '=', input.model).executeTakeFirst();
    if (!r.numDeletedRows) throw new TRPCError({ code: 'NOT_FOUND', message: `channel ${input.channelId} has no own price for "${input.model}"` });
    return { channelId: input.channelId, model: input.model };
  })),

  list: adminProcedure.input(v.optional(v.object({ channelId: v.optional(ChannelId) }), {})).query(({ ctx, input }) => {
    let q = ctx.gw.db.db.selectFrom('channel_prices').selectAll().orderBy('channel_id').orderBy('model');
    if (input.channelId !== undefined) q = q.where('channel_id', '=', input.channelId);
    return q.execute();
  }),
});

/**
 * Cost prices: what an upstream charges the operator for a channel's calls (input, output,
 * cached, cache write, per request), apart from the sale prices users pay. `model` is the
 * client's model name, or `*` for every model of the channel; a model's own row wins.
 * Each call logs its cost price as call_logs.upstream_cost (docs/billing.md, "Margin").
 */
const channelCosts = router({
  set: adminProcedure.input(v.object({ ...PriceInput.entries, channelId: ChannelId })).mutation(({ ctx, input }) => mutate(ctx, async () => {
    const { db } = ctx.gw.db;
    const channel = await db.selectFrom('channels').select('id').where('id', '=', input.channelId).executeTakeFirst();
    if (!channel) throw new TRPCError({ code: 'NOT_FOUND', message: `channel ${input.channelId} not found` });
    const cols = priceColumns(input);
    await db.insertInto('channel_cost_prices').values({ channel_id: input.channelId, model: input.model, extra: {}, ...cols })
      .onConflict((oc) => oc.columns(['channel_id', 'model']).doUpdateSet(cols)).execute();
    return { channelId: input.channelId, model: input.model };
  })),

  remove: adminProcedure.input(v.object({ channelId: ChannelId, model: Model })).mutation(({ ctx, input }) => mutate(ctx, async () => {
    const r = await ctx.gw.db.db.deleteFrom('channel_cost_prices').where('channel_id', '=', input.channelId).where('model', '=', input.model).executeTakeFirst();
    if (!r.numDeletedRows) throw new TRPCError({ code: 'NOT_FOUND', message: `channel ${input.channelId} has no cost price for "${input.model}"` });
    return { channelId: input.channelId, model: input.model };
  })),

  list: adminProcedure.input(v.optional(v.object({ channelId: v.optional(ChannelId) }), {})).query(({ ctx, input }) => {
    let q = ctx.gw.db.db.selectFrom('channel_cost_prices').selectAll().orderBy('channel_id').orderBy('model');
    if (input.channelId !== undefined) q = q.where('channel_id', '=', input.channelId);
    return q.execute();
  }),
});

const groups = router({
  list: adminProcedure.query(({ ctx }) => ctx.gw.db.db.selectFrom('groups').selectAll().orderBy('name').execute()),

  /** Create or change a group; its multiplier applies to every call of its users (vip at 0.8). */
  set: adminProcedure
    .input(v.object({ name: v.pipe(v.string(), v.trim(), v.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits or _.-')), multiplier: Multiplier, description: v.optional(Text) }))
    .mutation(({ ctx, input }) => mutate(ctx, async () => {
      const ppm = Number(usdToNano(input.multiplier) / 1000n);
      if (ppm > 2_147_483_647) throw new TRPCError({ code: 'BAD_REQUEST', message: 'multiplier is too large' });
      const row = { multiplier_ppm: ppm, ...(input.description !== undefined ? { description: input.description } : {}) };
      await ctx.gw.db.db.insertInto('groups').values({ name: input.name, ...row }).onConflict((oc) => oc.column('name').doUpdateSet(row)).execute();
      return { name: input.name, multiplierPpm: ppm };
    })),

  remove: adminProcedure.input(v.object({ name: v.string() })).mutation(({ ctx, input }) => mutate(ctx, async () => {
    if (input.name === 'default') throw new TRPCError({ code: 'BAD_REQUEST', message: 'The default group cannot be removed.' });
    const users = await ctx.gw.db.db.selectFrom('users').select(sql<number>`count(*)::int`.as('n')).where('group_name', '=', input.name).executeTakeFirstOrThrow();
    if (users.n) throw new TRPCError({ code: 'BAD_REQUEST', message: `${users.n} user(s) are in group "${input.name}"; move them first.` });
    await ctx.gw.db.db.deleteFrom('groups').where('name', '=', input.name).execute();
    return { name: input.name };
  })),
});

const FallbackInput = v.object({
  ...TokenPriceFields,
  perRequestUsd: v.optional(UsdAmount),
  extra: v.optional(PriceExtraInput),
});

export const pricesRouter = router({
  /** Create or edit a model's price: tokens (USD per 1M) and, with `extra`, every other unit. */
  set: adminProcedure.input(PriceInput).mutation(({ ctx, input }) => mutate(ctx, async () => {
    const cols = { ...priceColumns(input), source: input.source ?? 'admin' };
    await ctx.gw.db.db.insertInto('prices').values({ model: input.model, extra: {}, ...cols })
      .onConflict((oc) => oc.column('model').doUpdateSet(cols)).execute();
    return { model: input.model };
  })),

  remove: adminProcedure.input(v.object({ model: Model })).mutation(({ ctx, input }) => mutate(ctx, async () => {
    const r = await ctx.gw.db.db.deleteFrom('prices').where('model', '=', input.model).executeTakeFirst();
    if (!r.numDeletedRows) throw new TRPCError({ code: 'NOT_FOUND', message: `no price for "${input.model}"` });
    return { model: input.model };
  })),

  list: adminProcedure.query(({ ctx }) => ctx.gw.db.db.selectFrom('prices').selectAll().orderBy('model').execute()),

  /**
   * The models the caller can call (an enabled channel in their group serves it) with the
   * price they pay: list price × their group's multiplier, in nano-USD per 1M tokens. ADMIN_KEY
   * sees every served model at list price. `price: null` means unpriced (see `missingPrice`).
   */
  available: userProcedure.query(async ({ ctx }) => {
    const user = ctx.principal.kind === 'admin-key' ? null : ctx.gw.store.user(ctx.principal.userId) ?? null;
    const group = user?.group ?? null;
    const models = [...ctx.gw.store.models()].filter((m) => (ctx.gw.store.routes(m) ?? [])
      .some((tier) => tier.channels.some((c) => c.status === 1 && (group === null || c.groups.has(group))))).sort();
    const rows = models.length ? await ctx.gw.db.db.selectFrom('prices').selectAll().where('model', 'in', models).execute() : [];
    const prices = new Map(rows.map((r) => [r.model, r]));
    const ppm = BigInt(group === null ? 1_000_000 : ctx.gw.store.groupMultiplierPpm(group));
    const scaled = (x: bigint | null) => (x === null ? null : (BigInt(x) * ppm) / 1_000_000n);
    const settings = billingSettings(ctx.gw.store);
    return {
      group, multiplierPpm: Number(ppm), missingPrice: settings.missingPrice,
      models: models.map((model) => {
        const p = prices.get(model);
        return {
          model,
          price: p ? { input: scaled(p.input)!, output: scaled(p.output)!, cacheRead: scaled(p.cache_read), perRequest: scaled(p.per_request) } : null,
        };
      }),
    };
  }),

  channel: channelPrices,
  /** Cost prices per channel (× model): what upstreams charge the operator. */
  cost: channelCosts,
  groups,

  /** What happens to a model with no price: 'reject' (default) or 'fallback' to the configured price. */
  policy: adminProcedure.query(({ ctx }) => {
    const s = billingSettings(ctx.gw.store);
    return { missingPrice: s.missingPrice, fallback: ctx.gw.store.settings().get(SETTING.fallbackPrice) ?? null };
  }),

  setPolicy: adminProcedure
    .input(v.object({ missingPrice: v.picklist(['reject', 'fallback'], "must be 'reject' or 'fallback'"), fallback: v.optional(FallbackInput) }))
    .mutation(({ ctx, input }) => mutate(ctx, async () => {
      const stored = ctx.gw.store.settings().get(SETTING.fallbackPrice);
      if (input.missingPrice === 'fallback' && !input.fallback && !stored) {
        throw new TRPCError({ code: 'BAD_REQUEST', message: "The 'fallback' policy needs a fallback price: unpriced models are never free." });
      }
      const fallback: FallbackPriceValue | undefined = input.fallback && {
        input: nanoStr(input.fallback.inputUsdPerM), output: nanoStr(input.fallback.outputUsdPerM),
        ...(input.fallback.cacheReadUsdPerM !== undefined ? { cache_read: nanoStr(input.fallback.cacheReadUsdPerM) } : {}),
        ...(input.fallback.cacheWrite5mUsdPerM !== undefined ? { cache_write_5m: nanoStr(input.fallback.cacheWrite5mUsdPerM) } : {}),
        ...(input.fallback.cacheWrite1hUsdPerM !== undefined ? { cache_write_1h: nanoStr(input.fallback.cacheWrite1hUsdPerM) } : {}),
        ...(input.fallback.perRequestUsd !== undefined ? { per_request: nanoStr(input.fallback.perRequestUsd) } : {}),
        ...(input.fallback.extra ? { extra: extraOf(input.fallback.extra) as Record<string, unknown> } : {}),
      };
      await saveSettings(ctx.gw.db.db, { [SETTING.missingPrice]: input.missingPrice, [SETTING.fallbackPrice]: fallback });
      return { missingPrice: input.missingPrice };
    })),
});
