import type autocannon from 'autocannon';
import { NEW_VISIT_BODY, trackingHeaders, type BenchPool, type LeasedVisit } from './arrange';
import { ACCOUNT_SID, newCallSid, signedForm } from './twilio-signing';

/** In the order each round runs them, after the bare route. */
export const SERVICE_SCENARIOS = ['lease', 'heartbeat', 'voice', 'leaseSmall'] as const;
export type ServiceScenario = (typeof SERVICE_SCENARIOS)[number];
export type ScenarioKey = 'bare' | ServiceScenario;

/** One kind of request, driven by autocannon against one server. */
export interface Scenario {
  key: ScenarioKey;
  title: string;
  baseUrl: string;
  request: autocannon.Request;
}

export function bareScenario(baseUrl: string): Scenario {
  return {
    key: 'bare',
    title: 'bare Express route (POST /bare)',
    baseUrl,
    request: { method: 'POST', path: '/bare', headers: trackingHeaders, body: NEW_VISIT_BODY },
  };
}

/**
 * A new visit every request (no visitId, so the service issues a fresh one): each leases a free
 * number or, once the pool is exhausted, recycles the oldest lease.
 */
export function leaseScenario(baseUrl: string, pool: BenchPool, key: 'lease' | 'leaseSmall'): Scenario {
  return {
    key,
    title: `new-visit lease (pool of ${pool.size.toLocaleString('en')})`,
    baseUrl,
    request: { method: 'POST', path: `/t/${pool.siteKey}/visits`, headers: trackingHeaders, body: NEW_VISIT_BODY },
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
    request: { method: 'POST', path: calls[0].path, headers: trackingHeaders, setupRequest: (r) => ({ ...r, ...calls[i++ % calls.length] }) },
  };
}

/**
 * Twilio's voice webhook for a first-time call (a fresh CallSid every request) to a number a visit
 * holds, signed the way Twilio signs it: HMAC over the public URL and the sorted POST fields.
 */
export function voiceScenario(baseUrl: string, authToken: string, visits: readonly LeasedVisit[]): Scenario {
  const webhookUrl = `${baseUrl}/webhooks/twilio/voice`;
  let i = 0;
  return {
    key: 'voice',
    title: 'voice webhook (signed)',
    baseUrl,
    request: {
      method: 'POST',
      path: '/webhooks/twilio/voice',
      setupRequest: (r) => {
        const to = visits[i++ % visits.length].e164;
        const from = `+447700900${String(i % 1000).padStart(3, '0')}`;
        const params = { AccountSid: ACCOUNT_SID, ApiVersion: '2010-04-01', CallSid: newCallSid(), CallStatus: 'ringing', Direction: 'inbound', From: from, Caller: from, FromCountry: 'GB', To: to, Called: to, ToCountry: 'GB' };
        return { ...r, ...signedForm(authToken, webhookUrl, params) };
      },
    },
  };
}
