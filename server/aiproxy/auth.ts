// Who may call the AI Proxy–compatible admin API: what AI Proxy's AdminAuth accepts
// (core/middleware/auth.go) — `Authorization: Bearer <ADMIN_KEY>` as FastGPT sends it
// (AIPROXY_API_TOKEN), the key with an `sk-` prefix or without `Bearer`, or `?key=` —
// plus our own admin credentials (a personal access token of an admin, the console
// session). Shared by every /api/* route that speaks AI Proxy's envelope.
import { timingSafeEqual } from 'node:crypto';
import type { Gateway } from '../context.ts';
import { allows, type Principal } from '../auth/principal.ts';
import { ApiError } from './envelope.ts';

/** The admin principal of the request, or an ApiError(401/403) in AI Proxy's words. */
export async function requireAdmin(gw: Gateway, request: Request): Promise<Principal> {
  const { principal, problem } = await gw.auth.resolve(request);
  if (principal) {
    if (!allows(principal, 'admin')) throw new ApiError(403, 'This needs the admin role.');
    return principal;
  }
  if (isAdminKey(gw, aiproxyToken(request))) return { kind: 'admin-key' };
  throw new ApiError(401, problem ?? 'unauthorized, no access token provided: send Authorization: Bearer <ADMIN_KEY>.');
}

/** The token as AI Proxy reads it: the Authorization header or `?key=`, less `Bearer ` and `sk-`. */
function aiproxyToken(request: Request): string {
  let token = request.headers.get('authorization') ?? '';
  if (!token) token = new URL(request.url).searchParams.get('key') ?? '';
  token = token.trim().replace(/^Bearer\s+/i, '').trim();
  return token.startsWith('sk-') ? token.slice(3) : token;
}

function isAdminKey(gw: Gateway, token: string): boolean {
  const key = gw.config.adminKey;
  if (!key || !token) return false;
  const bare = key.startsWith('sk-') ? key.slice(3) : key;
  const a = Buffer.from(token);
  const b = Buffer.from(bare);
  return a.length === b.length && timingSafeEqual(a, b);
}
