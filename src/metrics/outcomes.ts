import type { RequestHandler } from 'express';
import { AppError } from '../shared/errors';

/**
 * What the HTTP layer tells the metrics, in the narrow shape each router needs (src/metrics/metrics.ts
 * implements all of it). Routers count outcomes; the services they call never see metrics.
 */

/** How a visit registration ended: its lease, the overflow number, no number, or a failure (answered 5xx). */
export type LeaseOutcome = 'granted' | 'renewed' | 'exhausted' | 'overflow' | 'not_tracked' | 'no_pool' | 'error';
export type HeartbeatOutcome = 'renewed' | 'lost' | 'error';
/** The Twilio webhooks that write call records ('leg' is the forwarded leg's number-status callback). */
export type WebhookKind = 'voice' | 'fallback' | 'status' | 'dial' | 'leg' | 'recording';
/** stored/duplicate/queued/lost as the CallWriter reports them; ignored: nothing to store; rejected: bad signature. */
export type WebhookOutcome = 'stored' | 'duplicate' | 'queued' | 'lost' | 'ignored' | 'rejected';

export interface TrackingMetrics {
  lease(outcome: LeaseOutcome): void;
  heartbeat(outcome: HeartbeatOutcome): void;
}

export interface WebhookMetrics {
  webhook(kind: WebhookKind, outcome: WebhookOutcome): void;
  /** How a routed call was credited (an AttributionMethod: lease, grace, ambiguous, static, none, released-number). */
  attribution(method: string): void;
}

/** For routers built without metrics (unit tests, tools). */
export const NO_METRICS: TrackingMetrics & WebhookMetrics = {
  lease: () => undefined,
  heartbeat: () => undefined,
  webhook: () => undefined,
  attribution: () => undefined,
};

/** A refusal the client caused (unknown site, lost lease, bad input) is not a failure of the service. */
export function isServerFailure(err: unknown): boolean {
  return !(err instanceof AppError && err.statusCode < 500);
}

/** A webhook's signature check, per webhook kind, counting the webhooks it rejects. */
export function countRejections(verify: RequestHandler, metrics: WebhookMetrics): (kind: WebhookKind) => RequestHandler {
  return (kind) => (req, res, next) =>
    verify(req, res, (err?: unknown) => {
      if (err) metrics.webhook(kind, 'rejected');
      next(err);
    });
}
