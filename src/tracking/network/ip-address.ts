import { BlockList, isIPv4, isIPv6 } from 'node:net';

export type ParsedIp = { family: 4; value: number } | { family: 6; value: bigint };

// Addresses that belong to no public network, so no database can place them: loopback, private
// ranges, link-local, carrier-grade NAT, unique-local. Browser tests run from 127.0.0.1.
const NOT_PUBLIC = new BlockList();
for (const [net, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16]] as const) {
  NOT_PUBLIC.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10]] as const) NOT_PUBLIC.addSubnet(net, bits, 'ipv6');

/**
 * A public address as a number (IPv4: 32 bits; IPv6: its first 64 bits, the routed prefix, which is all
 * an ASN or country database tells apart), or null for an address no network database can place.
 * IPv4-mapped IPv6 ('::ffff:203.0.113.9', as a dual-stack server reports IPv4 clients) is read as IPv4.
 */
export function parsePublicIp(input: string): ParsedIp | null {
  const ip = input.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (isIPv4(ip)) {
    if (NOT_PUBLIC.check(ip, 'ipv4')) return null;
    return { family: 4, value: ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0) };
  }
  if (isIPv6(ip)) {
    if (NOT_PUBLIC.check(ip, 'ipv6')) return null;
    return { family: 6, value: ipv6Prefix(ip) };
  }
  return null;
}

/** The first 64 bits of an IPv6 address. */
function ipv6Prefix(ip: string): bigint {
  const [head, tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return groups.slice(0, 4).reduce((n, group) => (n << 16n) | BigInt(parseInt(group || '0', 16)), 0n);
}
