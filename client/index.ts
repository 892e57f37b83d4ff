// The typed admin client. Types come from the server's AppRouter, so they cannot drift.
//   const sb = createSwitchboardClient({ url: 'http://127.0.0.1:3000', token: process.env.ADMIN_KEY });
//   const { id } = await sb.channels.create.mutate({ ... });
import { createTRPCClient, httpLink } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '../server/admin/router.ts';

export type { AppRouter };

export function createSwitchboardClient(opts: { url: string; token?: string; fetch?: typeof fetch }) {
  const base = opts.url.replace(/\/+$/, '');
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${base}/trpc`,
        transformer: superjson,
        headers: () => (opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        fetch: opts.fetch,
      }),
    ],
  });
}

export type SwitchboardClient = ReturnType<typeof createSwitchboardClient>;
