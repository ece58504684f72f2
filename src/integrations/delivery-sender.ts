import { getLogger } from '../shared/logging/logger';
import type { Clock } from '../shared/clock';
import type { DeliveryTarget, OutboundRequest } from './delivery-target';
import type { ClaimedDelivery, SqlDeliveryStore } from './delivery-store';
import { decideAfterAttempt, type AttemptResult } from './delivery-schedule';
import { loggableUrl } from './outbound-address';
import { ATTEMPT_TIMEOUT_MS } from './webhook-http';

const log = getLogger('deliveries');
const BATCH = 50;
/** Attempts in flight at once per instance. */
const CONCURRENCY = 8;
/**
 * Longer than a whole batch can take (its attempts go CONCURRENCY at a time, each bounded by the
 * timeout), so a lease normally only runs out when its sender is gone. An attempt whose lease could
 * still run out before it ends (a slow database) is handed back unsent rather than risk a second sender.
 */
const LEASE_MS = (Math.ceil(BATCH / CONCURRENCY) + 2) * ATTEMPT_TIMEOUT_MS;

export type Post = (req: OutboundRequest) => Promise<AttemptResult>;

/**
 * Sends due deliveries: claims a batch (each claimed attempt is counted and leased, so no other
 * instance sends it meanwhile), asks each delivery's target for the request, posts it and records
 * how it went: delivered, retried later (backoff, delivery-schedule.ts), failed, or skipped when the
 * target is gone. Nothing is held open in the database while a request is in flight.
 */
export class DeliverySender {
  private readonly targets: Map<string, DeliveryTarget>;

  constructor(
    private readonly deliveries: SqlDeliveryStore,
    targets: readonly DeliveryTarget[],
    private readonly post: Post,
    private readonly clock: Clock,
    private readonly random: () => number = Math.random,
  ) {
    this.targets = new Map(targets.map((t) => [t.kind, t]));
  }

  async run(): Promise<{ attempted: number; delivered: number }> {
    const now = new Date(this.clock.now());
    const leaseUntil = new Date(now.getTime() + LEASE_MS);
    const claimed = await this.deliveries.claimDue(now, leaseUntil, BATCH);
    let delivered = 0;
    for (let i = 0; i < claimed.length; i += CONCURRENCY) {
      const outcomes = await Promise.all(claimed.slice(i, i + CONCURRENCY).map((c) => this.attempt(c, leaseUntil)));
      delivered += outcomes.filter((o) => o === 'delivered').length;
    }
    if (claimed.length) log.info('deliveries attempted', { attempted: claimed.length, delivered });
    return { attempted: claimed.length, delivered };
  }

  private async attempt(c: ClaimedDelivery, leaseUntil: Date): Promise<string> {
    const target = this.targets.get(c.target);
    const now = new Date(this.clock.now());
    if (c.callRestricted) {
      // Restricted after its events were dispatched: what is still waiting is not sent (docs/privacy.md).
      await this.deliveries.recordAttempt(c, { status: 'skipped', error: 'the call is under restricted processing' }, null, now);
      return 'skipped';
    }
    if (!target) {
      // A target this instance was not built with (GA4 switched off here): another instance may have it.
      await this.deliveries.recordAttempt(c, { status: 'pending', nextAttemptAt: new Date(now.getTime() + LEASE_MS), error: `no ${c.target} target on this instance` }, null, now);
      return 'pending';
    }
    let request: OutboundRequest | { skip: string };
    try {
      request = await target.request({ id: c.id, targetId: c.targetId, event: c.event, body: c.body, attempt: c.attempt, visitRestricted: c.visitRestricted }, now);
    } catch (err) {
      // The request could not even be built (e.g. the database did not answer): an attempt that failed.
      return this.record(c, { kind: 'error', message: `request not built: ${(err as Error).message}` }, null);
    }
    if ('skip' in request) {
      await this.deliveries.recordAttempt(c, { status: 'skipped', error: request.skip }, null, now);
      return 'skipped';
    }
    if (this.clock.now() + ATTEMPT_TIMEOUT_MS > leaseUntil.getTime()) {
      await this.deliveries.release(c);
      return 'released';
    }
    return this.record(c, await this.post(request), request.url);
  }

  private async record(c: ClaimedDelivery, result: AttemptResult, url: string | null): Promise<string> {
    const now = new Date(this.clock.now());
    const decision = decideAfterAttempt(result, { attempt: c.attempt, giveUpAt: c.giveUpAt, now, random: this.random });
    await this.deliveries.recordAttempt(c, decision, result.kind === 'response' ? result.statusCode : null, now);
    const meta = { target: c.target, delivery: c.id, attempt: c.attempt, url: url === null ? null : loggableUrl(url) };
    if (decision.status === 'failed') log.warn('delivery failed for good', { ...meta, error: decision.error });
    else if (decision.status === 'pending') log.debug('delivery attempt failed; will retry', { ...meta, error: decision.error });
    return decision.status;
  }
}
