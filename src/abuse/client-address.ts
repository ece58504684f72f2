import { createHmac } from 'node:crypto';
import { isIP, type BlockList } from 'node:net';

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * Who a limit counts against: an IPv4 address, or the /64 network of an IPv6 address (one subscriber
 * line is given a whole /64 and can hop through it at will). An IPv4 client that a dual-stack socket
 * reports as ::ffff:a.b.c.d counts as a.b.c.d. Null for anything that is not an address.
 */
export function limitedNetwork(ip: string): string | null {
  const address = ip.split('%')[0];
  const mapped = IPV4_MAPPED.exec(address);
  if (mapped && isIP(mapped[1]) === 4) return mapped[1];
  const family = isIP(address);
  if (family === 4) return address;
  if (family !== 6) return null;
  return `${firstGroups(address, 4).join(':')}::/64`;
}

/** The first `count` 16-bit groups of an IPv6 address, written without leading zeros. */
function firstGroups(address: string, count: number): string[] {
  const [head, tail] = address.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  // A trailing dotted IPv4 part (::1.2.3.4) fills two groups.
  const width = (parts: string[]) => parts.reduce((n, p) => n + (p.includes('.') ? 2 : 1), 0);
  const headGroups = groups(head);
  const expanded = tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - width(headGroups) - width(groups(tail))).fill('0'), ...groups(tail)];
  return expanded.slice(0, count).map((g) => (g.includes('.') ? g : parseInt(g, 16).toString(16)));
}

/**
 * The client addresses the limits see: whether one is exempt (RATE_LIMIT_ALLOWLIST), and the key it
 * is counted under. Keys are a keyed hash of the address's network, so the counters in Redis hold no
 * IP address in clear; every instance uses the same secret, so they count under the same key.
 */
export class ClientAddresses {
  private readonly secret: Buffer;

  constructor(
    private readonly allowlist: BlockList,
    pseudonymKey: Buffer,
  ) {
    // A key of its own, derived once: these keys never match an index of another kind of data.
    this.secret = createHmac('sha256', pseudonymKey).update('rate-limit-client-address').digest();
  }

  /** True when the address is allowlisted (an IPv4 entry also matches the ::ffff: form of its addresses). */
  exempt(ip: string): boolean {
    const family = isIP(ip);
    return family !== 0 && this.allowlist.check(ip, family === 6 ? 'ipv6' : 'ipv4');
  }

  /** The counter key of the address's network; null when `ip` is not an address. */
  keyOf(ip: string): string | null {
    const network = limitedNetwork(ip);
    return network === null ? null : createHmac('sha256', this.secret).update(network).digest('base64url').slice(0, 22);
  }
}
