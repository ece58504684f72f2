import { statusRank, type CallStatus } from '../../src/calls/domain/call-status';

/**
 * What the load generator sent and what the service said it accepted, so that the database can be
 * checked against it afterwards. An answer that never came (timeout, dropped connection) or a 5xx is
 * "uncertain": the service may or may not have stored it, and the checks allow either.
 */
export type Delivery = 'accepted' | 'uncertain' | 'refused';

const RANK: Record<Delivery, number> = { refused: 0, uncertain: 1, accepted: 2 };
/** Of several deliveries of the same thing (a retried webhook), the best outcome counts. */
const best = (a: Delivery | undefined, b: Delivery): Delivery => (a === undefined || RANK[b] > RANK[a] ? b : a);

export const deliveryOf = (status: number | undefined): Delivery => (status === undefined || status >= 500 ? 'uncertain' : status >= 200 && status < 300 ? 'accepted' : 'refused');

export interface VisitRecord {
  /** Page views the service answered as recorded: the entry page, later pages, exits. */
  pageViews: number;
  uncertainPageViews: number;
}

export interface CallRecord {
  to: string;
  /** The voice webhook (the call's routing and attribution). */
  inbound?: Delivery;
  /** The call_events key the service files each status callback and dial outcome under -> its best delivery. */
  events: Map<string, Delivery>;
  /** The status the call must end in: the furthest status callback accepted (a late 'ringing' changes nothing). */
  finalStatus?: CallStatus;
  /** Webhook requests for this call, duplicates and retries included. */
  requests: number;
}

export class Ledger {
  readonly visits = new Map<string, VisitRecord>();
  /** `${e164}#${leaseToken}` -> the visit the service told it holds that lease. */
  readonly grants = new Map<string, string>();
  /** The same lease told to two visits: a double lease seen from outside. */
  readonly conflictingGrants: string[] = [];
  readonly calls = new Map<string, CallRecord>();
  /** Visit requests without a clear answer: a visit, its entry page or a lease may exist that we never heard of. */
  uncertainVisitRequests = 0;

  visitStarted(visitId: string): void {
    if (!this.visits.has(visitId)) this.visits.set(visitId, { pageViews: 0, uncertainPageViews: 0 });
  }

  pageView(visitId: string, delivery: Delivery): void {
    const v = this.visits.get(visitId);
    if (!v) throw new Error(`page view for a visit the ledger does not know: ${visitId}`);
    if (delivery === 'accepted') v.pageViews += 1;
    else if (delivery === 'uncertain') v.uncertainPageViews += 1;
  }

  granted(visitId: string, e164: string, token: string): void {
    const key = `${e164}#${token}`;
    const earlier = this.grants.get(key);
    if (earlier !== undefined && earlier !== visitId) this.conflictingGrants.push(`${key} told to ${earlier} and to ${visitId}`);
    this.grants.set(key, visitId);
  }

  callStarted(callSid: string, to: string): void {
    this.calls.set(callSid, { to, events: new Map(), requests: 0 });
  }

  /** One delivery of the call's voice webhook (`eventKey` undefined) or of one of its events. */
  delivered(callSid: string, eventKey: string | undefined, delivery: Delivery, status?: CallStatus): void {
    const call = this.calls.get(callSid);
    if (!call) throw new Error(`webhook for a call the ledger does not know: ${callSid}`);
    call.requests += 1;
    if (eventKey === undefined) call.inbound = best(call.inbound, delivery);
    else call.events.set(eventKey, best(call.events.get(eventKey), delivery));
    if (status && delivery === 'accepted' && (call.finalStatus === undefined || statusRank(status) > statusRank(call.finalStatus))) call.finalStatus = status;
  }
}
