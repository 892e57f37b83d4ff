// The one way the gateway makes a request of its own (relay attempts, channel tests, upstream
// balances, model lists, OAuth token endpoints): resolve the host, check every address it
// resolves to, connect to the checked address, and never follow a redirect without checking
// the next hop the same way. Refused: link-local and cloud-metadata addresses, in any IPv6
// spelling that embeds them (IPv4-mapped, IPv4-compatible, SIIT, NAT64 64:ff9b::/96 and
// 64:ff9b:1::/48, 6to4), names that do not resolve, and schemes other than http(s). Private
// networks and loopback stay allowed: a local Ollama or an in-cluster vendor is a normal
// upstream. ALLOW_METADATA_UPSTREAMS=1 lifts the address check (never the scheme check).
//
// Pinning: the request goes to the checked IP (the Host header and, over TLS, the SNI name and
// certificate check keep the original name), so a DNS answer that changes between the check
// and the connection (rebinding) cannot redirect it. Resolutions are cached for a few seconds
// so the relay's hot path costs a Map lookup.
import { BlockList, isIP } from 'node:net';

export class UpstreamBlockedError extends Error {
  override readonly name = 'UpstreamBlockedError';
}

const blockedV4 = new BlockList();
blockedV4.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local: AWS/GCP/Azure/OpenStack metadata
blockedV4.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
blockedV4.addAddress('192.0.0.192', 'ipv4'); // Oracle Cloud metadata
blockedV4.addAddress('168.63.129.16', 'ipv4'); // Azure WireServer
const blockedV6 = new BlockList();
blockedV6.addSubnet('fe80::', 10, 'ipv6'); // link-local
blockedV6.addAddress('fd00:ec2::254', 'ipv6'); // AWS IMDS over IPv6

const BLOCKED_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal', 'metadata.azure.com']);

/** 16 bytes of an IPv6 address (with `::` and a trailing dotted quad), or null. */
function ipv6Bytes(addr: string): Uint8Array | null {
  let s = addr.toLowerCase();
  const zone = s.indexOf('%');
  if (zone !== -1) s = s.slice(0, zone);
  let tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    tail = dotted[1]!.split('.').map(Number);
    s = `${s.slice(0, -dotted[1]!.length)}0:0`;
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const groups = (x: string) => (x ? x.split(':') : []);
  const h = groups(head);
  const r = rest === undefined ? [] : groups(rest);
  const fill = rest === undefined ? 0 : 8 - h.length - r.length;
  const all = [...h, ...Array<string>(Math.max(fill, 0)).fill('0'), ...r];
  if (all.length !== 8) return null;
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    const n = Number.parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 255;
  });
  if (dotted) out.set(tail, 12);
  return out;
}

const v4 = (b: Uint8Array, at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
const zero = (b: Uint8Array, from: number, to: number) => b.subarray(from, to).every((x) => x === 0);

/** The IPv4 address an IPv6 address carries (mapped, compatible, SIIT, NAT64, 6to4), if any. */
export function embeddedIPv4(addr: string): string | null {
  const b = ipv6Bytes(addr);
  if (!b) return null;
  if (zero(b, 0, 10) && b[10] === 0xff && b[11] === 0xff) return v4(b, 12); // ::ffff:a.b.c.d
  if (zero(b, 0, 12) && !zero(b, 12, 16)) return v4(b, 12); // ::a.b.c.d (deprecated compatible)
  if (zero(b, 0, 8) && b[8] === 0xff && b[9] === 0xff && zero(b, 10, 12)) return v4(b, 12); // ::ffff:0:a.b.c.d (SIIT)
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b) return v4(b, 12); // 64:ff9b::/96, 64:ff9b:1::/48
  if (b[0] === 0x20 && b[1] === 0x02) return v4(b, 2); // 2002:AABB:CCDD::/48 (6to4)
  return null;
}

/** Why `addr` may not be contacted, or null when it may. */
export function blockedReason(addr: string): string | null {
  const family = isIP(addr);
  if (family === 4) return blockedV4.check(addr, 'ipv4') ? `${addr} is a link-local/metadata address` : null;
  if (family === 6) {
    const inner = embeddedIPv4(addr);
    if (inner && blockedV4.check(inner, 'ipv4')) return `${addr} embeds ${inner}, a link-local/metadata address`;
    return blockedV6.check(addr, 'ipv6') ? `${addr} is a link-local/metadata address` : null;
  }
  return `${addr} is not an IP address`;
}

type Lookup = (host: string) => Promise<string[]>;
const systemLookup: Lookup = async (host) => (await Bun.dns.lookup(host, {})).map((a) => a.address);

export interface GuardOptions {
  /** Skip the address check (ALLOW_METADATA_UPSTREAMS=1). */
  allowAll?: boolean;
  /** How long a checked resolution is reused. */
  cacheMs?: number;
  lookup?: Lookup;
}

export type GuardedInit = RequestInit & {
  /** Redirects followed, each hop checked (default 0: a 3xx is returned as it is, unread). */
  maxRedirects?: number;
  decompress?: boolean;
};

const ALLOWED_SCHEMES = new Set(['http:', 'https:']);

export class UpstreamGuard {
  private readonly cache = new Map<string, { address: string; until: number }>();
  private readonly allowAll: boolean;
  private readonly cacheMs: number;
  private readonly lookup: Lookup;

  constructor(opts: GuardOptions = {}) {
    this.allowAll = opts.allowAll ?? process.env.ALLOW_METADATA_UPSTREAMS === '1';
    this.cacheMs = opts.cacheMs ?? 10_000;
    this.lookup = opts.lookup ?? systemLookup;
  }

  /** The address to connect to for `hostname` (brackets stripped), after checking every address it resolves to. */
  async address(hostname: string, lenientLookup = false): Promise<string> {
    const hit = this.cache.get(hostname);
    if (hit && hit.until > Date.now()) return hit.address;
    const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (isIP(host)) {
      const why = this.allowAll ? null : blockedReason(host);
      if (why) throw new UpstreamBlockedError(`${why}; set ALLOW_METADATA_UPSTREAMS=1 to allow it`);
      // A literal never changes: remember the verdict for as long as any entry.
      this.remember(hostname, host);
      return host;
    }
    if (!this.allowAll && (BLOCKED_HOSTS.has(host) || host.endsWith('.metadata.google.internal'))) {
      throw new UpstreamBlockedError(`${host} is a cloud metadata endpoint; set ALLOW_METADATA_UPSTREAMS=1 to allow it`);
    }
    let addrs: string[];
    try {
      addrs = await this.lookup(host);
    } catch (e) {
      if (lenientLookup) return host;
      throw new UpstreamBlockedError(`cannot resolve ${host}: ${(e as Error).message}`);
    }
    if (!addrs.length) {
      if (lenientLookup) return host;
      throw new UpstreamBlockedError(`cannot resolve ${host}: no addresses`);
    }
    if (!this.allowAll) {
      // Every address must pass: a name mixing a public and a metadata address is refused.
      for (const a of addrs) {
        const why = blockedReason(a);
        if (why) throw new UpstreamBlockedError(`${host} resolves to ${why.replace(`${a} `, `${a}, which `)}`);
      }
    }
    const address = addrs.find((a) => isIP(a) === 4) ?? addrs[0]!;
    this.remember(hostname, address);
    return address;
  }

  private remember(hostname: string, address: string): void {
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hostname, { address, until: Date.now() + this.cacheMs });
  }

  /**
   * Configuration-time check: throws UpstreamBlockedError when `url` names or resolves to a
   * forbidden address. A name that does not resolve yet is accepted here (DNS may be down
   * while an admin edits a channel); every request re-checks it and refuses it then.
   */
  async check(url: string): Promise<void> {
    await this.address(this.parse(url).hostname, true);
  }

  /** `fetch` through the guard. A refused address is an UpstreamBlockedError (a TypeError-free reject). */
  async fetch(url: string, init: GuardedInit = {}): Promise<Response> {
    const { maxRedirects = 0, ...rest } = init;
    let target = this.parse(url);
    let method = (rest.method ?? 'GET').toUpperCase();
    let body = rest.body;
    for (let hop = 0; ; hop++) {
      const res = await this.once(target, { ...rest, method, body });
      if (res.status < 300 || res.status >= 400 || res.status === 304 || !res.headers.has('location')) return res;
      if (hop >= maxRedirects) return res;
      // Follow: the next hop is checked like the first; its body is never the caller's unless it passes.
      await res.body?.cancel().catch(() => {});
      target = this.parse(new URL(res.headers.get('location')!, target).toString());
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
    }
  }

  private parse(url: string): URL {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new UpstreamBlockedError(`not a valid URL: ${url}`);
    }
    if (!ALLOWED_SCHEMES.has(u.protocol)) throw new UpstreamBlockedError(`${u.protocol} URLs are not allowed upstreams`);
    return u;
  }

  private async once(u: URL, init: RequestInit & { decompress?: boolean }): Promise<Response> {
    const address = await this.address(u.hostname);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    if (address === host.toLowerCase()) return fetch(u, { ...init, redirect: 'manual' } as RequestInit);
    // Connect to the checked address; the name stays in Host, SNI and the certificate check.
    const pinned = new URL(u);
    pinned.hostname = isIP(address) === 6 ? `[${address}]` : address;
    const headers = new Headers(init.headers);
    if (!headers.has('host')) headers.set('host', u.host);
    return fetch(pinned, {
      ...init, headers, redirect: 'manual',
      ...(u.protocol === 'https:' ? { tls: { serverName: host } } : {}),
    } as RequestInit);
  }
}

/** The process's guard (ALLOW_METADATA_UPSTREAMS from the environment). */
export const upstreamGuard = new UpstreamGuard();

/** `fetch` for every server-side request; see UpstreamGuard. */
export const guardedFetch = (url: string, init?: GuardedInit) => upstreamGuard.fetch(url, init);

/** Configuration-time check of a base URL (channel create/update, model list for a new channel). */
export const assertUpstreamAllowed = (url: string, allow = process.env.ALLOW_METADATA_UPSTREAMS === '1'): Promise<void> =>
  !url ? Promise.resolve() : (allow ? new UpstreamGuard({ allowAll: true }) : upstreamGuard).check(url);
