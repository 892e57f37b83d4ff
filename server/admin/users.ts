import { TRPCError } from '@trpc/server';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { usdToNano } from '../billing/money.ts';
import { UserCreate } from './schemas.ts';
import { adminProcedure, mutate, router } from './trpc.ts';

/** Create an account; an opening balance is a ledger row in the same transaction. */
export async function createUser(
  db: Kysely<Database>,
  input: { username: string; passwordHash: string | null; role: 'root' | 'admin' | 'user'; group?: string; balance?: bigint; unlimited?: boolean; actor: string },
) {
  return db.transaction().execute(async (tx: Transaction<Database>) => {
    const balance = input.balance ?? 0n;
    const u = await tx.insertInto('users').values({
      username: input.username, display_name: input.username, password_hash: input.passwordHash, role: input.role,
      group_name: input.group ?? 'default', balance, unlimited: input.unlimited ?? false, rpm: null, tpm: null, oneapi_id: null,
    }).returning('id').executeTakeFirstOrThrow();
    if (balance !== 0n) {
      await tx.insertInto('ledger').values({ user_id: u.id, kind: 'topup', amount: balance, balance_after: balance, note: 'opening balance', actor: input.actor }).execute();
    }
    return u.id;
  });
}

export const usersRouter = router({
  create: adminProcedure.input(UserCreate).mutation(({ ctx, input }) => mutate(ctx, async () => {
    const exists = await ctx.gw.db.db.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst();
    if (exists) throw new TRPCError({ code: 'CONFLICT', message: `user "${input.username}" already exists` });
    const id = await createUser(ctx.gw.db.db, {
      username: input.username,
      passwordHash: input.password ? await Bun.password.hash(input.password) : null,
      role: input.role, group: input.group, unlimited: input.unlimited,
      balance: input.balanceUsd ? usdToNano(input.balanceUsd) : 0n,
      actor: ctx.actor.name,
    });
    return { id };
  })),

  list: adminProcedure.query(async ({ ctx }) => {
    const rows = await ctx.gw.db.db.selectFrom('users')
      .select(['id', 'username', 'display_name', 'role', 'status', 'group_name', 'balance', 'used', 'unlimited', 'created_at'])
      .orderBy('id').execute();
    // Unflushed usage is part of what the user has spent.
    return rows.map((u) => ({ ...u, balance: ctx.gw.accounts.balance(u.id) }));
  }),
});
