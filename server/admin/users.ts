// Accounts: CRUD, role, status, group and balance adjustments. Rules: only root (or ADMIN_KEY)
// creates admins or changes anyone's role; an admin manages `user` accounts only, so root
// cannot be demoted, disabled or changed by an admin.
import { TRPCError } from '@trpc/server';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, Role, UsersTable } from '../../db/schema.ts';
import { hashPassword } from '../auth/passwords.ts';
import { isRoot, type Principal } from '../auth/principal.ts';
import { BalanceAdjust, IdInput, UserCreate, UserQuery, UserUpdate } from './account-schemas.ts';
import { usdToNano } from '../billing/money.ts';
import type { Gateway } from '../context.ts';
import { adminProcedure, mutate, noteAudit, router } from './trpc.ts';

/** Create an account; an opening balance is a ledger row in the same transaction. */
export async function createUser(
  db: Kysely<Database>,
  input: { username: string; displayName?: string; passwordHash: string | null; role: Role; group?: string; balance?: bigint; unlimited?: boolean; actor: string },
) {
  return db.transaction().execute(async (tx: Transaction<Database>) => {
    const balance = input.balance ?? 0n;
    const u = await tx.insertInto('users').values({
      username: input.username, display_name: input.displayName || input.username, password_hash: input.passwordHash, role: input.role,
      group_name: input.group ?? 'default', balance, unlimited: input.unlimited ?? false, rpm: null, tpm: null, oneapi_id: null,
    }).returning('id').executeTakeFirstOrThrow();
    if (balance !== 0n) {
      await tx.insertInto('ledger').values({ user_id: u.id, kind: 'topup', amount: balance, balance_after: balance, note: 'opening balance', actor: input.actor }).execute();
    }
    return u.id;
  });
}

type UserRow = Selectable<UsersTable>;

/** What the API shows of an account: never the password hash; the live balance. */
function view(gw: Gateway, u: UserRow) {
  const { password_hash, ...rest } = u;
  return { ...rest, has_password: password_hash !== null, balance: gw.accounts.balance(u.id) };
}

async function findUser(gw: Gateway, id: number): Promise<UserRow> {
  const u = await gw.db.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!u) throw new TRPCError({ code: 'NOT_FOUND', message: `user ${id} not found` });
  return u;
}

/** An admin manages `user` accounts; root and ADMIN_KEY manage every account. */
function assertMayManage(p: Principal, target: UserRow): void {
  if (isRoot(p)) return;
  if (target.role === 'root') throw new TRPCError({ code: 'FORBIDDEN', message: 'Admins cannot modify the root account.' });
  if (target.role === 'admin') throw new TRPCError({ code: 'FORBIDDEN', message: 'Only root can modify admin accounts.' });
}

export const usersRouter = router({
  list: adminProcedure.input(UserQuery).query(async ({ ctx, input }) => {
    let q = ctx.gw.db.db.selectFrom('users').selectAll().orderBy('id').limit(input.limit).offset(input.offset);
    if (input.search) q = q.where((eb) => eb.or([eb('username', 'ilike', `%${input.search}%`), eb('display_name', 'ilike', `%${input.search}%`)]));
    if (input.role) q = q.where('role', '=', input.role);
    if (input.status) q = q.where('status', '=', input.status);
    return (await q.execute()).map((u) => view(ctx.gw, u));
  }),

  get: adminProcedure.input(IdInput).query(async ({ ctx, input }) => view(ctx.gw, await findUser(ctx.gw, input.id))),

  create: adminProcedure.input(UserCreate).mutation(({ ctx, input }) => mutate(ctx, async () => {
    if (input.role === 'admin' && !isRoot(ctx.principal)) throw new TRPCError({ code: 'FORBIDDEN', message: 'Only root can create admin accounts.' });
    const exists = await ctx.gw.db.db.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst();
    if (exists) throw new TRPCError({ code: 'CONFLICT', message: `user "${input.username}" already exists` });
    const id = await createUser(ctx.gw.db.db, {
      username: input.username, displayName: input.displayName,
      passwordHash: input.password ? await hashPassword(input.password) : null,
      role: input.role, group: input.group, unlimited: input.unlimited,
      balance: input.balanceUsd ? usdToNano(input.balanceUsd) : 0n,
      actor: ctx.actor.name,
    }).catch((error: unknown) => {
      // Two creates of one name at once both pass the check above; the unique index decides.
      if ((error as { code?: unknown } | null)?.code === '23505') throw new TRPCError({ code: 'CONFLICT', message: `user "${input.username}" already exists` });
      throw error;
    });
    return { id };
  })),

  update: adminProcedure.input(UserUpdate).mutation(({ ctx, input }) => mutate(ctx, async () => {
    const { db } = ctx.gw.db;
    const before = await findUser(ctx.gw, input.id);
    assertMayManage(ctx.principal, before);
    if (input.role !== undefined && input.role !== before.role) {
      if (before.role === 'root') throw new TRPCError({ code: 'BAD_REQUEST', message: 'The root account keeps its role.' });
      if (!isRoot(ctx.principal)) throw new TRPCError({ code: 'FORBIDDEN', message: 'Only root can change roles.' });
    }
    if (before.role === 'root' && input.status === 2) throw new TRPCError({ code: 'BAD_REQUEST', message: 'The root account cannot be disabled.' });
    const after = await db.updateTable('users').set({
      display_name: input.displayName, role: input.role, status: input.status, group_name: input.group, unlimited: input.unlimited,
      rpm: input.rpm, tpm: input.tpm, password_hash: input.password ? await hashPassword(input.password) : undefined, updated_at: new Date(),
    }).where('id', '=', input.id).returningAll().executeTakeFirstOrThrow();
    // A disabled account or a reset password ends every console session of that account.
    if (input.status === 2 || input.password) await ctx.gw.auth.sessions.revokeAllFor(input.id);
    noteAudit(ctx, { target: `users#${input.id}`, before, after });
    return view(ctx.gw, after);
  })),

  /** Soft delete (status 3): history (ledger, logs) stays; sessions and tokens end; keys stop working. */
  delete: adminProcedure.input(IdInput).mutation(({ ctx, input }) => mutate(ctx, async () => {
    const before = await findUser(ctx.gw, input.id);
    assertMayManage(ctx.principal, before);
    if (before.role === 'root') throw new TRPCError({ code: 'BAD_REQUEST', message: 'The root account cannot be deleted.' });
    if (ctx.principal.kind !== 'admin-key' && ctx.principal.userId === input.id) throw new TRPCError({ code: 'BAD_REQUEST', message: 'You cannot delete your own account.' });
    await ctx.gw.db.db.updateTable('users').set({ status: 3, updated_at: new Date() }).where('id', '=', input.id).execute();
    await ctx.gw.auth.sessions.revokeAllFor(input.id);
    await ctx.gw.auth.tokens.revokeAllFor(input.id);
    noteAudit(ctx, { target: `users#${input.id}`, before, after: { status: 3 } });
    return { id: input.id };
  })),

  /** Credit (positive) or debit (negative) a balance; the ledger row is in the same transaction. */
  adjustBalance: adminProcedure.input(BalanceAdjust).mutation(({ ctx, input }) => mutate(ctx, async () => {
    const target = await findUser(ctx.gw, input.id);
    assertMayManage(ctx.principal, target);
    const amount = usdToNano(input.amountUsd);
    const balanceAfter = await ctx.gw.db.db.transaction().execute(async (tx) => {
      const u = await tx.updateTable('users').set((eb) => ({ balance: eb('balance', '+', amount), updated_at: new Date() }))
        .where('id', '=', input.id).returning('balance').executeTakeFirstOrThrow();
      await tx.insertInto('ledger').values({ user_id: input.id, kind: 'adjust', amount, balance_after: u.balance, note: input.reason, actor: ctx.actor.name }).execute();
      return u.balance;
    });
    noteAudit(ctx, { target: `users#${input.id}`, before: { balance: target.balance }, after: { balance: balanceAfter, amount, reason: input.reason } });
    return { id: input.id, balance: balanceAfter };
  })),
});
