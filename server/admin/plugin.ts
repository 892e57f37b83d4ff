// Mounts the tRPC router under /trpc. Machine access: `Authorization: Bearer <ADMIN_KEY>`.
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { timingSafeEqual } from 'node:crypto';
import { Elysia } from 'elysia';
import type { Gateway } from '../context.ts';
import { appRouter } from './router.ts';
import type { Actor } from './trpc.ts';

function actorFor(gw: Gateway, req: Request): Actor {
  const adminKey = gw.config.adminKey;
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.get('authorization') ?? '');
  if (!adminKey || !m) return null;
  const a = Buffer.from(m[1]!.trim());
  const b = Buffer.from(adminKey);
  return a.length === b.length && timingSafeEqual(a, b) ? { kind: 'admin-key', name: 'admin-key' } : null;
}

export function adminPlugin(gw: Gateway) {
  const handle = ({ request }: { request: Request }) =>
    fetchRequestHandler({
      endpoint: '/trpc',
      req: request,
      router: appRouter,
      createContext: () => ({ gw, actor: actorFor(gw, request) }),
      onError: ({ error, path }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') gw.log.error('admin procedure failed', { path, error: error.cause ?? error });
      },
    });
  return new Elysia({ name: 'admin' })
    .get('/trpc/*', handle, { parse: 'none' })
    .post('/trpc/*', handle, { parse: 'none' });
}
