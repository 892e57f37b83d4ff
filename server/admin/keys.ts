import * as v from 'valibot';
import { TRPCError } from '@trpc/server';
import { usdToNano } from '../billing/money.ts';
import { hashClientKey, hintOf, newClientKey } from '../secrets/crypto.ts';
import { KeyCreate } from './schemas.ts';
import { adminProcedure, mutate, router } from './trpc.ts';

export const keysRouter = router({
  /** Returns the full key once; only its hash and hint are stored. */
  create: adminProcedure.input(KeyCreate).mutation(({ ctx, input }) => mutate(ctx, async () => {
    const { db } = ctx.gw.db;
    const owner = input.user === undefined
      ? await db.selectFrom('users').select(['id', 'username']).where('role', '=', 'root').orderBy('id').executeTakeFirst()
      : await db.selectFrom('users').select(['id', 'username'])
          .where(typeof input.user === 'number' || /^\d+$/.test(input.user) ? 'id' : 'username', '=', typeof input.user === 'number' || /^\d+$/.test(input.user) ? Number(input.user) as never : input.user as never)
          .executeTakeFirst();
    if (!owner) throw new TRPCError({ code: 'NOT_FOUND', message: `user ${input.user ?? '(root)'} not found` });
    const key = newClientKey();
    const row = await db.insertInto('api_keys').values({
      user_id: owner.id, name: input.name, key_hash: hashClientKey(key), key_hint: hintOf(key),
      budget: input.budgetUsd ? usdToNano(input.budgetUsd) : null, models: input.models?.length ? input.models : null,
      expires_at: input.expiresAt ?? null, period: null, period_budget: null, period_start: null,
      ip_allow: null, groups: null, rpm: null, tpm: null, oneapi_id: null, last_used_at: null,
    }).returning('id').executeTakeFirstOrThrow();
    return { id: row.id, key, user: owner.username };
  })),

  setStatus: adminProcedure
    .input(v.object({ id: v.pipe(v.number(), v.integer()), status: v.picklist([1, 2], 'status must be 1 (enabled) or 2 (disabled)') }))
    .mutation(({ ctx, input }) => mutate(ctx, async () => {
      const r = await ctx.gw.db.db.updateTable('api_keys').set({ status: input.status }).where('id', '=', input.id).executeTakeFirst();
      if (!r.numUpdatedRows) throw new TRPCError({ code: 'NOT_FOUND', message: `key ${input.id} not found` });
      return { id: input.id, status: input.status };
    })),

  list: adminProcedure.query(async ({ ctx }) => {
    const rows = await ctx.gw.db.db.selectFrom('api_keys')
      .select(['id', 'user_id', 'name', 'key_hint', 'status', 'budget', 'used', 'models', 'expires_at', 'created_at', 'last_used_at'])
      .orderBy('id').execute();
    return rows.map((k) => ({ ...k, used: ctx.gw.accounts.keyUsed(k.id) }));
  }),
});
