import type { Database, Queryable } from '../db/database';
import type { PersonalDataCipher } from '../privacy/personal-data-cipher';
import type { CallEvent, CallEventType, DeliveryPlan, DeliveryTarget } from './delivery-target';
import { giveUpAt, type DeliveryDecision } from './delivery-schedule';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'skipped';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'failed', 'skipped'];

export interface Delivery {
  id: string;
  target: DeliveryTarget['kind'];
  targetId: string;
  event: CallEventType;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

/** An attempt a sender has claimed: no other sender takes this delivery until `lease` runs out. */
export interface ClaimedDelivery {
  id: string;
  target: DeliveryTarget['kind'];
  targetId: string;
  event: CallEventType;
  body: string;
  attempt: number;
  giveUpAt: Date;
  /** The call is under restricted processing (GDPR art. 18) now: restricted after the event was dispatched. */
  callRestricted: boolean;
  /** The visit the call is credited to is under restricted processing now. */
  visitRestricted: boolean;
}

interface DeliveryRow {
  id: string;
  target: DeliveryTarget['kind'];
  target_id: string;
  event: CallEventType;
  body_sealed: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
  give_up_at: Date;
}

interface ClaimedRow extends DeliveryRow {
  call_restricted: boolean | null;
  visit_restricted: boolean | null;
}

const COLUMNS = 'id, target, target_id, event, body_sealed, status, attempts, next_attempt_at, last_attempt_at, last_status_code, last_error, created_at, delivered_at, give_up_at';
/** Errors are stored for the client to read; a receiver's long error text is cut. */
const MAX_ERROR_LENGTH = 500;

/**
 * Deliveries of call events to targets. Bodies hold the caller's number, so they are sealed at rest
 * (PersonalDataCipher) and opened on the way out; each is byte-identical on every attempt.
 */
export class SqlDeliveryStore {
  constructor(
    private readonly db: Database,
    private readonly cipher: PersonalDataCipher,
  ) {}

  /** Inside the dispatcher's transaction; an event dispatched twice adds nothing (unique per outbox row and target). */
  async insertPlans(tx: Queryable, event: CallEvent, target: DeliveryTarget['kind'], plans: DeliveryPlan[], now: Date): Promise<number> {
    let inserted = 0;
    for (const p of plans) {
      const { rowCount } = await tx.query(
        `INSERT INTO deliveries (outbox_id, client_id, target, target_id, event, body_sealed, next_attempt_at, created_at, give_up_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) ON CONFLICT (outbox_id, target, target_id) DO NOTHING`,
        [event.id, event.clientId, target, p.targetId, event.type, this.cipher.seal(p.body), now, giveUpAt(now)],
      );
      inserted += rowCount;
    }
    return inserted;
  }

  /**
   * Claims up to `limit` pending deliveries that are due, for one attempt each: the attempt is counted
   * and the row leased until `leaseUntil` in the same statement, and rows another sender is claiming
   * right now are skipped (SKIP LOCKED), so two instances never send the same attempt. A sender that
   * dies mid-attempt leaves its lease to expire; the delivery is then claimed again.
   */
  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
    const { rows } = await this.db.query<ClaimedRow>(
      `UPDATE deliveries d SET attempts = d.attempts + 1, locked_until = $2, last_attempt_at = $1
        WHERE d.id IN (SELECT id FROM deliveries
                        WHERE status = 'pending' AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until <= $1)
                        ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
          AND d.status = 'pending'
        RETURNING d.${COLUMNS.split(', ').join(', d.')},
                  (SELECT c.restricted FROM call_outbox o JOIN calls c ON c.id = o.call_id WHERE o.id = d.outbox_id) AS call_restricted,
                  (SELECT v.restricted FROM call_outbox o JOIN calls c ON c.id = o.call_id JOIN visits v ON v.id = c.visit_id
                    WHERE o.id = d.outbox_id LIMIT 1) AS visit_restricted`,
      [now, leaseUntil, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      target: r.target,
      targetId: r.target_id,
      event: r.event,
      body: this.cipher.open(r.body_sealed),
      attempt: r.attempts,
      giveUpAt: r.give_up_at,
      callRestricted: r.call_restricted === true,
      visitRestricted: r.visit_restricted === true,
    }));
  }

  /** Hands a claimed attempt back unsent (its lease could run out before it was made): due at once, not counted. */
  async release(c: ClaimedDelivery): Promise<void> {
    await this.db.query(`UPDATE deliveries SET attempts = attempts - 1, locked_until = NULL WHERE id = $1 AND attempts = $2 AND status = 'pending'`, [c.id, c.attempt]);
  }

  /** The outcome of a claimed attempt; only the claimer of that attempt may write it (attempts = attempt). */
  async recordAttempt(c: ClaimedDelivery, decision: DeliveryDecision | { status: 'skipped'; error: string }, statusCode: number | null, now: Date): Promise<void> {
    const error = decision.status === 'delivered' ? null : decision.error.slice(0, MAX_ERROR_LENGTH);
    await this.db.query(
      `UPDATE deliveries SET status = $3, next_attempt_at = $4, locked_until = NULL, last_status_code = $5, last_error = $6,
              delivered_at = CASE WHEN $3 = 'delivered' THEN $7::timestamptz END
        WHERE id = $1 AND attempts = $2 AND status = 'pending'`,
      [c.id, c.attempt, decision.status, decision.status === 'pending' ? decision.nextAttemptAt : null, statusCode, error, now],
    );
  }

  async find(target: DeliveryTarget['kind'], targetId: string, id: string): Promise<Delivery | null> {
    const { rows } = await this.db.query<DeliveryRow>(`SELECT ${COLUMNS} FROM deliveries WHERE id = $1 AND target = $2 AND target_id = $3`, [id, target, targetId]);
    return rows[0] ? this.toDelivery(rows[0]) : null;
  }

  /** Newest first; `after` is the last row of the previous page. */
  async list(target: DeliveryTarget['kind'], targetId: string, q: { status?: DeliveryStatus; after?: { createdAt: Date; id: string }; limit: number }): Promise<Delivery[]> {
    const { rows } = await this.db.query<DeliveryRow>(
      `SELECT ${COLUMNS} FROM deliveries
        WHERE target = $1 AND target_id = $2 AND ($3::text IS NULL OR status = $3)
          AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $6`,
      [target, targetId, q.status ?? null, q.after?.createdAt ?? null, q.after?.id ?? null, q.limit],
    );
    return rows.map((r) => this.toDelivery(r));
  }

  /**
   * A delivery that is not delivered goes back to pending, due now, with a fresh 24 h window (a pending
   * one is simply brought forward); null when it is not there or was delivered in the meantime.
   */
  async retry(target: DeliveryTarget['kind'], targetId: string, id: string, now: Date): Promise<Delivery | null> {
    const { rows } = await this.db.query<DeliveryRow>(
      `UPDATE deliveries SET status = 'pending', next_attempt_at = $4, give_up_at = $5
        WHERE id = $1 AND target = $2 AND target_id = $3 AND status <> 'delivered'
        RETURNING ${COLUMNS}`,
      [id, target, targetId, now, giveUpAt(now)],
    );
    return rows[0] ? this.toDelivery(rows[0]) : null;
  }

  /** Outbox rows (and with them their deliveries) dispatched before `before`: every delivery is settled by then. */
  async purgeDispatchedBefore(before: Date): Promise<number> {
    // An event with a delivery still waiting (retried by hand late in its life) stays until it is sent or fails.
    const { rowCount } = await this.db.query(
      `DELETE FROM call_outbox o WHERE o.dispatched_at < $1
          AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.outbox_id = o.id AND d.status = 'pending')`,
      [before],
    );
    return rowCount;
  }

  private toDelivery(r: DeliveryRow): Delivery {
    return {
      id: r.id,
      target: r.target,
      targetId: r.target_id,
      event: r.event,
      body: this.cipher.open(r.body_sealed),
      status: r.status,
      attempts: r.attempts,
      nextAttemptAt: r.next_attempt_at,
      lastAttemptAt: r.last_attempt_at,
      lastStatusCode: r.last_status_code,
      lastError: r.last_error,
      createdAt: r.created_at,
      deliveredAt: r.delivered_at,
    };
  }
}
