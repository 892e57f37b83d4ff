// Mounts the tRPC router under /trpc and the AI Proxy–compatible REST routes under /api.
// Callers authenticate with `Authorization: Bearer <ADMIN_KEY | sbp_… token>` or the console
// session cookie (server/auth).
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { Elysia } from 'elysia';
import type { Gateway } from '../context.ts';
import { restRoutes } from './rest.ts';
import { appRouter } from './router.ts';
import { type AdminContext, actorOf } from './trpc.ts';

/**
 * The tRPC context for one request. Exported for other transports (WebSocket subscriptions):
 * pass the upgrade request and no `resHeaders` (a session is then not rotated).
 */
export async function createAdminContext(gw: Gateway, req: Request, ip: string | null, resHeaders?: Headers): Promise<AdminContext> {
  const { principal, problem } = await gw.auth.resolve(req, resHeaders);
  return { gw, req, resHeaders: resHeaders ?? new Headers(), ip, principal, actor: actorOf(principal), authProblem: problem, audit: {} };
}

/** The most calls one tRPC batch request may carry; larger batches get a 400. */
export const MAX_BATCH_SIZE = 50;

export function adminPlugin(gw: Gateway) {
  const handle = ({ request, server }: { request: Request; server: Parameters<Gateway['clientAddress']['of']>[0] }) =>
    fetchRequestHandler({
      endpoint: '/trpc',
      req: request,
      router: appRouter,
      // Each call in a batch is a call (sign-in attempts are counted one by one); a batch has a size cap.
      maxBatchSize: MAX_BATCH_SIZE,
      createContext: ({ resHeaders }) => createAdminContext(gw, request, gw.clientAddress.of(server, request), resHeaders),
      onError: ({ error, path }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') gw.log.error('admin procedure failed', { path, error: error.cause ?? error });
      },
    });
  return new Elysia({ name: 'admin' })
    .get('/trpc/*', handle, { parse: 'none' })
    .post('/trpc/*', handle, { parse: 'none' })
    .use(restRoutes(gw));
}
