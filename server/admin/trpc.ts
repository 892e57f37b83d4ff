// tRPC setup: context, error shape and the auth middlewares. Auth lives here, never in
// handlers. Input schemas are valibot (tRPC accepts Standard Schema directly).
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import * as v from 'valibot';
import type { Gateway } from '../context.ts';

export type Actor = { kind: 'admin-key'; name: 'admin-key' } | null;

export interface AdminContext {
  gw: Gateway;
  actor: Actor;
}

const t = initTRPC.context<AdminContext>().create({
  transformer: superjson,
  isDev: false,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    // Field-level messages from valibot, never a stack trace.
    const fields = cause && v.isValiError(cause)
      ? Object.fromEntries(cause.issues.map((i) => [v.getDotPath(i) ?? '_', i.message]))
      : undefined;
    const message = error.code === 'INTERNAL_SERVER_ERROR' ? 'Internal error; see the server log.' : shape.message;
    return { ...shape, message, data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, fields } };
  },
});

export const router = t.router;
export const publicProcedure = t.procedure;

export const adminProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.actor) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Admin credentials required (Authorization: Bearer <ADMIN_KEY>).' });
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});

/** Run a mutation's effect, then refresh the relay's in-memory state. */
export async function mutate<T>(ctx: AdminContext, fn: () => Promise<T>): Promise<T> {
  const result = await fn();
  await ctx.gw.invalidate();
  return result;
}
