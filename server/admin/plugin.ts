// Mounts the tRPC router under /trpc and the AI Proxy–compatible REST routes under /api.
// Callers authenticate with `Authorization: Bearer <ADMIN_KEY | sbp_… token>` or the console
// session cookie (server/auth).
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { Elysia } from 'elysia';
import { requestIp } from '../auth/client-ip.ts';
import type { Gateway } from '../context.ts';
import { restRoutes } from './rest.ts';
import { appRouter } from './router.ts';
import { type AdminContext, actorOf } from './trpc.ts';

/** The caller's address (X-Forwarded-For only from a private peer), for other HTTP routes. */
export { requestIp as peerIp } from '../auth/client-ip.ts';

/**
 * The tRPC context for one request. Exported for other transports (WebSocket subscriptions):
 * pass the upgrade request and no `resHeaders` (a session is then not rotated).
 */
export async function createAdminContext(gw: Gateway, req: Request, ip: string | null, resHeaders?: Headers): Promise<AdminContext> {
  const { principal, problem } = await gw.auth.resolve(req, resHeaders);
  return { gw, req, resHeaders: resHeaders ?? new Headers(), ip, principal, actor: actorOf(principal), authProblem: problem, audit: {} };
}

export function adminPlugin(gw: Gateway) {
  const handle = ({ request, server }: { request: Request; server: Parameters<typeof requestIp>[0] }) =>
    fetchRequestHandler({
      endpoint: '/trpc',
      req: request,
      router: appRouter,
      createContext: ({ resHeaders }) => createAdminContext(gw, request, requestIp(server, request), resHeaders),
      onError: ({ error, path }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') gw.log.error('admin procedure failed', { path, error: error.cause ?? error });
      },
    });
  return new Elysia({ name: 'admin' })
    .get('/trpc/*', handle, { parse: 'none' })
    .post('/trpc/*', handle, { parse: 'none' })
    .use(restRoutes(gw));
}
