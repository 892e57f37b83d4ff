// Serves the console at `/`: files from web/dist (or the binary's embedded copy), and
// index.html for any other GET so client-side routes survive a reload. Mounted last, so the
// API prefixes below keep their own 404s instead of getting the console's page.
import { Elysia, NotFoundError } from 'elysia';
import { findAsset } from './assets.ts';
import { consoleHeaders } from './headers.ts';

const API_PREFIXES = ['/v1/', '/v1beta/', '/trpc', '/live', '/api/', '/healthz', '/readyz', '/metrics'];

function isApiPath(path: string): boolean {
  return API_PREFIXES.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p));
}

export function webPlugin() {
  const serve = ({ request }: { request: Request }) => {
    const path = new URL(request.url).pathname;
    if (isApiPath(path)) throw new NotFoundError();
    const asset = findAsset(path);
    if (asset) return new Response(asset.file, { headers: consoleHeaders(asset.file.type || 'application/octet-stream', asset.immutable) });
    // A missing hashed file is a real 404 (an old tab asking for a replaced build).
    const last = path.split('/').at(-1) ?? '';
    if (path.startsWith('/assets/') || last.includes('.')) throw new NotFoundError();
    const index = findAsset('/index.html');
    if (!index) throw new NotFoundError();
    return new Response(index.file, { headers: consoleHeaders('text/html; charset=utf-8', false) });
  };
  return new Elysia({ name: 'web' }).get('/', serve).get('/*', serve);
}
