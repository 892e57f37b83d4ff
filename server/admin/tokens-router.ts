// tokens.*: personal access tokens (`sbp_…`) for scripts. A user sees and revokes their own;
// admins may look at and revoke anyone's.
import { TRPCError } from '@trpc/server';
import * as v from 'valibot';
import { accountOf, ownerFilter, router, userProcedure } from './trpc.ts';
import { Id, IdInput, TokenCreate } from './account-schemas.ts';

export const tokensRouter = router({
  /** Returns the token once; only its hash and hint are stored. */
  create: userProcedure.input(TokenCreate).mutation(async ({ ctx, input }) => {
    const me = accountOf(ctx);
    const t = await ctx.gw.auth.tokens.create(me.userId, input.name, input.expiresAt ? new Date(input.expiresAt) : null);
    return { id: t.id, token: t.token, hint: t.hint };
  }),

  /** Your tokens; admins may pass `userId` (ADMIN_KEY without one sees every token). */
  list: userProcedure.input(v.optional(v.object({ userId: v.optional(Id) }), {})).query(({ ctx, input }) => {
    const p = ctx.principal;
    const own = p.kind === 'admin-key' ? null : p.userId;
    const userId = ownerFilter(ctx) ?? input.userId ?? own;
    return ctx.gw.auth.tokens.list(userId);
  }),

  revoke: userProcedure.input(IdInput).mutation(async ({ ctx, input }) => {
    if (!(await ctx.gw.auth.tokens.revoke(input.id, ownerFilter(ctx)))) throw new TRPCError({ code: 'NOT_FOUND', message: `token ${input.id} not found` });
    return { id: input.id };
  }),
});
