// The console session cookie: HttpOnly, SameSite=Lax, Secure when the request came over TLS
// (directly or through a proxy that sets x-forwarded-proto).
export const SESSION_COOKIE = 'sb_session';

export function readCookie(req: Request, name: string): string | null {
  const header = req.headers.get('cookie');
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

export function overTls(req: Request): boolean {
  const proto = req.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return proto === 'https' || req.url.startsWith('https:');
}

export function sessionCookie(req: Request, token: string, maxAgeSec: number): string {
  const attrs = [`${SESSION_COOKIE}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${Math.max(0, Math.floor(maxAgeSec))}`];
  if (overTls(req)) attrs.push('Secure');
  return attrs.join('; ');
}

export function clearedSessionCookie(req: Request): string {
  return sessionCookie(req, '', 0);
}

/**
 * Cookies ride along on cross-site requests a browser makes on its own; refuse a cookie on a
 * state-changing request whose Origin is another host (SameSite=Lax already covers most cases).
 */
export function crossSite(req: Request): boolean {
  return req.method !== 'GET' && req.method !== 'HEAD' && foreignOrigin(req);
}

/**
 * A browser request whose Origin is not this server's own (the host it was sent to). Used for
 * WebSocket upgrades, which browsers make cross-site with the cookie and which SameSite=Lax
 * does not stop: /live accepts them only from the console's own origin.
 */
export function foreignOrigin(req: Request): boolean {
  const origin = req.headers.get('origin');
  if (!origin) return false;
  const host = req.headers.get('x-forwarded-host')?.split(',')[0]?.trim() || req.headers.get('host');
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}
