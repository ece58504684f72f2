import type { Database } from '../db/database';
import { getLogger } from '../shared/logging/logger';
import { recordCallEvent } from '../integrations/call-outbox';
import { reattributeFromHistory, type HistoricLease } from './domain/reattribution';

const log = getLogger('reattribution');
const BATCH = 200;

interface PendingCall {
  id: string;
  number_id: string | null;
  started_at: Date;
  grace_seconds: number | null;
}

/**
 * Credits the calls that were put through while the pool store could not be asked (marked
 * needs_reattribution): once the lease history has reached Postgres, the same attribution rules run
 * over it. Called by a scheduled job; the caller makes sure the history is complete first.
 */
export class CallReattribution {
  constructor(
    private readonly db: Database,
    /** When a late credit happened, for its call.attributed event (the container's clock). */
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Re-attributes up to one batch of waiting calls; returns how many were settled. */
  async run(): Promise<{ settled: number; credited: number }> {
    const { rows } = await this.db.query<PendingCall>(
      `SELECT c.id, c.number_id, c.started_at, p.grace_seconds
         FROM calls c LEFT JOIN pools p ON p.id = c.pool_id
        WHERE c.needs_reattribution AND c.inbound_recorded
        ORDER BY c.started_at LIMIT $1`,
      [BATCH],
    );
    let credited = 0;
    for (const call of rows) {
      if (!call.number_id || call.grace_seconds === null) {
        // The number or its pool is gone: nothing can explain the call any more.
        await this.db.query('UPDATE calls SET needs_reattribution = false, updated_at = now() WHERE id = $1', [call.id]);
        continue;
      }
      const at = call.started_at.getTime();
      const graceMs = call.grace_seconds * 1000;
      const leases = await this.leasesAround(call.number_id, call.started_at, graceMs);
      const a = reattributeFromHistory(call.number_id, leases, at, graceMs);
      // The credit and its call.attributed event commit together (the event only if this run settled the call).
      await this.db.transaction(async (tx) => {
        const settled = await tx.query(
          `UPDATE calls SET visit_id = $2, attribution = $3, attribution_candidates = $4::jsonb, lease_token = $5,
                            needs_reattribution = false, updated_at = now()
            WHERE id = $1 AND needs_reattribution`,
          [call.id, a.visitId, a.method, JSON.stringify(a.candidates), a.leaseToken],
        );
        if (settled.rowCount && a.visitId) await recordCallEvent(tx, 'call.attributed', call.id, this.now());
      });
      if (a.visitId) credited += 1;
    }
    if (rows.length) log.info('calls re-attributed from lease history', { settled: rows.length, credited });
    return { settled: rows.length, credited };
  }

  private async leasesAround(numberId: string, at: Date, graceMs: number): Promise<HistoricLease[]> {
    const { rows } = await this.db.query<{ visit_id: string; token: number; started_at: Date; ended_at: Date | null }>(
      `SELECT visit_id, token, started_at, ended_at FROM leases
        WHERE number_id = $1 AND started_at <= $2 AND (ended_at IS NULL OR ended_at >= $3)`,
      [numberId, at, new Date(at.getTime() - graceMs)],
    );
    return rows.map((r) => ({ visitId: r.visit_id, token: Number(r.token), startedAt: r.started_at.getTime(), endedAt: r.ended_at?.getTime() ?? null }));
  }
}
