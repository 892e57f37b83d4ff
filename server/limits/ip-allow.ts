// A key's IP/CIDR allow-list, compiled once per key snapshot into a node:net BlockList.
import { BlockList, isIP } from 'node:net';
import type { KeyEntry } from '../state/types.ts';

const compiled = new WeakMap<KeyEntry, BlockList>();

function compile(entries: string[]): BlockList {
  const list = new BlockList();
  for (const raw of entries) {
    const [addr, bits] = raw.trim().split('/') as [string, string | undefined];
    const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (!isIP(addr)) continue;
    if (bits === undefined) list.addAddress(addr, family);
    else list.addSubnet(addr, Number(bits), family);
  }
  return list;
}

/** Whether `ip` may use `key`. IPv4-mapped IPv6 (::ffff:1.2.3.4) is checked as IPv4. */
export function ipAllowed(key: KeyEntry, ip: string | null): boolean {
  if (!key.ipAllow) return true;
  if (!ip) return false;
  let list = compiled.get(key);
  if (!list) {
    list = compile(key.ipAllow);
    compiled.set(key, list);
  }
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  const addr = v4 ?? ip;
  const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
  return isIP(addr) !== 0 && list.check(addr, family);
}
