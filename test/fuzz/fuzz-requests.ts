import fc from 'fast-check';
import type { RouteEntry } from '../support/route-inventory';
import { TEST_ADMIN_KEY } from '../support/test-app';
import { BROWSER_USER_AGENT, GOOGLEBOT_USER_AGENT } from '../support/user-agents';
import type { FuzzWorld } from './fuzz-world';
import { BAD_PHONE_NUMBERS, FICTIONAL_NUMBERS, RAW_PATH_SEGMENTS, encodeSegment, hostileString, hostileValue } from './hostile-input';
import { describedRequest, type FuzzBody, type FuzzRequest, type Signing } from './send-fuzz-request';
import { validInputs, type ValidInput } from './valid-requests';

/** Which part of the service a route belongs to: each gets the inputs its real callers (and attackers) send. */
export type Surface = 'admin' | 'tracking' | 'webhook' | 'public';

export function surfaceOf(path: string): Surface {
  if (path.startsWith('/v1/')) return 'admin';
  if (path.startsWith('/t/')) return 'tracking';
  if (path.startsWith('/webhooks/')) return 'webhook';
  return 'public';
}

/** Field names the service reads somewhere, to send with the wrong types where another route expects them. */
const KNOWN_FIELDS = [
  'name', 'clientId', 'siteId', 'poolId', 'domains', 'trackingEnabled', 'swapTargets', 'forwardTo', 'count', 'country', 'numberType', 'areaCode',
  'role', 'alsoClientIds', 'e164', 'url', 'referrer', 'title', 'visitorId', 'visitId', 'leaseToken', 'state', 'kind', 'type', 'subject', 'changes',
  'whisper', 'record', 'fallback', 'dialTimeoutSeconds', 'leaseSeconds', 'consent', 'honorDnt', 'activityRetentionDays', 'callRetentionMonths',
  'twilioBundleSid', 'pageView', 'gaClientId', 'CallSid', 'To', 'From', 'CallStatus', 'ParentCallSid', 'RecordingSid', 'RecordingUrl',
];
const KNOWN_QUERY_KEYS = ['siteId', 'from', 'to', 'cursor', 'limit', 'e164', 'clientId', 'format', 'attempt', 'kind', 'callSid'];

const CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'text/html',
  'multipart/form-data; boundary=fuzz',
  'application/x-www-form-urlencoded',
  'application/json; charset=koi8-r',
  'application/json; charset=utf-16',
  'application/vnd.api+json',
  'application/json;;;charset',
  'image/png',
  '*/*',
];

const INVALID_JSON = [
  '{"name":',
  '{name: "x"}',
  "{'name': 'x'}",
  'NaN',
  '\ufeff{"name":"x"}',
  '{"a":1}{"b":2}',
  '['.repeat(5000),
  '{"a":"\\ud800"}',
  '{"__proto__": {"isAdmin": true}}',
  '',
  'null',
  '"just a string"',
];

const XML_BOMB = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><x>&c;</x>';
const MULTIPART = '--fuzz\r\nContent-Disposition: form-data; name="name"\r\n\r\n<script>alert(1)</script>\r\n--fuzz\r\nContent-Disposition: form-data; name="file"; filename="../../etc/passwd"\r\nContent-Type: application/octet-stream\r\n\r\n\u0000\u0001\r\n--fuzz--\r\n';

/** Bodies larger than any limit (16 kB on /t, 64 kB on /v1 and the webhooks). */
const OVERSIZED_BYTES = [17_000, 70_000, 300_000];

/** HTTP header values must be Latin-1 without control characters; anything else would not even leave the client. */
function headerSafe(s: string, max = 4000): string {
  return s.replace(/[^\t\x20-\x7e\xa0-\xff]/g, '?').slice(0, max);
}

const hostileHeader = hostileString.map((s) => headerSafe(s));

/** A value for path parameter `name`: a real id (of its own kind or another), an unknown uuid, or something hostile. */
function paramValue(name: string, w: FuzzWorld): fc.Arbitrary<string> {
  const own = w.idsByParam[name] ?? w.allIds;
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...own).map(encodeSegment) },
    { weight: 1, arbitrary: fc.constantFrom(...w.allIds).map(encodeSegment) },
    { weight: 1, arbitrary: fc.uuid().map(encodeSegment) },
    { weight: 1, arbitrary: fc.constantFrom(...own).map((id) => encodeSegment(id.toUpperCase())) },
    { weight: 6, arbitrary: hostileString.map(encodeSegment) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_PATH_SEGMENTS) },
  );
}

const PARAM = /:([A-Za-z_$][\w$]*)/g;

/** The route's path with its parameters filled: with the seeded ids ('own'), or with anything ('any'). */
function pathArbitrary(route: RouteEntry, w: FuzzWorld, values: 'own' | 'any'): fc.Arbitrary<string> {
  const names = [...route.path.matchAll(PARAM)].map((m) => m[1]);
  if (names.length === 0) return fc.constant(route.path);
  const value = (name: string) => (values === 'own' ? fc.constantFrom(...(w.idsByParam[name] ?? w.allIds)).map(encodeSegment) : paramValue(name, w));
  return fc.tuple(...names.map(value)).map((filled) => {
    let i = 0;
    return route.path.replace(PARAM, () => filled[i++]);
  });
}

function encodeQuery(q: Record<string, string>): string {
  return Object.entries(q)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

function queryArbitrary(valid: Record<string, string> | undefined): fc.Arbitrary<string> {
  const base = valid ?? {};
  const keys = [...new Set([...Object.keys(base), ...KNOWN_QUERY_KEYS])];
  const pair = fc
    .tuple(
      fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: hostileString }),
      fc.oneof({ weight: 4, arbitrary: hostileString.map(encodeSegment) }, { weight: 1, arbitrary: fc.constantFrom(...RAW_PATH_SEGMENTS) }),
    )
    .map(([k, v]) => `${encodeSegment(k)}=${v}`);
  return fc.oneof(
    // The valid query with parameters replaced, repeated (an array) or added.
    { weight: 4, arbitrary: fc.tuple(fc.array(pair, { minLength: 1, maxLength: 3 }), fc.boolean()).map(([extra, keep]) => [...(keep ? [encodeQuery(base)] : []), ...extra].join('&')) },
    { weight: 1, arbitrary: fc.constantFrom('&&&', '=', '==&=', '%', 'a[b][c]=1&a[b]=2', '__proto__[polluted]=1', 'limit=1&limit=2', `x=${'y'.repeat(9000)}`) },
  );
}

type Json = Record<string, unknown> | unknown[];

/** Paths to every leaf (and every object or array on the way) of a JSON value. */
function pathsIn(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return prefix.length ? [prefix] : [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return [...(prefix.length ? [prefix] : []), ...entries.flatMap(([k, v]) => pathsIn(v, [...prefix, k]))];
}

function valueAt(value: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], value);
}

function withValueAt(value: Json, path: (string | number)[], replacement: unknown, remove = false): Json {
  const copy = structuredClone(value) as Json;
  let node: Record<string | number, unknown> = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (remove) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else {
    node[last] = replacement;
  }
  return copy;
}

/** The valid body, unchanged or with one field given a hostile value, removed, or joined by an unknown one. */
function mutatedJson(valid: Record<string, unknown>, value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const paths = pathsIn(valid);
  const steps: fc.WeightedArbitrary<unknown>[] = [
    { weight: 1, arbitrary: fc.constant(valid) },
    { weight: 1, arbitrary: fc.tuple(fc.oneof(fc.constantFrom(...KNOWN_FIELDS, '__proto__', 'constructor'), hostileString), value).map(([k, v]) => ({ ...valid, [k]: v })) },
  ];
  if (paths.length) {
    // A text field mostly gets hostile text: that is what reaches the database.
    const valueFor = (p: (string | number)[]) => (typeof valueAt(valid, p) === 'string' ? fc.oneof({ weight: 3, arbitrary: hostileString }, { weight: 2, arbitrary: value }) : value);
    steps.push({ weight: 3, arbitrary: fc.oneof(...paths.map((p) => valueFor(p).map((v) => withValueAt(valid, p, v)))) });
    steps.push({ weight: 1, arbitrary: fc.constantFrom(...paths).map((p) => withValueAt(valid, p, undefined, true)) });
  }
  return fc.oneof(...steps);
}

function jsonBodies(valid: Record<string, unknown> | undefined, surface: Surface): fc.Arbitrary<FuzzBody> {
  // The tracking script posts text/plain (no CORS preflight); the parser takes both there.
  const jsonType = surface === 'tracking' ? fc.constantFrom('application/json', 'text/plain') : fc.constant('application/json');
  const json = (value: fc.Arbitrary<unknown>) => fc.tuple(jsonType, value).map(([contentType, v]): FuzzBody => ({ kind: 'json', contentType, value: v }));
  const phoneOrValue = fc.oneof({ weight: 3, arbitrary: hostileValue }, { weight: 1, arbitrary: fc.constantFrom(...BAD_PHONE_NUMBERS, ...FICTIONAL_NUMBERS) });
  const arbitraries: fc.WeightedArbitrary<FuzzBody>[] = [
    { weight: 2, arbitrary: json(fc.dictionary(fc.constantFrom(...KNOWN_FIELDS), phoneOrValue, { maxKeys: 6 })) },
    { weight: 2, arbitrary: json(hostileValue) },
    { weight: 1, arbitrary: fc.tuple(jsonType, fc.constantFrom(...INVALID_JSON)).map(([contentType, text]): FuzzBody => ({ kind: 'text', contentType, text })) },
  ];
  if (valid) arbitraries.push({ weight: 6, arbitrary: json(mutatedJson(valid, phoneOrValue)) });
  return fc.oneof(...arbitraries);
}

/** Form fields: the valid ones with one changed, dropped, repeated or joined by another; or random ones. */
function formBodies(valid: Record<string, string> | undefined): fc.Arbitrary<FuzzBody> {
  const base = valid ?? {};
  const keys = Object.keys(base);
  const anyKey = fc.oneof(fc.constantFrom(...KNOWN_FIELDS, '__proto__', 'constructor', 'To[]', 'CallSid[0]'), hostileString);
  const form = (fields: fc.Arbitrary<Record<string, string | string[]>>) => fields.map((f): FuzzBody => ({ kind: 'form', contentType: 'application/x-www-form-urlencoded', fields: f }));
  const steps: fc.Arbitrary<Record<string, string | string[]>>[] = [
    fc.constant(base),
    fc.tuple(anyKey, hostileString).map(([k, v]) => ({ ...base, [k]: v })),
    fc.dictionary(anyKey, fc.oneof(hostileString, fc.array(hostileString, { maxLength: 3 })), { maxKeys: 8 }),
  ];
  if (keys.length) {
    steps.push(fc.tuple(fc.constantFrom(...keys), fc.oneof(hostileString, fc.constantFrom(...BAD_PHONE_NUMBERS))).map(([k, v]) => ({ ...base, [k]: v })));
    steps.push(fc.constantFrom(...keys).map((k) => Object.fromEntries(Object.entries(base).filter(([key]) => key !== k))));
    steps.push(fc.tuple(fc.constantFrom(...keys), hostileString).map(([k, v]) => ({ ...base, [k]: [base[k], v] })));
  }
  return form(fc.oneof(...steps));
}

/** What a wrong client sends instead: another format, no content type, a body over the limit. */
const foreignBodies: fc.Arbitrary<FuzzBody> = fc.oneof(
  fc.tuple(fc.constantFrom<string | null>(...CONTENT_TYPES, null), fc.oneof(hostileString, fc.constantFrom(XML_BOMB, MULTIPART, '{"name":"x"}', 'name=x&count=1'))).map(
    ([contentType, text]): FuzzBody => ({ kind: 'text', contentType, text }),
  ),
  fc.tuple(fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'), fc.constantFrom(...OVERSIZED_BYTES)).map(
    ([contentType, bytes]): FuzzBody => ({
      kind: 'text',
      contentType,
      text: contentType === 'application/x-www-form-urlencoded' ? `To=${'9'.repeat(bytes)}` : `{"name":"${'A'.repeat(bytes)}"}`,
    }),
  ),
);

function bodyArbitrary(route: RouteEntry, surface: Surface, valid: ValidInput | undefined): fc.Arbitrary<FuzzBody> {
  const none = fc.constant<FuzzBody>({ kind: 'none' });
  const reading = route.method === 'GET' || route.method === 'DELETE';
  if (surface === 'webhook') {
    return fc.oneof({ weight: 8, arbitrary: formBodies(valid?.form) }, { weight: 1, arbitrary: jsonBodies(undefined, surface) }, { weight: 2, arbitrary: foreignBodies }, { weight: 1, arbitrary: none });
  }
  if (reading) return fc.oneof({ weight: 6, arbitrary: none }, { weight: 1, arbitrary: jsonBodies(undefined, surface) }, { weight: 1, arbitrary: foreignBodies });
  return fc.oneof({ weight: 8, arbitrary: jsonBodies(valid?.body, surface) }, { weight: 2, arbitrary: foreignBodies }, { weight: 1, arbitrary: none });
}

const AUTHORIZATION = fc.oneof(
  { weight: 16, arbitrary: fc.constant(`Bearer ${TEST_ADMIN_KEY}`) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 3,
    arbitrary: fc.oneof(
      fc.constantFrom(`Bearer ${TEST_ADMIN_KEY}x`, `Bearer ${TEST_ADMIN_KEY} extra`, `Basic ${Buffer.from(`admin:${TEST_ADMIN_KEY}`).toString('base64')}`, 'Bearer', 'Bearer ', `Bearer ${'k'.repeat(300)}`, `bearer  ${TEST_ADMIN_KEY.toUpperCase()}`),
      hostileHeader.map((s) => `Bearer ${s}`),
    ),
  },
);

const ORIGIN = (w: FuzzWorld) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(w.origin) },
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.oneof(fc.constantFrom('null', 'https://evil.example', `${w.origin}.evil.example`, w.origin.replace('https', 'http'), `${w.origin}:99999`), hostileHeader) },
  );

const USER_AGENT = fc.oneof({ weight: 6, arbitrary: fc.constant(BROWSER_USER_AGENT) }, { weight: 1, arbitrary: fc.constantFrom(GOOGLEBOT_USER_AGENT, undefined) }, { weight: 2, arbitrary: hostileHeader });

/** Headers any client might get wrong: forwarded addresses, encodings, caching, request ids. */
const MISC_HEADERS = fc.record(
  {
    'X-Forwarded-For': fc.oneof(fc.constantFrom('999.999.1.1', '::ffff:zz', '203.0.113.7, 10.0.0.1, junk', '2001:db8::1', ' , , '), hostileHeader),
    'Content-Encoding': fc.constantFrom('gzip', 'deflate', 'br', 'compress', 'identity', 'gzip, gzip'),
    'Accept-Encoding': fc.constantFrom('gzip', '*;q=0', 'identity;q=0', 'br;q=1.0, gzip;q=0.5'),
    'If-None-Match': fc.oneof(fc.constantFrom('*', 'W/"x"', '"'), hostileHeader),
    'X-Request-Id': hostileHeader,
    DNT: fc.constantFrom('1', '0', 'yes'),
    'Sec-GPC': fc.constantFrom('1', 'true'),
  },
  { requiredKeys: [] },
);

const SIGNING = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Signing>('valid') },
  { weight: 2, arbitrary: fc.constant<Signing>('none') },
  { weight: 3, arbitrary: fc.constantFrom<Signing>('other-token', 'tampered', 'garbage', 'shared-key-settings') },
);

const OTHER_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];

/** The parts of a request; a fuzzed request breaks one of them (the rest as a real caller sends them), none, or all. */
type Part = 'method' | 'path' | 'query' | 'headers' | 'body' | 'signing';
type Breaking = Part | 'nothing' | 'everything';

const BREAKING_WEIGHTS: [Breaking, number][] = [
  ['body', 5],
  ['path', 2],
  ['query', 1],
  ['headers', 2],
  ['method', 1],
  ['signing', 1],
  ['nothing', 1],
  ['everything', 3],
];

/** Requests for one route: each a real caller's request with one part broken (or none, or all of them). */
export function requestArbitrary(route: RouteEntry, w: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const surface = surfaceOf(route.path);
  const valid = validInputs(w)[`${route.method} ${route.path}`];
  const ownMethod = route.method === 'ALL' ? 'GET' : route.method;
  const defined = (h: Record<string, string | undefined>) => Object.fromEntries(Object.entries(h).filter((e): e is [string, string] => e[1] !== undefined));
  const validHeaders: Record<string, string> =
    surface === 'admin' ? { Authorization: `Bearer ${TEST_ADMIN_KEY}` } : surface === 'tracking' ? { Origin: w.origin, 'User-Agent': BROWSER_USER_AGENT } : {};
  const surfaceHeaders: fc.Arbitrary<Record<string, string | undefined>> =
    surface === 'admin' ? fc.record({ Authorization: AUTHORIZATION }) : surface === 'tracking' ? fc.record({ Origin: ORIGIN(w), 'User-Agent': USER_AGENT }) : fc.constant({});

  const parts: { [P in Part]: { valid: fc.Arbitrary<FuzzRequest[P]>; broken: fc.Arbitrary<FuzzRequest[P]> } } = {
    method: { valid: fc.constant(ownMethod), broken: fc.constantFrom(...OTHER_METHODS) },
    path: { valid: pathArbitrary(route, w, 'own'), broken: pathArbitrary(route, w, 'any') },
    query: { valid: fc.constant(encodeQuery(valid?.query ?? {})), broken: queryArbitrary(valid?.query) },
    headers: {
      valid: fc.constant(validHeaders),
      broken: fc.tuple(surfaceHeaders, fc.oneof({ weight: 1, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: MISC_HEADERS })).map(([own, misc]) => defined({ ...misc, ...own })),
    },
    body: { valid: fc.constant(validBody(surface, valid)), broken: bodyArbitrary(route, surface, valid) },
    signing: { valid: fc.constant<Signing>(surface === 'webhook' ? 'valid' : 'none'), broken: surface === 'webhook' ? SIGNING : fc.constant<Signing>('none') },
  };
  const pick = <P extends Part>(part: P, breaking: Breaking) => (breaking === part || breaking === 'everything' ? parts[part].broken : parts[part].valid);
  const applicable = BREAKING_WEIGHTS.filter(([b]) => b !== 'signing' || surface === 'webhook');
  return fc
    .oneof(
      ...applicable.map(([breaking, weight]) => ({
        weight,
        arbitrary: fc.record({
          method: pick('method', breaking),
          path: pick('path', breaking),
          query: pick('query', breaking),
          headers: pick('headers', breaking),
          body: pick('body', breaking),
          signing: pick('signing', breaking),
          broken: fc.constant(breaking),
        }),
      })),
    )
    // Node's HTTP parser reads the body of a HEAD request as the start of the next request and answers 400 itself.
    .map(({ broken, ...r }) => describedRequest({ ...r, body: r.method === 'HEAD' ? { kind: 'none' } : r.body, route: `${route.method} ${route.path}` }, broken));
}

/** The body a real caller sends: the route's valid input in the format its callers use, or none. */
function validBody(surface: Surface, valid: ValidInput | undefined): FuzzBody {
  if (valid?.form) return { kind: 'form', contentType: 'application/x-www-form-urlencoded', fields: valid.form };
  if (valid?.body) return { kind: 'json', contentType: surface === 'tracking' ? 'text/plain' : 'application/json', value: valid.body };
  return { kind: 'none' };
}
