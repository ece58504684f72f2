import type { Queryable } from '../../db/database';
import type { CallRecord } from '../../calls/call-store';
import type { PersonalDataCipher } from '../../privacy/personal-data-cipher';
import { systemClock, type Clock } from '../../shared/clock';
import { getLogger } from '../../shared/logging/logger';
import type { CallEvent, DeliveryPlan, DeliveryTarget, DueDelivery, OutboundRequest } from '../delivery-target';
import { buildGa4Payload } from './ga4-event';
import { GA4_LIMITS } from './ga4-rules';
import { findGa4Destination, findVisitGaIds } from './ga4-store';

const log = getLogger('ga4');

/**
 * Sends each completed call of a site with GA4 configured to the site's GA4 property (Measurement
 * Protocol), as an event of the visitor's GA session. One delivery per call, keyed by the site. The
 * request carries the API secret in its query string (that is how the protocol authenticates): it is
 * built at send time from the site's current settings and must never be logged.
 */
export class Ga4Target implements DeliveryTarget {
  readonly kind = 'ga4' as const;

  constructor(
    private readonly db: Queryable,
    private readonly cipher: PersonalDataCipher,
    /** GA4_ENDPOINT: Google's collect URL, its EU one, or a local receiver in tests. */
    private readonly endpoint: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async plan(event: CallEvent, call: CallRecord, tx: Queryable): Promise<DeliveryPlan[]> {
    if (event.type !== 'call.completed') return [];
    const destination = await findGa4Destination(tx, event.siteId);
    if (!destination?.enabled) return [];
    if (!call.visitId) return this.notSent(event, 'the call was not credited to a visit');
    const ga = await findVisitGaIds(tx, event.siteId, call.visitId);
    if (!ga) return this.notSent(event, 'the visit is gone or restricted');
    const payload = buildGa4Payload({ call, ga, eventName: destination.eventName, now: new Date(this.clock.now()) });
    if ('skip' in payload) return this.notSent(event, payload.skip);
    return [{ targetId: event.siteId, body: JSON.stringify(payload) }];
  }

  async request(delivery: DueDelivery, now: Date): Promise<OutboundRequest | { skip: string }> {
    // The event carries the visitor's GA ids: a visit restricted since it was planned lends the call nothing.
    if (delivery.visitRestricted) return { skip: 'the visit is under restricted processing' };
    const destination = await findGa4Destination(this.db, delivery.targetId);
    if (!destination?.enabled) return { skip: 'GA4 disabled for this site' };
    // Retries can run past GA4's backdating window; an event it would drop is not worth sending.
    if (now.getTime() - eventTime(delivery.body) > GA4_LIMITS.maxBackdateMs) return { skip: 'the event is more than 72 hours old (GA4 drops it)' };
    const url = new URL(this.endpoint);
    url.searchParams.set('measurement_id', destination.measurementId);
    url.searchParams.set('api_secret', this.cipher.open(destination.apiSecretSealed));
    return { url: url.toString(), headers: { 'Content-Type': 'application/json' }, body: delivery.body };
  }

  private notSent(event: CallEvent, reason: string): [] {
    log.debug('call not sent to GA4', { callId: event.callId, reason });
    return [];
  }
}

/** The event's time (epoch ms) from the body this target built. */
function eventTime(body: string): number {
  return (JSON.parse(body) as { timestamp_micros: number }).timestamp_micros / 1000;
}
