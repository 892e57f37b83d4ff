// tRPC setup: context, error shape, the auth middlewares and the audit middleware. Auth lives
// here, never in handlers: every procedure is built from one of the builders below, which
// declare the least role it needs (`meta.access`, read by the authorization-matrix test) and
// enforce it. Input schemas are valibot (tRPC accepts Standard Schema directly).
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { recordAudit } from '../auth/audit-log.ts';
import { type Access, allows, type Principal, principalName, type UserPrincipal } from '../auth/principal.ts';
import type { Gateway } from '../context.ts';
import { errorCodeOf, fieldIssues } from './error-codes.ts';

export type { Access, Principal, UserPrincipal };

/** A label for ledger `actor` and `created_by` columns: the username, or `admin-key`. */
export interface Actor {
  kind: Principal['kind'];
  name: string;
}

/** What a mutation may add to its audit row; anything left unset is derived from input and result. */
export interface AuditNote {
  target?: string;
  before?: unknown;
  after?: unknown;
  /** Who acted when the caller was anonymous at the start (sign-in). */
  principal?: Principal;
}

export interface AdminContext {
  gw: Gateway;
  req: Request;
  /** Headers added to the HTTP response (cookies). */
  resHeaders: Headers;
  ip: string | null;
  principal: Principal | null;
  actor: Actor | null;
  /** Why sent credentials were rejected, for the 401 message. */
  authProblem?: string;
  audit: AuditNote;
}

export interface ProcedureMeta {
  access: Access;
}

const t = initTRPC.context<AdminContext>().meta<ProcedureMeta>().create({
  transformer: superjson,
  isDev: false,
  errorFormatter({ shape, error }) {
    // Field-level messages from the input schema (Standard Schema issues), never a stack trace.
    const fields = error.code === 'BAD_REQUEST' ? fieldErrors(error.cause) : undefined;
    const issues = error.code === 'BAD_REQUEST' ? fieldIssues(error.cause) : undefined;
    const message = error.code === 'INTERNAL_SERVER_ERROR' ? 'Internal error; see the server log.' : shape.message;
    // Codes the console translates (server/admin/error-codes.ts); the message stays for API clients.
    const code = errorCodeOf(message, error.cause);
    return { ...shape, message, data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, fields, issues, reason: code?.reason, params: code?.params } };
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

export function actorOf(p: Principal | null): Actor | null {
  return p ? { kind: p.kind, name: principalName(p) } : null;
}

/** The resource id a mutation acted on, when the handler did not name a target. */
function inferTarget(path: string, input: unknown, result: unknown): string | null {
  const domain = path.split('.')[0];
  for (const x of [input, result]) {
    const id = (x as { id?: unknown } | null)?.id;
    if (typeof id === 'number' || typeof id === 'string') return `${domain}#${id}`;
  }
  return null;
}

/** A Postgres data exception (SQLSTATE class 22: out of range, invalid text, NUL…) under `error`, if any. */
function dataException(error: unknown): { message: string } | null {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code) && typeof message === 'string') return { message };
  }
  return null;
}

// Every mutation that reached an authenticated handler (or succeeded) leaves an audit row;
// anonymous rejections do not, so they cannot flood the table.
const audited = t.procedure.use(async ({ ctx, type, path, getRawInput, next }) => {
  let result = await next();
  // Safety net behind the input schemas: a value Postgres refuses as data is the caller's
  // input, so it is a 400 with Postgres' reason, not a 500.
  if (!result.ok && result.error.code === 'INTERNAL_SERVER_ERROR') {
    const bad = dataException(result.error.cause);
    if (bad) result = { ...result, error: new TRPCError({ code: 'BAD_REQUEST', message: `Invalid value: ${bad.message}`, cause: result.error.cause }) };
  }
  if (type !== 'mutation') return result;
  const principal = ctx.audit.principal ?? ctx.principal;
  if (!principal && !result.ok) return result;
  const input = await getRawInput().catch(() => undefined);
  const data = result.ok ? result.data : undefined;
  try {
    await recordAudit(ctx.gw.db.db, {
      principal, action: path, target: ctx.audit.target ?? inferTarget(path, input, data), input,
      before: ctx.audit.before, after: ctx.audit.after ?? data, ok: result.ok,
      error: result.ok ? null : `${result.error.code}: ${result.error.message}`, ip: ctx.ip,
    });
  } catch (e) {
    // The change is already committed; losing its audit row must be loud, not fatal.
    ctx.gw.log.error('audit write failed', { path, error: e });
  }
  return result;
});

/** What an unauthenticated caller is told (tRPC and the plain-HTTP downloads). */
export const SIGN_IN_HINT = 'Sign in, or send Authorization: Bearer <ADMIN_KEY or a personal access token>.';

function gate(access: Exclude<Access, 'public'>) {
  return audited.meta({ access }).use(({ ctx, next }) => {
    const p = ctx.principal;
    if (!p) {
      throw new TRPCError({
        code: 'UNAUTHORIZED',
        message: ctx.authProblem ?? SIGN_IN_HINT,
      });
    }
    if (!allows(p, access)) throw new TRPCError({ code: 'FORBIDDEN', message: `This needs the ${access} role; you are signed in as ${p.kind === 'admin-key' ? 'admin-key' : p.role}.` });
    return next({ ctx: { principal: p, actor: actorOf(p)! } });
  });
}

/** Anyone, signed in or not. */
export const publicProcedure = audited.meta({ access: 'public' });
/** Any signed-in principal: a user, an admin, root or ADMIN_KEY. Scope data with `ownerFilter`. */
export const userProcedure = gate('user');
/** Admins, root and ADMIN_KEY. */
export const adminProcedure = gate('admin');

/** The user id a `user` principal is restricted to; null for admins, root and ADMIN_KEY (they see everything). */
export function ownerFilter(ctx: { principal: Principal }): number | null {
  const p = ctx.principal;
  return p.kind !== 'admin-key' && p.role === 'user' ? p.userId : null;
}

/** The signed-in account, for procedures that act on "my" data (ADMIN_KEY has no account). */
export function accountOf(ctx: { principal: Principal }): UserPrincipal {
  const p = ctx.principal;
  if (p.kind === 'admin-key') throw new TRPCError({ code: 'BAD_REQUEST', message: 'This acts on your own account; ADMIN_KEY has none. Sign in as a user or use a personal access token.' });
  return p;
}

/** Record what a mutation changed (masked before it is stored). */
export function noteAudit(ctx: { audit: AuditNote }, note: AuditNote): void {
  Object.assign(ctx.audit, note);
}

/** Run a mutation's effect, then refresh the relay's in-memory state. */
export async function mutate<T>(ctx: { gw: Gateway }, fn: () => Promise<T>): Promise<T> {
  const result = await fn();
  await ctx.gw.invalidate();
  return result;
}
