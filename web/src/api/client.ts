// The console's tRPC client. Types come from the server's AppRouter; queries and mutations go
// over HTTP (batched, the session cookie rides along), subscriptions over one WebSocket.
import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '../../../server/admin/router.ts';

// server/live/ws.ts: tRPC subscriptions on GET /live (the session cookie authenticates the upgrade).
const wsUrl = () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/live`;

// Lazy: the socket opens with the first subscription and closes when the last one ends.
const ws = createWSClient({ url: wsUrl, lazy: { enabled: true, closeMs: 10_000 } });

export const api = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: wsLink({ client: ws, transformer: superjson }),
      // The server refuses batches over 50 calls (server/admin/plugin.ts, MAX_BATCH_SIZE).
      false: httpBatchLink({ url: '/trpc', transformer: superjson, maxItems: 50 }),
    }),
  ],
});
