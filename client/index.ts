// The typed admin client. Types come from the server's AppRouter, so they cannot drift.
//   const sb = createSwitchboardClient({ url: 'http://127.0.0.1:3000', token: process.env.ADMIN_KEY });
//   const { id } = await sb.channels.create.mutate({ ... });
// `token` is ADMIN_KEY or a personal access token (`sbp_…`, from `tokens.create`); the token's
// owner's role applies. Works from Bun and Node 18+ (global fetch).
// Subscriptions (`live.events`) go over a WebSocket to /live, opened on the first
// subscription and closed a second after the last: Bun and browsers use the global
// WebSocket, Node passes `WebSocket` from the `ws` package.
import { createTRPCClient, createWSClient, httpLink, splitLink, wsLink } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '../server/admin/router.ts';

export type { AppRouter };

/** Any fetch-like function (e.g. one that carries a session cookie). */
export type FetchLike = NonNullable<Parameters<typeof httpLink>[0]['fetch']>;

/** A WebSocket class: the global one, or `ws`'s in Node. */
export type WebSocketClass = abstract new (url: string, protocols?: string | string[]) => unknown;

export function createSwitchboardClient(opts: { url: string; token?: string; fetch?: FetchLike; WebSocket?: WebSocketClass }) {
  const base = opts.url.replace(/\/+$/, '');
  const http = httpLink({
    url: `${base}/trpc`,
    transformer: superjson,
    headers: () => (opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
    fetch: opts.fetch,
  });
  const WS = (opts.WebSocket ?? globalThis.WebSocket) as typeof WebSocket | undefined;
  if (!WS) return createTRPCClient<AppRouter>({ links: [http] });
  const ws = createWSClient({
    url: `${base.replace(/^http/, 'ws')}/live`,
    WebSocket: WS,
    // Browsers cannot set headers on a WebSocket: the token travels as a connection parameter.
    connectionParams: () => (opts.token ? { token: opts.token } : {}),
    lazy: { enabled: true, closeMs: 1_000 },
  });
  return createTRPCClient<AppRouter>({
    links: [splitLink({ condition: (op) => op.type === 'subscription', true: wsLink({ client: ws, transformer: superjson }), false: http })],
  });
}

export type SwitchboardClient = ReturnType<typeof createSwitchboardClient>;
