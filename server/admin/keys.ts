// Client keys: a user manages their own; admins manage anyone's. A key someone else owns is
// "not found" for a user, so ids of other users' keys reveal nothing.
import { TRPCError } from '@trpc/server';
import { type Selectable, sql, type Updateable } from 'kysely';
import type * as v from 'valibot';
import type { ApiKeysTable } from '../../db/schema.ts';
import { IdInput, KeyCreate, KeyQuery, KeyStatus, KeyUpdate } from './account-schemas.ts';
import { usdToNano } from '../billing/money.ts';
import type { Gateway } from '../context.ts';
import { hashClientKey, hintOf, newClientKey } from '../secrets/crypto.ts';
import { mutate, noteAudit, ownerFilter, type Principal, router, userProcedure } from './trpc.ts';

type KeyRow = Selectable<ApiKeysTable>;
type Limits = Omit<v.InferOutput<typeof KeyCreate>, 'name' | 'user'>;

/** What the API shows of a key: never its hash; live usage. */
function view(gw: Gateway, k: KeyRow) {
  const { key_hash: _hash, oneapi_id: _o, ...rest } = k;
  return { ...rest, used: gw.accounts.keyUsed(k.id) };
}

const nano = (usd: string | null | undefined) => (usd === undefined ? undefined : usd === null ? null : usdToNano(usd));
const list = (xs: string[] | null | undefined) => (xs === undefined ? undefined : xs && xs.length ? xs : null);

/** Limit fields as columns; undefined leaves a column as it is. */
function limitColumns(input: Limits, p: Principal): Updateable<ApiKeysTable> {
  if (input.groups !== undefined && ownerFilter({ principal: p }) !== null) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Only admins can set the channel groups of a key.' });
  }
  return {
    budget: nano(input.budgetUsd), period: input.period, period_budget: nano(input.periodBudgetUsd),
    expires_at: input.expiresAt, models: list(input.models), ip_allow: list(input.ipAllow), groups: list(input.groups),
    rpm: input.rpm, tpm: input.tpm,
    // A new period starts counting from zero.
    ...(input.period !== undefined ? { period_used: 0n, period_start: null } : {}),
  };
}

const LIMIT_FIELDS = ['budgetUsd', 'period', 'periodBudgetUsd', 'expiresAt', 'models', 'ipAllow', 'rpm', 'tpm'];

/**
 * Keys whose owner changed their limits after someone else (an admin) had set them, from the
 * audit trail: key id → when the owner did. Admins see it as a hint next to the key.
 */
async function limitsChangedByOwner(gw: Gateway, keys: KeyRow[]): Promise<Map<number, Date>> {
  if (!keys.length) return new Map();
  const ownerOf = new Map(keys.map((k) => [`keys#${k.id}`, k.user_id]));
  // Newest limit change per key and actor.
  const rows = await gw.db.db.selectFrom('audit_log')
    .select(['target', 'actor_user_id', 'created_at'])
    .distinctOn(['target', 'actor_user_id'])
    .where('action', 'in', ['keys.create', 'keys.update']).where('ok', '=', true)
    .where('target', 'in', [...ownerOf.keys()])
    .where(sql<boolean>`input ?| ${sql.val(LIMIT_FIELDS)}::text[]`)
    .orderBy('target').orderBy('actor_user_id').orderBy('id', 'desc').execute();
  const byOwner = new Map<string, Date>();
  const byOthers = new Map<string, Date>();
  for (const r of rows) {
    const at = new Date(r.created_at);
    const m = r.actor_user_id !== null && r.actor_user_id === ownerOf.get(r.target!) ? byOwner : byOthers;
    if (!m.has(r.target!) || m.get(r.target!)! < at) m.set(r.target!, at);
  }
  const out = new Map<number, Date>();
  for (const [target, at] of byOwner) {
    const other = byOthers.get(target);
    const owner = gw.store.user(ownerOf.get(target)!);
    if (other && other < at && owner?.role === 'user') out.set(Number(target.slice(5)), at);
  }
  return out;
}

/** A key the caller may see: their own, or any for admins. */
async function findKey(gw: Gateway, p: Principal, id: number): Promise<KeyRow> {
  let q = gw.db.db.selectFrom('api_keys').selectAll().where('id', '=', id);
  const owner = ownerFilter({ principal: p });
  if (owner !== null) q = q.where('user_id', '=', owner);
  const k = await q.executeTakeFirst();
  if (!k) throw new TRPCError({ code: 'NOT_FOUND', message: `key ${id} not found` });
  return k;
}

/** The owner of a new key: users always themselves; admins whoever they name (default: themselves, root for ADMIN_KEY). */
async function ownerFor(gw: Gateway, p: Principal, user: string | number | undefined) {
  const { db } = gw.db;
  const self = p.kind === 'admin-key' ? null : p.userId;
  const numeric = typeof user === 'number' || (typeof user === 'string' && /^\d+$/.test(user));
  const row = user === undefined
    ? self !== null
      ? await db.selectFrom('users').select(['id', 'username']).where('id', '=', self).executeTakeFirst()
      : await db.selectFrom('users').select(['id', 'username']).where('role', '=', 'root').orderBy('id').executeTakeFirst()
    : numeric
      ? await db.selectFrom('users').select(['id', 'username']).where('id', '=', Number(user)).executeTakeFirst()
      : await db.selectFrom('users').select(['id', 'username']).where('username', '=', String(user)).executeTakeFirst();
  const restricted = ownerFilter({ principal: p });
  if (restricted !== null && row?.id !== restricted) throw new TRPCError({ code: 'FORBIDDEN', message: 'You can only create keys for yourself.' });
  if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: `user ${user ?? '(root)'} not found` });
  return row;
}

export const keysRouter = router({
  /** Returns the full key once; only its hash and hint are stored. */
  create: userProcedure.input(KeyCreate).mutation(({ ctx, input }) => mutate(ctx, async () => {
    const owner = await ownerFor(ctx.gw, ctx.principal, input.user);
    const { name, user: _user, ...limits } = input;
    const key = newClientKey();
    const row = await ctx.gw.db.db.insertInto('api_keys').values({
      user_id: owner.id, name, key_hash: hashClientKey(key), key_hint: hintOf(key), oneapi_id: null, last_used_at: null,
      budget: null, period: null, period_budget: null, period_start: null, expires_at: null, models: null, ip_allow: null, groups: null, rpm: null, tpm: null,
      ...limitColumns(limits, ctx.principal),
    }).returningAll().executeTakeFirstOrThrow();
    noteAudit(ctx, { target: `keys#${row.id}`, after: row });
    return { id: row.id, key, user: owner.username };
  })),

  /** For admins each key also says when its owner last changed limits that someone else had set. */
  list: userProcedure.input(KeyQuery).query(async ({ ctx, input }) => {
    const owner = ownerFilter(ctx) ?? input.userId;
    let q = ctx.gw.db.db.selectFrom('api_keys').selectAll().orderBy('id').limit(input.limit).offset(input.offset);
    if (owner !== undefined) q = q.where('user_id', '=', owner);
    const rows = await q.execute();
    const raised = ownerFilter(ctx) === null ? await limitsChangedByOwner(ctx.gw, rows) : new Map<number, Date>();
    return rows.map((k) => ({ ...view(ctx.gw, k), limitsChangedByOwnerAt: raised.get(k.id) ?? null }));
  }),

  get: userProcedure.input(IdInput).query(async ({ ctx, input }) => view(ctx.gw, await findKey(ctx.gw, ctx.principal, input.id))),

  /** Name, status and limits; `null` clears a limit. */
  update: userProcedure.input(KeyUpdate).mutation(({ ctx, input }) => mutate(ctx, async () => {
    const before = await findKey(ctx.gw, ctx.principal, input.id);
    const { id, name, status, ...limits } = input;
    const after = await ctx.gw.db.db.updateTable('api_keys').set({ name, status, ...limitColumns(limits, ctx.principal) })
      .where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    noteAudit(ctx, { before, after });
    return view(ctx.gw, after);
  })),

  setStatus: userProcedure.input(KeyStatus).mutation(({ ctx, input }) => mutate(ctx, async () => {
    const before = await findKey(ctx.gw, ctx.principal, input.id);
    await ctx.gw.db.db.updateTable('api_keys').set({ status: input.status }).where('id', '=', input.id).execute();
    noteAudit(ctx, { before: { status: before.status }, after: { status: input.status } });
    return { id: input.id, status: input.status };
  })),

  /** A new secret for the same key (limits and usage stay); the old secret stops working at once. */
  roll: userProcedure.input(IdInput).mutation(({ ctx, input }) => mutate(ctx, async () => {
    const before = await findKey(ctx.gw, ctx.principal, input.id);
    const key = newClientKey();
    const after = await ctx.gw.db.db.updateTable('api_keys').set({ key_hash: hashClientKey(key), key_hint: hintOf(key) })
      .where('id', '=', input.id).returningAll().executeTakeFirstOrThrow();
    noteAudit(ctx, { before: { key_hint: before.key_hint }, after: { key_hint: after.key_hint } });
    return { id: input.id, key };
  })),

  delete: userProcedure.input(IdInput).mutation(({ ctx, input }) => mutate(ctx, async () => {
    const before = await findKey(ctx.gw, ctx.principal, input.id);
    await ctx.gw.db.db.deleteFrom('api_keys').where('id', '=', input.id).execute();
    noteAudit(ctx, { before });
    return { id: input.id };
  })),
});
