import { BlockList } from 'node:net';
import { ClientAddresses, limitedNetwork } from './client-address';

const SECRET = Buffer.alloc(32, 5);

function allowlist(...subnets: [string, number, 'ipv4' | 'ipv6'][]): BlockList {
  const list = new BlockList();
  for (const [address, prefix, type] of subnets) list.addSubnet(address, prefix, type);
  return list;
}

describe('limitedNetwork', () => {
  it.each([
    ['an IPv4 address', '198.51.100.23', '198.51.100.23'],
    ['an IPv4 address seen by a dual-stack socket', '::ffff:198.51.100.23', '198.51.100.23'],
    ['an IPv6 address', '2001:db8:aa:bb:1:2:3:4', '2001:db8:aa:bb::/64'],
    ['an IPv6 address with leading zeros', '2001:0db8:00aa:000b::1', '2001:db8:aa:b::/64'],
    ['an IPv6 address compressed in its network part', '2001:db8::1', '2001:db8:0:0::/64'],
    ['an IPv6 address compressed in its host part', '2001:db8:1:2::', '2001:db8:1:2::/64'],
    ['an IPv6 loopback', '::1', '0:0:0:0::/64'],
    ['an IPv6 address with a zone', 'fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['an IPv6 address ending in dotted IPv4', '64:ff9b::198.51.100.23', '64:ff9b:0:0::/64'],
  ])('when the client is %s, then it counts as its network', (_label, ip, expected) => {
    expect(limitedNetwork(ip)).toBe(expected);
  });

  it('when the value is not an address, then there is nothing to count', () => {
    expect(limitedNetwork('unknown')).toBeNull();
  });
});

describe('ClientAddresses', () => {
  it('when two addresses share an IPv6 /64, then they count under one key, and other networks under others', () => {
    const addresses = new ClientAddresses(new BlockList(), SECRET);

    expect(addresses.keyOf('2001:db8:aa:bb::1')).toBe(addresses.keyOf('2001:db8:aa:bb:ffff::2'));
    expect(addresses.keyOf('2001:db8:aa:bc::1')).not.toBe(addresses.keyOf('2001:db8:aa:bb::1'));
    expect(addresses.keyOf('198.51.100.23')).toBe(addresses.keyOf('::ffff:198.51.100.23'));
    expect(addresses.keyOf('198.51.100.24')).not.toBe(addresses.keyOf('198.51.100.23'));
  });

  it('when a key is made, then it does not hold the address, and another secret gives another key', () => {
    const key = new ClientAddresses(new BlockList(), SECRET).keyOf('198.51.100.23');

    expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(key).not.toContain('198');
    expect(new ClientAddresses(new BlockList(), Buffer.alloc(32, 6)).keyOf('198.51.100.23')).not.toBe(key);
  });

  it('when the allowlist holds a range, then its addresses are exempt in either notation and others are not', () => {
    const addresses = new ClientAddresses(allowlist(['127.0.0.0', 8, 'ipv4'], ['2001:db8::', 32, 'ipv6']), SECRET);

    expect(addresses.exempt('127.0.0.1')).toBe(true);
    expect(addresses.exempt('::ffff:127.0.0.1')).toBe(true);
    expect(addresses.exempt('2001:db8:5::9')).toBe(true);
    expect(addresses.exempt('198.51.100.23')).toBe(false);
    expect(addresses.exempt('2001:db9::1')).toBe(false);
    expect(addresses.exempt('not an address')).toBe(false);
  });
});
