// The relay's HTTP surface as an Elysia plugin. Bodies are read raw (parse: 'none') so
// the handlers see the client's bytes and can forward them untouched.
import { Elysia } from 'elysia';
import type { Gateway } from '../context.ts';
import { authenticate, presentedKey } from './auth.ts';
import { newRequestId } from './call.ts';
import { chatEndpoint } from './chat.ts';
import { errorResponse, RelayError } from './errors.ts';
import { modelsFor } from './models.ts';
import { runRelay } from './pipeline.ts';

/** Shutdown waits for requests in flight (streams track themselves until they end). */
function track<T>(gw: Gateway, p: Promise<T>): Promise<T> {
  gw.inflight.add(p);
  return p.finally(() => gw.inflight.delete(p));
}

export function relayPlugin(gw: Gateway) {
  const ip = (server: { requestIP(r: Request): { address: string } | null } | null, request: Request) =>
    server?.requestIP(request)?.address ?? null;

  const guarded = (fn: (requestId: string) => Response) => {
    const requestId = newRequestId();
    try {
      return fn(requestId);
    } catch (e) {
      if (e instanceof RelayError) return errorResponse(e, requestId);
      throw e;
    }
  };

  return new Elysia({ name: 'relay' })
    .post('/v1/chat/completions', ({ request, server }) => track(gw, runRelay(gw, chatEndpoint, request, ip(server, request))), { parse: 'none' })
    .get('/v1/models', ({ request }) => guarded((requestId) => {
      const p = authenticate(gw.store, presentedKey(request.headers));
      return Response.json({ object: 'list', data: modelsFor(gw, p) }, { headers: { 'x-request-id': requestId } });
    }))
    .get('/v1/models/:id', ({ request, params }) => guarded((requestId) => {
      const p = authenticate(gw.store, presentedKey(request.headers));
      const id = decodeURIComponent(params.id);
      const card = modelsFor(gw, p).find((m) => m.id === id);
      if (!card) throw new RelayError(404, `The model "${id}" does not exist or you do not have access to it.`, 'not_found_error', 'model_not_found');
      return Response.json(card, { headers: { 'x-request-id': requestId } });
    }));
}
