import { ACCOUNT_SID, newCallSid } from '../bench/twilio-signing';
import type { CallStatus } from '../../src/calls/domain/call-status';
import type { SeededRandom } from '../../src/simulation/seeded-random';
import type { Route } from './route-stats';

/**
 * One call as Twilio would drive it: the voice webhook, then (once it answered) status callbacks with
 * SequenceNumber, the <Dial> action when the forwarded leg ends, and the final status. Some calls get
 * a webhook delivered twice (Twilio retries on a slow answer) or a 'ringing' that arrives after the
 * call completed; the service must keep one row per call, one call_events row per distinct event,
 * and never move a status backwards.
 */
export interface Webhook {
  route: Route;
  path: string;
  params: Record<string, string>;
  /** The call_events key the service files this under (src/calls/call-service.ts); none for the voice webhook. */
  eventKey?: string;
  /** The call status this delivery reports (status callbacks only). */
  status?: CallStatus;
  /** After the voice webhook's answer. */
  delayMs: number;
}

/** Caller ids from Ofcom's drama range (07700 900000-900999): fictional numbers. */
const caller = (random: SeededRandom): string => `+447700900${String(random.int(1000)).padStart(3, '0')}`;

const DUPLICATE_SHARE = 0.1;
const LATE_RINGING_SHARE = 0.05;

export interface PlannedCall {
  callSid: string;
  voice: Webhook;
  /** Sent once the voice webhook was answered, each `delayMs` after that answer. */
  followUps: Webhook[];
}

export function planCall(random: SeededRandom, to: string): PlannedCall {
  const callSid = newCallSid();
  const from = caller(random);
  const base = { AccountSid: ACCOUNT_SID, ApiVersion: '2010-04-01', CallSid: callSid, Direction: 'inbound', From: from, To: to };
  const voice: Webhook = {
    route: 'voice webhook',
    path: '/webhooks/twilio/voice',
    params: { ...base, CallStatus: 'ringing', Caller: from, Called: to, FromCountry: 'GB', ToCountry: 'GB' },
    delayMs: 0,
  };
  const status = (sequence: number, callStatus: CallStatus, delayMs: number, extra: Record<string, string> = {}): Webhook => ({
    route: 'status callback',
    path: '/webhooks/twilio/status',
    params: { ...base, CallStatus: callStatus, SequenceNumber: String(sequence), CallbackSource: 'call-progress-events', Timestamp: new Date(Date.now() + delayMs).toUTCString(), ...extra },
    eventKey: `status:seq:${sequence}`,
    status: callStatus,
    delayMs,
  });

  // Talk time is compressed to seconds so that a short run completes its calls.
  const answeredAfter = 500 + random.int(1500);
  const talkMs = 1000 + random.int(7000);
  const roll = random.next();
  const dialStatus = roll < 0.85 ? 'completed' : roll < 0.95 ? 'no-answer' : 'busy';
  const talkSeconds = dialStatus === 'completed' ? Math.round(talkMs / 1000) : 0;
  const dialCallSid = newCallSid();
  const dialAt = answeredAfter + talkMs;
  const followUps: Webhook[] = [
    status(0, 'ringing', 100 + random.int(300)),
    status(1, 'in-progress', answeredAfter),
    {
      route: 'dial action',
      path: '/webhooks/twilio/dial',
      params: { ...base, CallStatus: 'in-progress', DialCallStatus: dialStatus, DialCallSid: dialCallSid, DialCallDuration: String(talkSeconds) },
      eventKey: `dial:${dialCallSid}:${dialStatus}`,
      delayMs: dialAt,
    },
    status(2, 'completed', dialAt + 50 + random.int(150), { CallDuration: String(Math.round(dialAt / 1000)) }),
  ];
  if (random.chance(LATE_RINGING_SHARE)) followUps[0] = { ...followUps[0], delayMs: dialAt + 500 + random.int(1000) };
  if (random.chance(DUPLICATE_SHARE)) {
    // Any delivery may come twice, the voice webhook included (answered again with the same <Dial>).
    const candidates = [voice, ...followUps];
    const again = candidates[random.int(candidates.length)];
    followUps.push({ ...again, delayMs: again.delayMs + 300 + random.int(2700) });
  }
  return { callSid, voice, followUps };
}
