// The one answer to "who is calling": the client address used by the relay's IP allow-lists,
// call logs, the login throttle, sessions and the audit log. X-Forwarded-For and X-Real-IP
// are believed only when the direct peer is a trusted proxy (TRUSTED_PROXIES, loopback by
// default). X-Forwarded-For is walked right to left, skipping trusted hops, so a client cannot
// prepend addresses of its own choosing: the first untrusted hop is the client (the scheme
// nginx's realip module uses with `real_ip_recursive on`).
import { BlockList, isIP } from 'node:net';

/** Loopback only: a reverse proxy on the same host. Anything else must be configured. */
export const DEFAULT_TRUSTED_PROXIES = '127.0.0.1/32,::1/128';

/** Parses `10.0.0.0/8, 192.168.1.7, ::1/128` into a BlockList; throws on a bad entry. */
export function parseTrustedProxies(spec: string): BlockList {
  const list = new BlockList();
  for (const raw of spec.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const [addr = '', bits] = entry.split('/');
    const family = isIP(addr);
    if (!family) throw new Error(`"${entry}" is not an IP address or CIDR range`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) {
      list.addAddress(addr, type);
      continue;
    }
    const prefix = Number(bits);
    if (!/^\d+$/.test(bits) || prefix > (family === 6 ? 128 : 32)) throw new Error(`"${entry}" has a bad prefix length`);
    list.addSubnet(addr, prefix, type);
  }
  return list;
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; other addresses unchanged; not an address → null. */
export function normalizeAddress(raw: string): string | null {
  let s = raw.trim();
  // "[2001:db8::1]:443" and "1.2.3.4:5678" (some proxies append a port)
  if (s.startsWith('[')) s = s.slice(1, s.indexOf(']') > 0 ? s.indexOf(']') : undefined);
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(':'));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s);
  if (mapped) s = mapped[1]!;
  return isIP(s) ? s.toLowerCase() : null;
}

function contains(list: BlockList, addr: string): boolean {
  return list.check(addr, isIP(addr) === 6 ? 'ipv6' : 'ipv4');
}

type PeerServer = { requestIP(r: Request): { address: string } | null } | null | undefined;

export class ClientAddress {
  private readonly trusted: BlockList;

  constructor(spec: string = DEFAULT_TRUSTED_PROXIES) {
    this.trusted = parseTrustedProxies(spec);
  }

  isTrusted(addr: string): boolean {
    const a = normalizeAddress(addr);
    return a !== null && contains(this.trusted, a);
  }

  /** The client's address given the TCP peer and the request headers. */
  resolve(peer: string | null, headers: Headers): string | null {
    const direct = peer === null ? null : normalizeAddress(peer);
    if (direct === null || !contains(this.trusted, direct)) return direct;
    const xff = headers.get('x-forwarded-for');
    if (xff) {
      const hops = xff.split(',');
      let last = direct;
      for (let i = hops.length - 1; i >= 0; i--) {
        const hop = normalizeAddress(hops[i]!);
        // A malformed entry ends the chain: everything left of it is unverifiable.
        if (hop === null) return last;
        if (!contains(this.trusted, hop)) return hop;
        last = hop;
      }
      return last;
    }
    const real = headers.get('x-real-ip');
    return (real && normalizeAddress(real)) || direct;
  }

  /** The client address of a request served by Bun (Elysia's `server`). */
  of(server: PeerServer, req: Request): string | null {
    return this.resolve(server?.requestIP(req)?.address ?? null, req.headers);
  }
}
