// Every relay response carries the gateway's own time in `x-switchboard-overhead-ms`.
// Relayed calls set it precisely (upstream time excluded, see Call.markResponseReady); this
// hook covers the responses that never reached an upstream (/v1/models, rejected keys),
// where the whole handling time is the gateway's.
import { Elysia } from 'elysia';

export const OVERHEAD_HEADER = 'x-switchboard-overhead-ms';

const isRelayPath = (url: string) => /^https?:\/\/[^/]+\/v1(beta)?\//.test(url);

export function overheadHeaderPlugin() {
  const arrivals = new WeakMap<Request, number>();
  return new Elysia({ name: 'overhead-header' })
    .onRequest(({ request }) => {
      if (isRelayPath(request.url)) arrivals.set(request, performance.now());
    })
    .onAfterHandle({ as: 'global' }, ({ request, response }) => {
      const t0 = arrivals.get(request);
      if (t0 === undefined || !(response instanceof Response) || response.headers.has(OVERHEAD_HEADER)) return;
      try {
        response.headers.set(OVERHEAD_HEADER, (performance.now() - t0).toFixed(3));
      } catch {
        // Immutable headers (a fetched Response passed through): leave it.
      }
    });
}
