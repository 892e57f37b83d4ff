// Channel base URLs must not reach link-local or cloud-metadata addresses (the classic
// SSRF target: 169.254.169.254 and friends) unless the operator allows it with
// ALLOW_METADATA_UPSTREAMS=1. Private ranges stay allowed: local Ollama and in-cluster
// vendors are normal upstreams.
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
blocked.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local, AWS/GCP/Azure metadata
blocked.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
blocked.addSubnet('fe80::', 10, 'ipv6'); // link-local
blocked.addAddress('fd00:ec2::254', 'ipv6'); // AWS IMDS over IPv6

const BLOCKED_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

export class UpstreamBlockedError extends Error {}

function blockedAddress(addr: string): boolean {
  const v = isIP(addr);
  if (v === 4) return blocked.check(addr, 'ipv4');
  if (v === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
    return mapped ? blocked.check(mapped[1]!, 'ipv4') : blocked.check(addr, 'ipv6');
  }
  return false;
}

/** Throws UpstreamBlockedError when `url` names or resolves to a forbidden address. */
export async function assertUpstreamAllowed(url: string, allow = process.env.ALLOW_METADATA_UPSTREAMS === '1'): Promise<void> {
  if (allow || !url) return;
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    throw new UpstreamBlockedError(`not a valid URL: ${url}`);
  }
  if (BLOCKED_HOSTS.has(host) || host.endsWith('.metadata.google.internal')) {
    throw new UpstreamBlockedError(`${host} is a cloud metadata endpoint; set ALLOW_METADATA_UPSTREAMS=1 to allow it`);
  }
  if (isIP(host)) {
    if (blockedAddress(host)) throw new UpstreamBlockedError(`${host} is a link-local/metadata address; set ALLOW_METADATA_UPSTREAMS=1 to allow it`);
    return;
  }
  // A name that resolves into the blocked ranges is refused too (DNS tricks).
  const addrs = await Bun.dns.lookup(host, {}).catch(() => []);
  const bad = addrs.find((a) => blockedAddress(a.address));
  if (bad) throw new UpstreamBlockedError(`${host} resolves to ${bad.address}, a link-local/metadata address`);
}
