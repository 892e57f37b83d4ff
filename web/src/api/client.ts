// The console's tRPC client. Types come from the server's AppRouter; queries and mutations go
// over HTTP (batched, the session cookie rides along), subscriptions over one WebSocket.
import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '../../../server/admin/router.ts';

// server/live/ws.ts: tRPC subscriptions on GET /live (the session cookie authenticates the upgrade).
const wsUrl = () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/live`;

/** Reconnect delays: 0.5 s doubling to 8 s, with jitter so many consoles do not return at once. */
export const reconnectDelayMs = (attempt: number) => Math.min(500 * 2 ** attempt, 8_000) * (0.8 + Math.random() * 0.4);

// Lazy: the socket opens with the first subscription and closes when the last one ends.
// Keep-alive: a PING every 2 s that gets no PONG within 2 s closes the socket, so a server
// that died without closing it (or a dropped network) shows as disconnected within ~4 s.
const ws = createWSClient({
  url: wsUrl,
  lazy: { enabled: true, closeMs: 10_000 },
  keepAlive: { enabled: true, intervalMs: 2_000, pongTimeoutMs: 2_000 },
  retryDelayMs: reconnectDelayMs,
});

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
