// What the admin API's plain-HTTP downloads (the CSV exports) share: the same credentials
// as tRPC (admin context), a query checked by a valibot schema, errors as
// `{ error: { message, fields? } }`, and the attachment headers.
import * as v from 'valibot';
import type { Gateway } from '../context.ts';
import { createAdminContext } from './plugin.ts';
import { type AdminContext, type Principal, SIGN_IN_HINT } from './trpc.ts';

export const problem = (status: number, message: string, fields?: Record<string, string>) =>
  Response.json({ error: { message, ...(fields ? { fields } : {}) } }, { status });

type PeerServer = Parameters<Gateway['clientAddress']['of']>[0];

/** The caller's admin context, or the 401 to answer. */
export async function signedIn(gw: Gateway, request: Request, server: PeerServer): Promise<(AdminContext & { principal: Principal }) | Response> {
  const ctx = await createAdminContext(gw, request, gw.clientAddress.of(server, request));
  return ctx.principal ? { ...ctx, principal: ctx.principal } : problem(401, ctx.authProblem ?? SIGN_IN_HINT);
}

/** The query parsed by `schema`, or a 400 naming each bad field. */
export function parsedQuery<S extends v.GenericSchema>(schema: S, input: unknown, what: string): v.InferOutput<S> | Response {
  const parsed = v.safeParse(schema, input);
  return parsed.success ? parsed.output : problem(400, `Invalid ${what}.`, Object.fromEntries(parsed.issues.map((i) => [v.getDotPath(i) ?? '_', i.message])));
}

/** A CSV attachment, never cached. */
export const csvDownload = (body: ConstructorParameters<typeof Response>[0], filename: string) =>
  new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
    },
  });
