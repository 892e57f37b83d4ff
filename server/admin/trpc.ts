// tRPC setup: context, error shape and the auth middlewares. Auth lives here, never in
// handlers. Input schemas are valibot (tRPC accepts Standard Schema directly).
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
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
    // Field-level messages from the input schema (Standard Schema issues), never a stack trace.
    const fields = error.code === 'BAD_REQUEST' ? fieldErrors(error.cause) : undefined;
    const message = error.code === 'INTERNAL_SERVER_ERROR' ? 'Internal error; see the server log.' : shape.message;
    return { ...shape, message, data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, fields } };
  },
});

type Issue = { message: string; path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> };

function fieldErrors(cause: unknown): Record<string, string> | undefined {
  const issues = (cause as { issues?: Issue[] } | undefined)?.issues;
  if (!Array.isArray(issues)) return undefined;
  const out: Record<string, string> = {};
  for (const i of issues) {
    const path = (i.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.') || '_';
    out[path] ??= i.message;
  }
  return out;
}

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
