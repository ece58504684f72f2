import type { Queryable } from '../db/database';
import type { CallRecord } from '../calls/call-store';
import { callView } from '../calls/call-routes';
import type { CallEvent, DeliveryPlan, DeliveryTarget, DueDelivery, OutboundRequest } from './delivery-target';
import type { SqlWebhookEndpointStore } from './webhook-endpoint-store';
import { SIGNATURE_HEADER, signatureHeader } from './webhook-signature';

export const USER_AGENT = 'call-tracking-webhooks/1';

/** The body every endpoint receives for an event; `id` is the event's, the same at every endpoint. */
export function webhookBody(event: CallEvent, call: CallRecord): string {
  return JSON.stringify({ id: `evt_${event.id}`, type: event.type, createdAt: event.occurredAt.toISOString(), data: { call: callView(call) } });
}

/**
 * Client webhooks as a delivery target: one delivery per active endpoint of the call's client that is
 * subscribed to the event. The body is fixed when planned (the call as it stood then); the signature
 * is made at each attempt with the endpoint's current secret, so a rotated secret applies at once.
 */
export class WebhookTarget implements DeliveryTarget {
  readonly kind = 'webhook' as const;

  constructor(private readonly endpoints: SqlWebhookEndpointStore) {}

  async plan(event: CallEvent, call: CallRecord, tx: Queryable): Promise<DeliveryPlan[]> {
    const subscribers = await this.endpoints.subscribers(tx, event.clientId, event.type);
    if (!subscribers.length) return [];
    const body = webhookBody(event, call);
    return subscribers.map((s) => ({ targetId: s.id, body }));
  }

  async request(d: DueDelivery, now: Date): Promise<OutboundRequest | { skip: string }> {
    const endpoint = await this.endpoints.signingTarget(d.targetId);
    if (!endpoint) return { skip: 'endpoint deleted' };
    if (!endpoint.active) return { skip: 'endpoint disabled' };
    return {
      url: endpoint.url,
      body: d.body,
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': USER_AGENT,
        [SIGNATURE_HEADER]: signatureHeader(endpoint.secret, d.body, now),
        'Calltracking-Event': d.event,
        'Calltracking-Delivery': d.id,
        'Calltracking-Attempt': String(d.attempt),
      },
    };
  }
}
