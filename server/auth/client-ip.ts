// The caller's address for login throttling and the audit log. X-Forwarded-For is trusted only
// when the direct peer is loopback or a private network (a reverse proxy next to us); a client
// on the internet cannot spoof its way past the per-IP limit.
import { isIPv4 } from 'node:net';

function privatePeer(ip: string): boolean {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIPv4(v4)) {
    const [a, b] = v4.split('.').map(Number) as [number, number];
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  const lower = ip.toLowerCase();
  return lower === '::1' || lower.startsWith('fc') || lower.startsWith('fd');
}

export function clientIp(peer: string | null, headers: Headers): string | null {
  if (peer && !privatePeer(peer)) return peer;
  const forwarded = headers.get('x-forwarded-for')?.split(',').map((s) => s.trim()).filter(Boolean).at(-1);
  return forwarded ?? peer;
}

type PeerServer = { requestIP(r: Request): { address: string } | null } | null;

/** The client address of a request served by Bun (Elysia's `server`). */
export function requestIp(server: PeerServer, req: Request): string | null {
  return clientIp(server?.requestIP(req)?.address ?? null, req.headers);
}
