import { randomBytes } from 'node:crypto';
import type autocannon from 'autocannon';
import twilio from 'twilio';
import { trackingHeaders, visitBody, type BenchPool, type LeasedVisit } from './arrange';

export type ScenarioKey = 'bare' | 'lease' | 'leaseSmall' | 'heartbeat' | 'voice';

/** One kind of request, driven by autocannon against one server. */
export interface Scenario {
  key: ScenarioKey;
  title: string;
  baseUrl: string;
  request: autocannon.Request;
}

// Every request body is built per request, in every scenario (the bare one too), so the load
// generator does the same work whichever server it drives.
const runTag = randomBytes(4).toString('hex');
let visitCounter = 0;
/** Fresh per request and unique across runs: matches the tracking API's id pattern /^[A-Za-z0-9_-]{8,64}$/. */
export const nextVisitId = (): string => `vs_bench${runTag}${(visitCounter++).toString(36)}`;

let callCounter = 0;
const nextCallSid = (): string => `CA${runTag}${(callCounter++).toString(16).padStart(24, '0')}`;

function perRequest(build: (req: autocannon.Request) => autocannon.Request): autocannon.Request['setupRequest'] {
  return (req) => build(req);
}

export function bareScenario(baseUrl: string): Scenario {
  return {
    key: 'bare',
    title: 'bare Express route (POST /bare)',
    baseUrl,
    request: { method: 'POST', path: '/bare', headers: { 'content-type': 'application/json' }, setupRequest: perRequest((r) => ({ ...r, body: visitBody(nextVisitId()) })) },
  };
}

/** A new visit every request: each one leases (or, once the pool is exhausted, recycles) a number. */
export function leaseScenario(baseUrl: string, pool: BenchPool, key: 'lease' | 'leaseSmall'): Scenario {
  return {
    key,
    title: `new-visit lease (pool of ${pool.size.toLocaleString('en')})`,
    baseUrl,
    request: { method: 'POST', path: `/t/${pool.siteKey}/visits`, headers: trackingHeaders, setupRequest: perRequest((r) => ({ ...r, body: visitBody(nextVisitId()) })) },
  };
}

/** Visits that hold a lease renew it, cycling through all of them. */
export function heartbeatScenario(baseUrl: string, pool: BenchPool, visits: readonly LeasedVisit[]): Scenario {
  const calls = visits.map((v) => ({ path: `/t/${pool.siteKey}/visits/${v.visitId}/heartbeat`, body: JSON.stringify({ leaseToken: v.leaseToken }) }));
  let i = 0;
  return {
    key: 'heartbeat',
    title: 'heartbeat',
    baseUrl,
    request: { method: 'POST', path: calls[0].path, headers: trackingHeaders, setupRequest: perRequest((r) => ({ ...r, ...calls[i++ % calls.length] })) },
  };
}

/**
 * Twilio's voice webhook for a first-time call (a fresh CallSid every request) to a number a visit
 * holds, signed the way Twilio signs it: HMAC over the public URL and the sorted POST fields.
 */
export function voiceScenario(baseUrl: string, authToken: string, visits: readonly LeasedVisit[]): Scenario {
  const webhookUrl = `${baseUrl}/webhooks/twilio/voice`;
  const accountSid = `AC${'0'.repeat(32)}`;
  let i = 0;
  return {
    key: 'voice',
    title: 'voice webhook (signed)',
    baseUrl,
    request: {
      method: 'POST',
      path: '/webhooks/twilio/voice',
      setupRequest: perRequest((r) => {
        const to = visits[i++ % visits.length].e164;
        const from = `+447700900${String(i % 1000).padStart(3, '0')}`;
        const params = { AccountSid: accountSid, ApiVersion: '2010-04-01', CallSid: nextCallSid(), CallStatus: 'ringing', Direction: 'inbound', From: from, Caller: from, FromCountry: 'GB', To: to, Called: to, ToCountry: 'GB' };
        const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, webhookUrl, params) };
        return { ...r, headers, body: new URLSearchParams(params).toString() };
      }),
    },
  };
}
