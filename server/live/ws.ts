// tRPC over WebSocket on Bun's native server: GET /live upgrades, and each socket is handed
// to tRPC's `ws` connection handler through a small adapter with the `ws` surface it uses
// (on/once/send/close/readyState). Credentials: the upgrade request's cookie or
// Authorization header, or `connectionParams.token` (browsers cannot set WS headers).
// A socket whose send buffer passes MAX_BUFFERED is closed and counted: a stuck console
// costs bounded memory and nothing else.
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { getWSConnectionHandler } from '@trpc/server/adapters/ws';
import type { ServerWebSocket } from 'bun';
import { Elysia } from 'elysia';
import type { WebSocket as WsWebSocket } from 'ws';
import { createAdminContext, peerIp } from '../admin/plugin.ts';
import { type AppRouter, appRouter } from '../admin/router.ts';
import type { Gateway } from '../context.ts';

export const LIVE_PATH = '/live';
const MAX_BUFFERED = 4 * 1024 * 1024;

class BunSocket extends EventEmitter {
  constructor(
    private readonly raw: ServerWebSocket<unknown>,
    readonly request: Request,
    readonly ip: string | null,
    private readonly onTooSlow: () => void,
  ) {
    super();
  }

  get readyState(): number {
    return this.raw.readyState;
  }

  send(data: string | Uint8Array): void {
    if (this.raw.getBufferedAmount() > MAX_BUFFERED) {
      this.onTooSlow();
      this.raw.close(1013, 'subscriber too slow');
      return;
    }
    this.raw.send(data);
  }

  close(code?: number, reason?: string): void {
    this.raw.close(code, reason);
  }

  terminate(): void {
    this.raw.terminate();
  }
}

/** With connectionParams.token, authenticate as if it had been sent as a bearer header. */
function withToken(req: Request, token: unknown): Request {
  if (typeof token !== 'string' || !token) return req;
  const headers = new Headers(req.headers);
  headers.set('authorization', `Bearer ${token}`);
  return new Request(req.url, { headers });
}

type HandlerOptions = Parameters<typeof getWSConnectionHandler<AppRouter>>[0];

/** Close every open /live socket, e.g. on shutdown: 1001 "going away" (RFC 6455 §7.4.1); consoles reconnect with backoff. */
export function closeLiveSockets(sockets: Set<ServerWebSocket<unknown>>, code = 1001, reason = 'server shutting down'): void {
  for (const s of sockets) s.close(code, reason);
  sockets.clear();
}

/** `open` collects the sockets currently connected, for closeLiveSockets. */
export function liveWebSocketPlugin(gw: Gateway, open: Set<ServerWebSocket<unknown>> = new Set()) {
  const handle = getWSConnectionHandler<AppRouter>({
    router: appRouter,
    createContext: ({ res, info }) => {
      const socket = res as unknown as BunSocket;
      return createAdminContext(gw, withToken(socket.request, info.connectionParams?.token), socket.ip);
    },
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') gw.log.error('live procedure failed', { path, error: error.cause ?? error });
    },
    // The `ws` server object is only used by applyWSSHandler, which we do not use.
  } as Omit<HandlerOptions, 'wss'> as HandlerOptions);
  const sockets = new WeakMap<object, BunSocket>();

  return new Elysia({ name: 'live' }).ws(LIVE_PATH, {
    open(ws) {
      const request = ws.data.request;
      const socket = new BunSocket(ws.raw as ServerWebSocket<unknown>, request, peerIp(ws.data.server, request), () => { gw.live.counters.droppedSubscribers++; });
      sockets.set(ws.raw, socket);
      open.add(ws.raw as ServerWebSocket<unknown>);
      const url = new URL(request.url);
      const req = { url: url.pathname + url.search, headers: { host: url.host } } as IncomingMessage;
      handle(socket as unknown as WsWebSocket, req);
    },
    // Elysia has already JSON-parsed text frames; tRPC wants the raw text back.
    message(ws, message) {
      const text = typeof message === 'string' ? message : Buffer.isBuffer(message) ? message.toString('utf8') : JSON.stringify(message);
      sockets.get(ws.raw)?.emit('message', Buffer.from(text), false);
    },
    close(ws) {
      sockets.get(ws.raw)?.emit('close');
      sockets.delete(ws.raw);
      open.delete(ws.raw as ServerWebSocket<unknown>);
    },
  });
}
