import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { OutboundRequest } from './delivery-target';
import type { AttemptResult } from './delivery-schedule';
import { isPublicAddress, loggableUrl, webhookUrlProblem } from './outbound-address';

export const ATTEMPT_TIMEOUT_MS = 10_000;

export interface PostOptions {
  /** Loopback and private addresses allowed (development, tests, WEBHOOK_ALLOW_PRIVATE_URLS). */
  allowPrivate: boolean;
  timeoutMs?: number;
  /** The resolver behind the address check (tests pass one that answers what they need). */
  resolve?: typeof dnsLookup;
}

/**
 * A lookup that only hands out public addresses. It runs when the socket connects, so the address
 * checked is the address used: a host name that resolves to a private address at send time (DNS
 * rebinding) is refused even if it resolved elsewhere when the endpoint was registered.
 */
export function publicOnlyLookup(resolve: typeof dnsLookup = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const refused = addresses.find((a) => !isPublicAddress(a.address));
      if (refused || !addresses.length) return callback(Object.assign(new Error(`${hostname} resolves to a non-public address`), { code: 'EADDRREFUSED' }), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/**
 * Posts one delivery attempt. node:http rather than fetch so the connection's own address lookup can
 * be checked (above); redirects are not followed. The whole exchange is bounded by the timeout, and
 * the response body is read and dropped (receivers' answers are not stored).
 */
export function postWebhook(req: OutboundRequest, opts: PostOptions): Promise<AttemptResult> {
  const problem = webhookUrlProblem(req.url, opts.allowPrivate);
  if (problem) return Promise.resolve({ kind: 'error', message: `URL refused: ${problem}` });
  const url = new URL(req.url);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<AttemptResult>((resolve) => {
    const outgoing = client.request(
      url,
      {
        method: 'POST',
        headers: { ...req.headers, 'Content-Length': Buffer.byteLength(req.body) },
        signal: AbortSignal.timeout(opts.timeoutMs ?? ATTEMPT_TIMEOUT_MS),
        lookup: opts.allowPrivate ? undefined : publicOnlyLookup(opts.resolve),
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ kind: 'response', statusCode: res.statusCode ?? 0 }));
        res.on('error', (err) => resolve({ kind: 'error', message: describe(err) }));
      },
    );
    outgoing.on('error', (err) => resolve({ kind: 'error', message: `${describe(err)} (${loggableUrl(req.url)})` }));
    outgoing.end(req.body);
  });
}

function describe(err: Error & { code?: string }): string {
  if (err.name === 'AbortError' || err.name === 'TimeoutError') return `no answer within ${ATTEMPT_TIMEOUT_MS / 1000} s`;
  return err.code ? `${err.code}: ${err.message}` : err.message;
}
