import type { CallRecord } from '../../calls/call-store';
import { isAnsweredDialStatus } from '../../calls/domain/call-status';
import { GA4_LIMITS, ga4EventNameProblem } from './ga4-rules';

/** The GA ids the tracking script read from the visitor's `_ga` and `_ga_<stream>` cookies. */
export interface GaIds {
  clientId: string | null;
  sessionId: string | null;
}

export type Ga4ParamValue = string | number;

/** The Measurement Protocol body (gtag.js / web stream form) for one event. */
export interface Ga4Payload {
  client_id: string;
  timestamp_micros: number;
  non_personalized_ads: true;
  events: [{ name: string; params: Record<string, Ga4ParamValue> }];
}

export type Ga4CallFacts = Pick<
  CallRecord,
  'id' | 'durationSeconds' | 'talkSeconds' | 'dialStatus' | 'startedAt' | 'endedAt' | 'attribution' | 'visit' | 'savedSource' | 'staticSource'
>;

export interface Ga4PayloadInput {
  call: Ga4CallFacts;
  ga: GaIds;
  eventName: string;
  now: Date;
}

/**
 * Long enough to count as activity in GA4's reports (which want engagement_time_msec on every event),
 * short enough not to inflate the visitor's engagement time: the call happened off the page.
 */
const ENGAGEMENT_TIME_MSEC = 1;

/**
 * The Measurement Protocol event for a completed call, joined to the visitor's GA session, or why none
 * is sent. Nothing about the caller is sent (number, name, place): only what the call was (answered,
 * how long), the source we credited it to, and our call id (so a client can spot the duplicates
 * at-least-once delivery may cause; GA4 itself has no de-duplication).
 */
export function buildGa4Payload({ call, ga, eventName, now }: Ga4PayloadInput): Ga4Payload | { skip: string } {
  // The client id ties the event to the visitor in GA; one we made up would be a stranger.
  if (!ga.clientId) return { skip: 'the visit has no Google Analytics client id' };
  const nameProblem = ga4EventNameProblem(eventName);
  if (nameProblem) return { skip: `event name ${nameProblem}` };
  const endedAt = call.endedAt ?? call.startedAt;
  if (now.getTime() - endedAt.getTime() > GA4_LIMITS.maxBackdateMs) return { skip: 'the call ended more than 72 hours ago (GA4 drops older events)' };
  // A clock behind ours must not date the event in the future: GA4 takes timestamps of the past only.
  const at = Math.min(endedAt.getTime(), now.getTime());

  const params = withinLimits({
    session_id: sessionIdParam(ga.sessionId),
    engagement_time_msec: ENGAGEMENT_TIME_MSEC,
    call_id: call.id,
    call_answered: answered(call) ? 'yes' : 'no',
    call_duration_seconds: call.durationSeconds,
    talk_time_seconds: call.talkSeconds ?? 0,
    // Not `source`/`medium`/`campaign`: GA4 reads those as campaign details and would re-attribute the session.
    call_source: call.visit?.source ?? call.savedSource?.source ?? call.staticSource,
    call_medium: call.visit?.medium ?? call.savedSource?.medium ?? (call.staticSource ? 'static' : null),
    call_campaign: call.visit?.campaign ?? call.savedSource?.campaign ?? null,
    attribution_method: call.attribution,
  });
  return { client_id: ga.clientId, timestamp_micros: at * 1000, non_personalized_ads: true, events: [{ name: eventName, params }] };
}

/** The forwarded leg was picked up: the dial outcome says so, or someone talked. */
function answered(call: Ga4CallFacts): boolean {
  return (call.dialStatus !== null && isAnsweredDialStatus(call.dialStatus)) || (call.talkSeconds ?? 0) > 0;
}

/** GA's own session ids are seconds since the epoch: sent as the number gtag.js sends, unless too big to be exact. */
function sessionIdParam(sessionId: string | null): Ga4ParamValue | null {
  if (!sessionId) return null;
  const n = Number(sessionId);
  return /^\d+$/.test(sessionId) && Number.isSafeInteger(n) ? n : sessionId;
}

/** Drops absent values and cuts text to the documented 100 characters (GA4 would drop the whole value). */
function withinLimits(params: Record<string, Ga4ParamValue | null | undefined>): Record<string, Ga4ParamValue> {
  const kept: Record<string, Ga4ParamValue> = {};
  for (const [name, value] of Object.entries(params)) {
    if (value === null || value === undefined) continue;
    kept[name] = typeof value === 'string' ? [...value].slice(0, GA4_LIMITS.paramValueLength).join('') : value;
  }
  return kept;
}
