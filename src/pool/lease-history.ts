import type { Queryable } from '../db/database';
import type { LeaseEvent } from './pool-store';

export interface LeaseHistoryRow {
  poolId: string;
  numberId: string;
  token: number;
  visitId: string;
  startedAt: number;
  renewedAt: number;
  endedAt: number | null;
  endReason: string | null;
}

/**
 * Folds a batch of pool events into one row per lease (number, token), so a lease granted and ended in
 * the same batch is written once. Order matters only within a lease: 'ended' completes 'granted'.
 */
export function foldLeaseEvents(events: readonly LeaseEvent[]): LeaseHistoryRow[] {
  const rows = new Map<string, LeaseHistoryRow>();
  for (const e of events) {
    if (e.type === 'note') continue;
    const key = `${e.numberId}:${e.token}`;
    // An 'ended' event whose grant went in an earlier batch carries the lease's own last renewal (not its end time).
    const renewedAt = e.type === 'ended' ? e.renewedAt : e.at;
    const row = rows.get(key) ?? { poolId: e.poolId, numberId: e.numberId, token: e.token, visitId: e.visitId, startedAt: e.at, renewedAt, endedAt: null, endReason: null };
    if (e.type === 'ended') {
      row.startedAt = e.startedAt;
      row.renewedAt = Math.max(row.renewedAt, e.renewedAt);
      row.endedAt = e.at;
      row.endReason = e.reason;
    }
    rows.set(key, row);
  }
  return [...rows.values()];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Idempotent upsert of lease history rows: replaying a batch after a crash changes nothing. */
export async function writeLeaseHistory(db: Queryable, rows: readonly LeaseHistoryRow[]): Promise<void> {
  if (!rows.length) return;
  await db.query(
    `INSERT INTO leases (pool_id, number_id, token, visit_id, started_at, renewed_at, ended_at, end_reason)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[], $8::text[])
     ON CONFLICT (number_id, token) DO UPDATE SET
       started_at = LEAST(leases.started_at, EXCLUDED.started_at),
       renewed_at = GREATEST(leases.renewed_at, EXCLUDED.renewed_at),
       ended_at = COALESCE(EXCLUDED.ended_at, leases.ended_at),
       end_reason = COALESCE(EXCLUDED.end_reason, leases.end_reason)`,
    [
      rows.map((r) => r.poolId),
      rows.map((r) => r.numberId),
      rows.map((r) => r.token),
      rows.map((r) => r.visitId),
      rows.map((r) => iso(r.startedAt)),
      rows.map((r) => iso(r.renewedAt)),
      rows.map((r) => iso(r.endedAt)),
      rows.map((r) => r.endReason),
    ],
  );
}
