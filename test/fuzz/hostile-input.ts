import fc from 'fast-check';

/**
 * Building blocks of hostile input: strings an attacker or a broken client sends, numbers at the edges
 * of what JSON and JavaScript represent, phone numbers that look almost right, and JSON that is valid
 * but shaped to hurt (deep, wide, huge).
 */

/** A JSON number written exactly as given, for values JSON.stringify cannot produce (1e400, -0, 30 digits). */
export class RawJsonNumber {
  constructor(readonly literal: string) {}
}

/** JSON.stringify, except that RawJsonNumber is written verbatim. */
export function toJsonText(value: unknown): string {
  const marks: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof RawJsonNumber) {
      marks.push(v.literal);
      return `\u0000raw${marks.length - 1}\u0000`;
    }
    return v;
  });
  return (text ?? 'null').replace(/"\\u0000raw(\d+)\\u0000"/g, (_m, i: string) => marks[Number(i)]);
}

const LONG = 10_000;

export const INJECTION_STRINGS = [
  "' OR 1=1--",
  "'; DROP TABLE calls;--",
  '" OR ""="',
  "1' AND pg_sleep(5)--",
  '$1',
  '\\',
  "'",
  '%s%s%s%n',
  '{{7*7}}',
  '${7*7}',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/etc/passwd\u0000.png',
  '\r\nSet-Cookie: injected=1',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
];

/** Postgres text and jsonb cannot hold U+0000; JavaScript strings and JSON can. */
export const NUL_STRINGS = ['\u0000', 'a\u0000b', 'https://shop.example/\u0000', '1234567890.\u00001700000000'];

export const UNICODE_STRINGS = [
  '\u202egnp.exe', // right-to-left override
  '\u200b\u200c\u200d\u2060\ufeff', // zero-width characters
  '📞👨‍👩‍👧‍👦🏳️‍🌈',
  '\ud800', // lone high surrogate
  '\udfff', // lone low surrogate
  'a\ud83dz', // half an emoji
  'Z̸̡̢͎a̵̢l̸g̶o̷',
  'ℌ𝔢𝔩𝔩𝔬',
  'مرحبا',
  '\u0085\u2028\u2029',
  'ｆｕｌｌｗｉｄｔｈ',
];

export const NUMBER_LIKE_STRINGS = ['1e308', '1e309', '-0', 'NaN', 'Infinity', '-1', '0x1F', '9007199254740993', '1'.repeat(40), '0.1', ' 1', ''];

export const ID_LIKE_STRINGS = [
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '123e4567-e89b-12d3-a456-426614174000 ',
  '{123e4567-e89b-12d3-a456-426614174000}',
  '123e4567e89b12d3a456426614174000',
  'null',
  'undefined',
  'true',
  '   ',
];

/** Almost phone numbers: wrong length, wrong country, national format, other digits, extra characters. */
export const BAD_PHONE_NUMBERS = [
  '+44',
  '0000',
  '+999999999999999999',
  '+4420794600',
  '020 7946 0000',
  '+44 (0) 20 7946 0000',
  '++442079460000',
  '+44\u00002079460000',
  '+44２０７９４６００００',
  '+٤٤٢٠٧٩٤٦٠٠٠٠',
  'tel:+442079460000',
  '+0',
  '+',
  '+1 555-0100 ext. 1234567890',
  '+12125550100;ext=1',
  '+44 20 7946 0000 OR 1=1',
];

/** Fictional numbers in the right format (Ofcom drama range, US 555-01xx). */
export const FICTIONAL_NUMBERS = ['+442079460000', '+442079460123', '+12125550100', '+12125550142'];

export const LONG_STRINGS = [
  'A'.repeat(LONG),
  '%'.repeat(LONG),
  '9'.repeat(LONG),
  'é'.repeat(LONG / 2),
];

export const HOSTILE_STRINGS = [...INJECTION_STRINGS, ...NUL_STRINGS, ...UNICODE_STRINGS, ...NUMBER_LIKE_STRINGS, ...ID_LIKE_STRINGS, ...BAD_PHONE_NUMBERS];

/** A hostile string: a known-bad one, random unicode (lone surrogates included), or very long. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.constantFrom(...NUL_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom(...LONG_STRINGS) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...HOSTILE_STRINGS), fc.constantFrom(...HOSTILE_STRINGS)).map(([a, b]) => a + b) },
);

export const hostileNumber: fc.Arbitrary<number | RawJsonNumber> = fc.oneof(
  fc.constantFrom(0, -1, 1.5, 0.1, 2 ** 31, 2 ** 53 + 2, -(2 ** 53) - 2, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 1e308),
  fc.constantFrom('1e400', '-1e400', '-0', '1e-400', '123456789012345678901234567890', '0.0000000000000000000001').map((l) => new RawJsonNumber(l)),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Valid JSON shaped to hurt: nested 1000 deep, 5000 wide, keys that name Object.prototype. */
export const hostileStructure: fc.Arbitrary<unknown> = fc.constantFrom<() => unknown>(
  () => nested(1000, (inner) => ({ a: inner })),
  () => nested(1000, (inner) => [inner]),
  () => Array.from({ length: 5000 }, (_, i) => i),
  () => Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i])),
  () => JSON.parse('{"__proto__": {"polluted": true, "isAdmin": true}, "constructor": {"prototype": {"polluted": true}}}') as unknown,
  () => ({ toString: 'x', valueOf: 1, hasOwnProperty: null }),
).map((make) => make());

function nested(depth: number, wrap: (inner: unknown) => unknown): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i += 1) v = wrap(v);
  return v;
}

/** Any JSON value, weighted towards the hostile. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], ['' as unknown]) },
  { weight: 1, arbitrary: fc.constantFrom(...BAD_PHONE_NUMBERS, ...FICTIONAL_NUMBERS) },
  { weight: 1, arbitrary: hostileStructure },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 60 }) },
);

/**
 * Percent-encodes a path segment. encodeURIComponent throws on lone surrogates; they are sent as the
 * bytes a careless encoder would produce (CESU-8), which is invalid UTF-8 for the server to reject.
 */
export function encodeSegment(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(ch);
    }
  }
  return out;
}

/** Already-encoded segments a decoder must survive: broken escapes, overlong and invalid UTF-8, encoded slashes and dots. */
export const RAW_PATH_SEGMENTS = ['%', '%zz', '%E0%A4%A', '%C0%AF', '%ED%A0%80', '%FF%FE', '%00', '..%2F..%2Fetc%2Fpasswd', '%2E%2E', '%252E%252E%252F', 'a%2Fb', ';x=1', '*', '~'];
