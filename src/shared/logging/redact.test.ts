import { maskIp, maskPhone, redactText, redactValue } from './redact';

describe('maskPhone', () => {
  it('when given an E.164 number, then only the country prefix and the last four digits remain', () => {
    expect(maskPhone('+442079460123')).toBe('+44******0123');
  });

  it('when given a national number with spaces, then the first and last four digits remain', () => {
    expect(maskPhone('020 7946 0123')).toBe('0******0123');
  });

  it('when two numbers differ in length, then their masks have the same length', () => {
    expect(maskPhone('+1 (212) 555-0142')).toHaveLength(maskPhone('+442079460123').length);
    expect(maskPhone('+1 (212) 555-0142')).not.toContain('2125550142');
  });

  it('when the value has too few digits to be a number, then nothing of it is kept', () => {
    expect(maskPhone('+44 77')).toBe('******');
  });
});

describe('maskIp', () => {
  it('when given an IPv4 address, then only its first block remains', () => {
    expect(maskIp('203.0.113.57')).toBe('203.***.***.***');
  });

  it('when given an IPv6 address, then only its first group remains', () => {
    expect(maskIp('2001:db8:85a3::8a2e:370:7334')).toBe('2001:****');
  });
});

describe('redactText', () => {
  it('when free text holds phone numbers in several formats, then each is masked', () => {
    const text = redactText('call from +447700900123 to 0113 496 0123, forwarded to (212) 555-0142 and 020-7946-0999');

    expect(text).toBe('call from +44******0123 to 0******0123, forwarded to (2******0142 and 0******0999');
  });

  it('when free text holds IP addresses, then each keeps only its first block', () => {
    expect(redactText('client 203.0.113.57 via 2001:db8:85a3::8a2e:370:7334')).toBe('client 203.***.***.*** via 2001:****');
  });

  it('when a number is URL-encoded in a request path, then it is masked too', () => {
    const text = redactText('/v1/numbers/%2B447700900123/calls');

    expect(text).not.toContain('7700900123');
    expect(text).toContain('0123');
  });

  it('when a plus sign directly follows a word, then the number after it is still masked', () => {
    expect(redactText('tel+447700900123')).not.toContain('7700900123');
  });

  it('when text holds short numbers, times, dates and hex ids, then they are left alone', () => {
    const text = 'order 12345 at 10:02:00 on 2026-11-30T10:00:00.000Z, CallSid CA0123456789abcdef0123456789abcdef';

    expect(redactText(text)).toBe(text);
  });
});

describe('redactValue', () => {
  it('when a key names a secret, then the whole value is replaced whatever its type', () => {
    const out = redactValue('meta', {
      authorization: 'Bearer ctk_admin_0123456789abcdef01234567',
      apiKey: 'ctk_admin_0123456789abcdef01234567',
      'x-api-key': 'abc',
      authToken: 'twilio-token',
      password: 'hunter2',
      cookie: 'sid=1',
      'X-Twilio-Signature': 'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
      clientSecret: { nested: 'still secret' },
    });

    expect(out).toEqual({
      authorization: '[redacted]',
      apiKey: '[redacted]',
      'x-api-key': '[redacted]',
      authToken: '[redacted]',
      password: '[redacted]',
      cookie: '[redacted]',
      'X-Twilio-Signature': '[redacted]',
      clientSecret: '[redacted]',
    });
  });

  it('when a key names a phone number, then the value is masked even if it would not look like one in text', () => {
    const out = redactValue('meta', { from: '+447700900123', To: '+4477009', forwardTo: '+442079460999', caller_phone: '07700 900123' });

    expect(out).toEqual({ from: '+44******0123', To: '******', forwardTo: '+44******0999', caller_phone: '0******0123' });
  });

  it('when a key names an IP address, then only the first block is kept', () => {
    expect(redactValue('meta', { ip: '198.51.100.7', remoteAddress: '2001:db8::1' })).toEqual({ ip: '198.***.***.***', remoteAddress: '2001:****' });
  });

  it('when personal data sits deep inside objects and arrays, then it is masked there too', () => {
    const out = redactValue('meta', { call: { legs: [{ caller: '+15555550142', note: 'rang 0113 496 0456 twice' }] }, tokens: ['a'] });

    expect(out).toEqual({ call: { legs: [{ caller: '+15******0142', note: 'rang 0******0456 twice' }] }, tokens: '[redacted]' });
  });

  it('when the value is an Error, then its name and a masked message are kept and the stack is dropped', () => {
    const error = new TypeError('no route for +447700900126');

    expect(redactValue('error', error)).toEqual({ name: 'TypeError', message: 'no route for +44******0126' });
  });

  it('when objects nest deeper than the limit, then the rest is cut off', () => {
    let deep: Record<string, unknown> = { phone: '+447700900123' };
    for (let i = 0; i < 10; i++) deep = { inner: deep };

    expect(JSON.stringify(redactValue('meta', deep))).not.toContain('7700900123');
    expect(JSON.stringify(redactValue('meta', deep))).toContain('[depth]');
  });

  it('when the value is a number, boolean, null or undefined, then it passes unchanged', () => {
    expect(redactValue('meta', { ms: 12, ok: true, none: null, missing: undefined })).toEqual({ ms: 12, ok: true, none: null, missing: undefined });
  });
});

describe('redactValue with numeric phone fields', () => {
  it('when a phone field holds a number rather than a string, then it is masked too', () => {
    expect(redactValue('to', 447700900123)).toBe('4******0123');
    expect(JSON.stringify(redactValue('meta', { from: 442079460123, count: 3 }))).not.toContain('442079460123');
  });
});
