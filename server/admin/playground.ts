// POST /api/playground/chat/completions: the console's playground. A signed-in user picks one
// of their own keys by id (X-Switchboard-Key-Id) and the request runs through the very same
// relay pipeline as a call presenting that key's secret: same limits, routing, streaming,
// billing and call log. Only the way the caller proves who they are differs (the session).
import { Elysia } from 'elysia';
import type { Gateway } from '../context.ts';
import { principalOf } from '../relay/auth.ts';
import { newRequestId } from '../relay/call.ts';
import { chatEndpoint } from '../relay/endpoints/chat.ts';
import { errorResponse, RelayError } from '../relay/protocols/openai/errors.ts';
import { runRelay } from '../relay/pipeline.ts';

export const PLAYGROUND_KEY_HEADER = 'x-switchboard-key-id';

export function playgroundPlugin(gw: Gateway) {
  return new Elysia({ name: 'playground' }).post('/api/playground/chat/completions', async ({ request, server }) => {
    try {
      const { principal } = await gw.auth.resolve(request);
      if (!principal || principal.kind === 'admin-key') {
        throw new RelayError(401, 'Sign in to the console to use the playground.', 'authentication_error', 'not_signed_in');
      }
      const id = Number(request.headers.get(PLAYGROUND_KEY_HEADER));
      const key = Number.isInteger(id) && id > 0 ? gw.store.keyById(id) : undefined;
      // Someone else's key is "not found", as everywhere in the admin API.
      if (!key || key.userId !== principal.userId) {
        throw new RelayError(404, `Choose one of your own API keys (${PLAYGROUND_KEY_HEADER}).`, 'invalid_request_error', 'key_not_found');
      }
      const p = principalOf(gw.store, key);
      const run = runRelay(gw, chatEndpoint, request, gw.clientAddress.of(server, request), new URL(request.url), p);
      gw.inflight.add(run);
      return await run.finally(() => gw.inflight.delete(run));
    } catch (e) {
      if (e instanceof RelayError) return errorResponse(e, newRequestId());
      throw e;
    }
  }, { parse: 'none' });
}
