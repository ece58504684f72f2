import type { Server } from 'node:http';
import fc from 'fast-check';
import request from 'supertest';
import type { Response } from 'supertest';
import { twilioSignature } from '../support/twilio-webhooks';
import { toJsonText } from './hostile-input';

export type FuzzBody =
  | { kind: 'none' }
  /** Serialised with toJsonText, so raw numbers such as 1e400 survive. */
  | { kind: 'json'; contentType: string | null; value: unknown }
  | { kind: 'form'; contentType: string | null; fields: Record<string, string | string[]> }
  | { kind: 'text'; contentType: string | null; text: string };

/** none: no X-Twilio-Signature; valid: as Twilio signs; the rest are forgeries of some kind. */
export type Signing = 'none' | 'valid' | 'other-token' | 'tampered' | 'garbage' | 'shared-key-settings';

/** One fuzzed request, as it goes on the wire. */
export interface FuzzRequest {
  method: string;
  /** The route it aims at, as listRoutes names it ('POST /v1/pools'). */
  route: string;
  /** Percent-encoded path, params filled in. */
  path: string;
  /** Percent-encoded query string without '?', or ''. */
  query: string;
  headers: Record<string, string>;
  body: FuzzBody;
  signing: Signing;
}

/** fast-check prints counterexamples with this: long values shortened, so a failure stays readable. */
export function describedRequest(r: FuzzRequest, broken: string): FuzzRequest {
  const short = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}...(${s.length} chars)` : s);
  Object.defineProperty(r, fc.toStringMethod, {
    enumerable: false,
    value: () => {
      const body = r.body.kind === 'none' ? '(no body)' : `${r.body.contentType ?? '(no content type)'} ${short(bodyText(r.body))}`;
      return `[${r.route}, broken: ${broken}] ${r.method} ${short(r.path)}${r.query ? `?${short(r.query)}` : ''} headers=${short(JSON.stringify(r.headers))} signing=${r.signing} body=${body}`;
    },
  });
  return r;
}

/** The size of the body on the wire, in bytes. */
export function bodyBytes(r: FuzzRequest): number {
  return r.body.kind === 'none' ? 0 : Buffer.byteLength(bodyText(r.body));
}

function bodyText(b: Exclude<FuzzBody, { kind: 'none' }>): string {
  return b.kind === 'json' ? toJsonText(b.value) : b.kind === 'form' ? formText(b.fields) : b.text;
}

function formPairs(fields: Record<string, string | string[]>): [string, string][] {
  return Object.entries(fields).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v] as [string, string]]));
}

/** Lone surrogates cannot travel in a form; what arrives (and what Twilio would sign) has U+FFFD instead. */
const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

function formText(fields: Record<string, string | string[]>): string {
  return new URLSearchParams(formPairs(fields)).toString();
}

/** What express.urlencoded makes of the fields: repeated names become arrays, in order. */
function receivedForm(fields: Record<string, string | string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of formPairs(fields).map(([a, b]) => [wellFormed(a), wellFormed(b)])) {
    const prev = Object.prototype.hasOwnProperty.call(out, k) ? out[k] : undefined;
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function signatureHeaders(r: FuzzRequest): Record<string, string> {
  // Twilio signs the URL it calls; supertest sends the query as the WHATWG URL parser re-encodes it.
  const sent = new URL(`${r.path}${r.query ? `?${r.query}` : ''}`, 'http://fuzz.invalid');
  const url = `${sent.pathname}${sent.search}`;
  const params = r.body.kind === 'form' ? receivedForm(r.body.fields) : {};
  switch (r.signing) {
    case 'none':
      return {};
    case 'valid':
      return { 'X-Twilio-Signature': twilioSignature(url, params) };
    case 'other-token':
      return { 'X-Twilio-Signature': twilioSignature(url, params, { authToken: 'not-the-configured-auth-token' }) };
    case 'tampered':
      return { 'X-Twilio-Signature': twilioSignature(url, { ...params, CallDuration: '9999' }) };
    case 'garbage':
      return { 'X-Twilio-Signature': 'AAAA/not+a+signature=' };
    case 'shared-key-settings':
      return { 'X-Twilio-Signature': twilioSignature(url, params), 'X-Twilio-Webhooks-Signature-Settings': 'key=SK0,algorithm=HMAC_MD5' };
  }
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'options' | 'head';

/** Sends the request to the running server exactly as generated (supertest would otherwise serialise bodies its own way). */
export async function sendFuzzRequest(server: Server, r: FuzzRequest): Promise<Response> {
  const url = `${r.path}${r.query ? `?${r.query}` : ''}`;
  let req = request(server)[r.method.toLowerCase() as Method](url);
  for (const [name, value] of Object.entries({ ...r.headers, ...signatureHeaders(r) })) req = req.set(name, value);
  const b = r.body;
  if (b.kind === 'none') return req;
  const text = bodyText(b);
  // A string goes out as it is under the content type set; with none, supertest would call a string a form,
  // so it gets bytes (which it sends without a content type, and would have re-encoded as JSON under one).
  if (b.contentType) return req.set('Content-Type', b.contentType).send(text);
  return req.send(Buffer.from(text, 'utf8'));
}
