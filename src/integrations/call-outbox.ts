import type { Queryable } from '../db/database';
import type { CallEventType } from './delivery-target';

/**
 * Writes a call event into the outbox. Must run in the transaction of the call write that caused it
 * (`tx`), so the event exists exactly when the write committed. Only calls of a site get events (the
 * site names the client); a second event of the same type for the same call is dropped (unique
 * (call_id, type)), which makes every caller idempotent. Returns whether a row was written.
 */
export async function recordCallEvent(tx: Queryable, type: CallEventType, callId: string, occurredAt: Date): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO call_outbox (type, call_id, call_sid, site_id, occurred_at)
     SELECT $1, id, call_sid, site_id, $3 FROM calls WHERE id = $2 AND site_id IS NOT NULL
     ON CONFLICT (call_id, type) DO NOTHING`,
    [type, callId, occurredAt],
  );
  return rowCount > 0;
}

/**
 * For erasure and retention: the events of these calls and their deliveries (whose bodies hold the
 * caller's number and name) are deleted, sent or not, so nothing about the caller is kept or sent
 * after the call was anonymised. Run it in the transaction that anonymises the calls.
 */
export async function forgetCallEvents(tx: Queryable, callIds: readonly string[]): Promise<number> {
  if (!callIds.length) return 0;
  const { rowCount } = await tx.query('DELETE FROM call_outbox WHERE call_id = ANY($1::uuid[])', [callIds]);
  return rowCount;
}
