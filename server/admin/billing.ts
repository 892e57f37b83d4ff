// Money views and credits: balance, ledger, bills (by model, day or key over a range),
// top-ups and refunds, redemption codes and the billing timezone. Users see and redeem for
// their own account; admins for anyone. Balance adjustments are users.adjustBalance.
import { TRPCError } from '@trpc/server';
import { sql } from 'kysely';
import * as v from 'valibot';
import { createCodes, creditUser, redeemCode } from '../billing/credits.ts';
import { usdToNano } from '../billing/money.ts';
import { MarginBy, marginReport } from '../billing/margin.ts';
import { billingSettings, saveSettings, SETTING } from '../billing/settings.ts';
import { BigId, Id, int4, Text, UsdAmount } from './schemas.ts';
import { accountOf, adminProcedure, mutate, noteAudit, ownerFilter, type Principal, router, userProcedure } from './trpc.ts';

const When = v.pipe(v.union([v.string(), v.date()]), v.transform((x) => new Date(x)), v.check((d) => !Number.isNaN(d.getTime()), 'must be a date or ISO timestamp'));
const Positive = v.pipe(UsdAmount, v.check((s) => /[1-9]/.test(s), 'must be more than zero'));
const Reason = v.pipe(Text, v.trim(), v.nonEmpty('a reason is required'), v.maxLength(500));

/** The account a query is about: a user's own, or any (optionally one) for admins. */
function scope(p: Principal, userId: number | undefined): number | undefined {
  const own = ownerFilter({ principal: p });
  if (own !== null && userId !== undefined && userId !== own) throw new TRPCError({ code: 'FORBIDDEN', message: 'You can only see your own account.' });
  return own ?? userId;
}

const GROUPS = {
  model: sql<string>`model`,
  day: sql<string>`to_char(created_at AT TIME ZONE billing_timezone(), 'YYYY-MM-DD')`,
  key: sql<string>`coalesce(key_id::text, '')`,
};

const codesRouter = router({
  /** Codes in One API's format (32 hex). Returned here once; only their hashes are stored. */
  create: adminProcedure
    .input(v.object({ name: v.optional(v.pipe(Text, v.trim(), v.maxLength(100)), ''), amountUsd: Positive, count: v.optional(int4(1, 1000), 1) }))
    .mutation(async ({ ctx, input }) => {
      const codes = await createCodes(ctx.gw.db.db, { name: input.name, amount: usdToNano(input.amountUsd), count: input.count, actor: ctx.actor.name });
      noteAudit(ctx, { target: `redemption_codes#${codes[0]!.id}..${codes.at(-1)!.id}`, after: { count: codes.length, name: input.name, amountUsd: input.amountUsd } });
      return { codes };
    }),

  /** Newest first, with who redeemed each code; `before` (an id) pages back. */
  list: adminProcedure
    .input(v.optional(v.object({
      status: v.optional(v.picklist([1, 2, 3])),
      name: v.optional(Text),
      before: v.optional(Id),
      limit: v.optional(int4(1, 1000), 100),
      offset: v.optional(int4(0), 0),
    }), {}))
    .query(({ ctx, input }) => {
      let q = ctx.gw.db.db.selectFrom('redemption_codes as c').leftJoin('users as u', 'u.id', 'c.redeemed_by')
        .select(['c.id', 'c.name', 'c.code_hint', 'c.amount', 'c.status', 'c.created_by', 'c.created_at', 'c.redeemed_at', 'c.redeemed_by', 'u.username as redeemed_by_name'])
        .orderBy('c.id', 'desc').limit(input.limit).offset(input.offset);
      if (input.status !== undefined) q = q.where('c.status', '=', input.status);
      if (input.name) q = q.where('c.name', '=', input.name);
      if (input.before !== undefined) q = q.where('c.id', '<', input.before);
      return q.execute();
    }),

  /** Delete codes for good (used ones too: the ledger keeps the redemption itself). */
  delete: adminProcedure.input(v.object({ ids: v.pipe(v.array(Id), v.minLength(1), v.maxLength(1000)) })).mutation(async ({ ctx, input }) => {
    const rows = await ctx.gw.db.db.deleteFrom('redemption_codes').where('id', 'in', input.ids).returning(['id', 'name', 'status']).execute();
    noteAudit(ctx, { target: `redemption_codes#${input.ids.join(',')}`, before: rows });
    return { deleted: rows.map((r) => r.id) };
  }),

  /** Disable unused codes (used ones are history and stay as they are). */
  disable: adminProcedure.input(v.object({ ids: v.pipe(v.array(Id), v.minLength(1)) })).mutation(async ({ ctx, input }) => {
    const rows = await ctx.gw.db.db.updateTable('redemption_codes').set({ status: 2 })
      .where('id', 'in', input.ids).where('status', '=', 1).returning('id').execute();
    return { disabled: rows.map((r) => r.id) };
  }),
});

export const billingRouter = router({
  /** Live balance: the database figure less this instance's unflushed spend. */
  balance: userProcedure.input(v.optional(v.object({ userId: v.optional(Id) }), {})).query(async ({ ctx, input }) => {
    const id = scope(ctx.principal, input.userId) ?? accountOf(ctx).userId;
    const u = await ctx.gw.db.db.selectFrom('users').select(['id', 'username', 'balance', 'used', 'leased', 'unlimited']).where('id', '=', id).executeTakeFirst();
    if (!u) throw new TRPCError({ code: 'NOT_FOUND', message: `user ${id} not found` });
    return { ...u, balance: ctx.gw.accounts.balance(u.id) };
  }),

  /** Newest first, keyset-paginated by id. */
  ledger: userProcedure
    .input(v.optional(v.object({
      userId: v.optional(Id),
      kind: v.optional(v.picklist(['topup', 'redeem', 'adjust', 'refund', 'usage', 'import'])),
      from: v.optional(When),
      to: v.optional(When),
      before: v.optional(BigId('a ledger row id')),
      limit: v.optional(int4(1, 1000), 100),
    }), {}))
    .query(({ ctx, input }) => {
      const userId = scope(ctx.principal, input.userId);
      let q = ctx.gw.db.db.selectFrom('ledger').selectAll().orderBy('id', 'desc').limit(input.limit);
      if (userId !== undefined) q = q.where('user_id', '=', userId);
      if (input.kind) q = q.where('kind', '=', input.kind);
      if (input.from) q = q.where('created_at', '>=', input.from);
      if (input.to) q = q.where('created_at', '<', input.to);
      if (input.before) q = q.where('id', '<', input.before);
      return q.execute();
    }),

  /**
   * What was spent over [from, to): cost, billed calls and tokens by model, by day (billing
   * timezone) or by key. `calls` counts billed calls only (cost > 0, or served unpriced to the
   * ADMIN_KEY account, which `unpricedCalls` also counts): calls refused before an upstream
   * answered (balance, budget, rate limit, bad request) or that cost nothing are not in it.
   * Admins also get `upstreamCost` (Σ cost prices) and `margin` (cost − upstreamCost).
   */
  bills: userProcedure
    .input(v.object({
      from: When,
      to: When,
      by: v.picklist(['model', 'day', 'key']),
      userId: v.optional(Id),
      keyId: v.optional(Id),
      model: v.optional(Text),
    }))
    .query(async ({ ctx, input }) => {
      const userId = scope(ctx.principal, input.userId);
      const group = GROUPS[input.by];
      let q = ctx.gw.db.db.selectFrom('call_logs')
        .select([
          group.as('group'),
          sql<number>`(count(*) filter (where cost > 0 or unpriced))::int`.as('calls'),
          sql<number>`coalesce(sum(prompt_tokens), 0)::int8`.as('prompt_tokens'),
          sql<number>`coalesce(sum(completion_tokens), 0)::int8`.as('completion_tokens'),
          sql<number>`coalesce(sum(cached_tokens), 0)::int8`.as('cached_tokens'),
          sql<number>`coalesce(sum(reasoning_tokens), 0)::int8`.as('reasoning_tokens'),
          sql<bigint>`coalesce(sum(cost), 0)::int8`.as('cost'),
          // Calls that ran with no price (ADMIN_KEY only): their cost of 0 is not "free".
          sql<number>`(count(*) FILTER (WHERE unpriced))::int`.as('unpriced_calls'),
          sql<string>`coalesce(sum(upstream_cost), 0)::text`.as('upstream_cost'),
        ])
        .where('created_at', '>=', input.from).where('created_at', '<', input.to)
        .groupBy(sql`1`).orderBy(sql`1`);
      if (userId !== undefined) q = q.where('user_id', '=', userId);
      if (input.keyId !== undefined) q = q.where('key_id', '=', input.keyId);
      if (input.model) q = q.where('model', '=', input.model);
      const rows = await q.execute();
      const toNum = (x: unknown) => Number(x);
      // Admins also see what the upstreams charged (cost prices) and the margin; users never do.
      const operator = ownerFilter({ principal: ctx.principal }) === null;
      const out = rows.map((r) => ({
        group: r.group, calls: r.calls, promptTokens: toNum(r.prompt_tokens), completionTokens: toNum(r.completion_tokens),
        cachedTokens: toNum(r.cached_tokens), reasoningTokens: toNum(r.reasoning_tokens), cost: BigInt(r.cost),
        unpricedCalls: r.unpriced_calls,
        ...(operator ? { upstreamCost: BigInt(r.upstream_cost), margin: BigInt(r.cost) - BigInt(r.upstream_cost) } : {}),
      }));
      const total = out.reduce((t, r) => ({
        calls: t.calls + r.calls, cost: t.cost + r.cost, unpricedCalls: t.unpricedCalls + r.unpricedCalls,
        ...(operator ? { upstreamCost: (t.upstreamCost ?? 0n) + (r.upstreamCost ?? 0n), margin: (t.margin ?? 0n) + (r.margin ?? 0n) } : {}),
      }), { calls: 0, cost: 0n, unpricedCalls: 0 } as { calls: number; cost: bigint; unpricedCalls: number; upstreamCost?: bigint; margin?: bigint });
      return { by: input.by, timezone: billingSettings(ctx.gw.store).timezone, rows: out, total };
    }),

  /**
   * The operator's margin over [from, to): revenue (what users were billed), upstream cost
   * (the channels' cost prices) and margin, by channel, model, user or day. Admins only.
   * Also as CSV: GET /api/billing/margin.csv with the same parameters.
   */
  margin: adminProcedure
    .input(v.object({ from: When, to: When, by: MarginBy, channelId: v.optional(Id), model: v.optional(Text), userId: v.optional(Id) }))
    .query(async ({ ctx, input }) => ({ by: input.by, timezone: billingSettings(ctx.gw.store).timezone, ...(await marginReport(ctx.gw.db.db, input)) })),

  /** Top-up or refund: a credit with its reason, balance and ledger row in one transaction. */
  credit: adminProcedure
    .input(v.object({ userId: Id, kind: v.optional(v.picklist(['topup', 'refund']), 'topup'), amountUsd: Positive, reason: Reason }))
    .mutation(({ ctx, input }) => mutate(ctx, async () => {
      const balance = await creditUser(ctx.gw.db.db, { userId: input.userId, amount: usdToNano(input.amountUsd), kind: input.kind, note: input.reason, actor: ctx.actor.name });
      if (balance === null) throw new TRPCError({ code: 'NOT_FOUND', message: `user ${input.userId} not found` });
      return { userId: input.userId, balance };
    })),

  /** Redeem a code for your own account (admins: for `userId`). Exactly once, whoever races for it. */
  redeem: userProcedure.input(v.object({ code: v.pipe(v.string(), v.trim(), v.regex(/^[0-9a-fA-F]{32}$/, 'must be 32 hex characters')), userId: v.optional(Id) }))
    .mutation(({ ctx, input }) => mutate(ctx, async () => {
      const userId = scope(ctx.principal, input.userId) ?? accountOf(ctx).userId;
      const r = await redeemCode(ctx.gw.db.db, { code: input.code.toLowerCase(), userId, actor: ctx.actor.name });
      if (!r.ok) {
        const why = { unknown: ['NOT_FOUND', 'This redemption code does not exist.'], used: ['CONFLICT', 'This redemption code has already been used.'], disabled: ['FORBIDDEN', 'This redemption code is disabled.'], no_user: ['NOT_FOUND', `user ${userId} not found`] } as const;
        throw new TRPCError({ code: why[r.reason][0], message: why[r.reason][1] });
      }
      return { userId, amount: r.amount, balance: r.balance };
    })),

  codes: codesRouter,

  settings: adminProcedure.query(({ ctx }) => ({ timezone: billingSettings(ctx.gw.store).timezone })),

  /** Calendar periods of key budgets and daily bills use this IANA timezone. */
  setTimezone: adminProcedure
    .input(v.object({ timezone: v.pipe(v.string(), v.trim(), v.check(validZone, 'must be an IANA timezone such as UTC or Asia/Shanghai')) }))
    .mutation(({ ctx, input }) => mutate(ctx, async () => {
      // Postgres applies it (billing_period_start), so Postgres must know the zone too.
      await sql`SELECT now() AT TIME ZONE ${input.timezone}`.execute(ctx.gw.db.db).catch(() => {
        throw new TRPCError({ code: 'BAD_REQUEST', message: `The database does not know the timezone "${input.timezone}".` });
      });
      await saveSettings(ctx.gw.db.db, { [SETTING.timezone]: input.timezone });
      return { timezone: input.timezone };
    })),
});

function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
