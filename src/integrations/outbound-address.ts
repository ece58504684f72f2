import { BlockList, isIP } from 'node:net';

/**
 * Where deliveries may go (docs/webhooks.md, "Where we send"). A webhook URL is chosen by a client, so
 * without a rule it could make the service call its own network (SSRF): the metadata service at
 * 169.254.169.254, Redis on localhost, an admin port behind the firewall. When the rule is on
 * (production), loopback, private, link-local, unique-local and other non-public addresses are refused,
 * both when the URL is registered (an address literal) and at send time for every address the host
 * resolves to, so a name that later resolves inward is caught as well.
 */
const NON_PUBLIC = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) NON_PUBLIC.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128], // unspecified
  ['::1', 128],
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
  ['64:ff9b::', 96], // NAT64 can reach IPv4 private space
] as const) NON_PUBLIC.addSubnet(net, bits, 'ipv6');

/** IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it carries. */
export function isPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return isPublicAddress(mapped[1]);
  const family = isIP(address);
  if (family === 0) return false;
  return !NON_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Why a webhook URL is refused, or null when it may be used. `allowPrivate` turns the address rule off. */
export function webhookUrlProblem(raw: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http:// or https:// URL';
  // Credentials in the URL would be stored and shown in clear; the signature authenticates us instead.
  if (url.username || url.password) return 'must not carry a user name or password';
  if (url.hash) return 'must not carry a #fragment';
  if (allowPrivate) return null;
  // A fully qualified name's trailing dot (`localhost.`) names the same host.
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (isIP(host)) return isPublicAddress(host) ? null : 'must not point at a loopback, private or link-local address';
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal') || host.endsWith('.local')) return 'must not point at a local host name';
  return null;
}

/** The URL without its query string (which may carry a token), for logs and errors. */
export function loggableUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
