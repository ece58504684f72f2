import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parsePublicIp } from './ip-address';
import { IpLocationDbLookup, type NetworkDatabaseFiles } from './network-lookup';

describe('parsePublicIp', () => {
  it.each(['127.0.0.1', '::1', '10.1.2.3', '192.168.0.10', '172.20.0.1', '100.64.0.1', '169.254.1.1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', 'not an ip', ''])(
    'when the address is %j, then no network database can place it',
    (ip) => {
      expect(parsePublicIp(ip)).toBeNull();
    },
  );

  it('when the address is public, then it is a number (IPv6: its first 64 bits)', () => {
    expect(parsePublicIp('8.8.8.8')).toEqual({ family: 4, value: 0x08080808 });
    expect(parsePublicIp('::ffff:8.8.8.8')).toEqual({ family: 4, value: 0x08080808 });
    expect(parsePublicIp('2001:db8:1:2::5')).toEqual({ family: 6, value: 0x20010db800010002n });
    expect(parsePublicIp('2001:db8::')).toEqual({ family: 6, value: 0x20010db800000000n });
  });
});

describe('IpLocationDbLookup', () => {
  describe('on small databases in the packages\' format', () => {
    let dir: string;
    let lookup: IpLocationDbLookup;

    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'ct-asn-'));
      const file = (name: string, lines: string[]) => {
        writeFileSync(path.join(dir, name), `${lines.join('\n')}\n`);
        return path.join(dir, name);
      };
      const v6 = (prefix: bigint) => String(prefix << 64n);
      const files: NetworkDatabaseFiles = {
        asnV4: file('asn4.csv', ['16777216,16777471,13335,"Cloudflare, Inc."', '134744064,134744319,15169,Google LLC', '134744320,134744575,15169,Google LLC']),
        asnV6: file('asn6.csv', [`${v6(0x20010db800000000n)},${String((0x20010db8ffffffffn << 64n) | 0xffffffffffffffffn)},64500,"Example ""Six"" Net"`]),
        countryV4: file('country4.csv', ['16777216,16777471,AU', '134744064,134744575,US']),
        countryV6: file('country6.csv', [`${v6(0x20010db800000000n)},${String((0x20010db8ffffffffn << 64n) | 0xffffffffffffffffn)},GB`]),
      };
      lookup = new IpLocationDbLookup(() => files);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('when an IPv4 address is inside a range, then its ASN, organisation and country are answered', async () => {
      expect(await lookup.lookup('1.0.0.7')).toEqual({ asn: 13335, isp: 'Cloudflare, Inc.', country: 'AU' });
      // Two neighbouring ranges of one ASN were merged: both ends still answer.
      expect(await lookup.lookup('8.8.8.8')).toEqual({ asn: 15169, isp: 'Google LLC', country: 'US' });
      expect(await lookup.lookup('8.8.9.255')).toEqual({ asn: 15169, isp: 'Google LLC', country: 'US' });
    });

    it('when an IPv6 address is inside a range, then it is answered, quotes unescaped', async () => {
      expect(await lookup.lookup('2001:db8:42::1')).toEqual({ asn: 64500, isp: 'Example "Six" Net', country: 'GB' });
    });

    it('when an address is in no range, or private, then nothing is known', async () => {
      expect(await lookup.lookup('9.9.9.9')).toEqual({ asn: null, isp: null, country: null });
      expect(await lookup.lookup('1.0.1.0')).toEqual({ asn: null, isp: null, country: null });
      expect(await lookup.lookup('127.0.0.1')).toEqual({ asn: null, isp: null, country: null });
      expect(await lookup.lookup(null)).toEqual({ asn: null, isp: null, country: null });
    });
  });

  it('when the database files are missing, then lookups answer "unknown" instead of failing', async () => {
    const missing = path.join(tmpdir(), 'no-such-dir', 'x.csv');
    const lookup = new IpLocationDbLookup(() => ({ asnV4: missing, asnV6: missing, countryV4: missing, countryV6: missing }));

    expect(await lookup.lookup('8.8.8.8')).toEqual({ asn: null, isp: null, country: null });
  });

  it('when the packaged databases are used, then well-known networks are recognised', async () => {
    const lookup = new IpLocationDbLookup();

    expect(await lookup.lookup('8.8.8.8')).toMatchObject({ asn: 15169, country: 'US' });
    expect(await lookup.lookup('2001:4860:4860::8888')).toMatchObject({ asn: 15169 });
    expect((await lookup.lookup('52.95.110.1')).asn).toBe(16509);
  });
});
