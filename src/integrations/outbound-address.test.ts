import { isPublicAddress, loggableUrl, webhookUrlProblem } from './outbound-address';

describe('where webhooks may be sent', () => {
  it('when an address is loopback, private, link-local, unique-local or otherwise not public, then it is not public', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', 'fc00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'not an ip']) {
      expect(`${a} ${isPublicAddress(a)}`).toBe(`${a} false`);
    }
  });

  it('when an address is public, then it is allowed', () => {
    for (const a of ['8.8.8.8', '172.32.0.1', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(`${a} ${isPublicAddress(a)}`).toBe(`${a} true`);
  });

  it('when private URLs are not allowed (production), then internal addresses and names are refused and public https URLs pass', () => {
    for (const url of ['http://127.0.0.1:8080/hook', 'https://[::1]/hook', 'http://169.254.169.254/latest/meta-data', 'https://10.0.0.5/x', 'http://localhost:3000/x', 'https://api.localhost/x', 'http://db.internal/x']) {
      expect(webhookUrlProblem(url, false)).not.toBeNull();
    }
    expect(webhookUrlProblem('https://hooks.example.com/calls?token=abc', false)).toBeNull();
    expect(webhookUrlProblem('https://8.8.8.8/calls', false)).toBeNull();
  });

  it('when an internal address is written another way (IPv4-mapped IPv6, decimal, hex, octal, trailing dot), then it is refused as well', () => {
    for (const url of ['http://[::ffff:127.0.0.1]/x', 'http://[::ffff:7f00:1]/x', 'http://[0:0:0:0:0:ffff:a9fe:a9fe]/x', 'http://2130706433/x', 'http://0x7f000001/x', 'http://0177.0.0.1/x', 'http://127.1/x', 'http://[64:ff9b::a9fe:a9fe]/x', 'http://169.254.169.254./x', 'http://localhost./x', 'https://db.internal./x', 'https://printer.local./x']) {
      expect(`${url} ${webhookUrlProblem(url, false) === null}`).toBe(`${url} false`);
    }
  });

  it('when private URLs are allowed (development, tests), then a local receiver is accepted', () => {
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook', true)).toBeNull();
  });

  it('when a URL is not http(s) or carries credentials or a fragment, then it is refused whatever the setting', () => {
    for (const url of ['ftp://hooks.example.com/x', 'file:///etc/passwd', 'https://user:pass@hooks.example.com/x', 'https://hooks.example.com/x#frag', 'not a url']) {
      expect(webhookUrlProblem(url, true)).not.toBeNull();
    }
  });

  it('when a URL is logged, then its query string (which may hold a token) is left out', () => {
    expect(loggableUrl('https://hooks.example.com/calls?token=s3cret')).toBe('https://hooks.example.com/calls');
  });
});
