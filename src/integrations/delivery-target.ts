import type { Queryable } from '../db/database';
import type { CallRecord } from '../calls/call-store';

/**
 * The contract between the call outbox and the places call events are delivered to (client webhooks,
 * Google Analytics 4). The outbox row is written in the same transaction as the call write that
 * caused it; a dispatcher later turns each outbox event into deliveries (one per configured target),
 * and a sender posts them with retries. Each target only says what to send and where.
 */

export const CALL_EVENT_TYPES = ['call.started', 'call.completed', 'call.attributed'] as const;
export type CallEventType = (typeof CALL_EVENT_TYPES)[number];

/** One row of the call outbox, as the dispatcher reads it. */
export interface CallEvent {
  /** The outbox row's id (bigint, as text). */
  id: string;
  type: CallEventType;
  callId: string;
  callSid: string;
  siteId: string;
  clientId: string;
  occurredAt: Date;
}

/** One delivery a target wants for an event: `targetId` names the webhook endpoint or the site (GA4). */
export interface DeliveryPlan {
  targetId: string;
  /** The exact body sent on every attempt (so retries are byte-identical and signatures reproducible). */
  body: string;
}

/** A delivery as the sender hands it back to its target to build the request. */
export interface DueDelivery {
  /** Also the idempotency id the receiver sees. */
  id: string;
  targetId: string;
  event: CallEventType;
  body: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** The visit the call is credited to came under restricted processing (GDPR art. 18) since it was planned. */
  visitRestricted: boolean;
}

export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface DeliveryTarget {
  readonly kind: 'webhook' | 'ga4';
  /**
   * The deliveries `event` gives rise to, given the call as it stands (restricted calls never reach a
   * target: the dispatcher drops them first). Runs inside the dispatcher's transaction (`tx`).
   */
  plan(event: CallEvent, call: CallRecord, tx: Queryable): Promise<DeliveryPlan[]>;
  /**
   * The request for one attempt, built at send time so secrets (signing keys, API secrets) are never
   * stored in the delivery row. `{ skip }` when the target is gone or disabled: the delivery is
   * closed with that reason and not retried.
   */
  request(delivery: DueDelivery, now: Date): Promise<OutboundRequest | { skip: string }>;
}
