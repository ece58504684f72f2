import type { Queryable } from '../db/database';
import type { EndedHolder, PoolSnapshot } from './pool-store';
import { RECENT_HOLDERS_KEPT } from './pool-limits';

/**
 * Reads a pool's durable record from Postgres: its rotation numbers and their lease history, in the
 * shape PoolStore.restore takes. One query; the lease history is indexed by number.
 */
export async function readPoolSnapshot(db: Queryable, poolId: string, opts: { now: number; cooldownMs: number; graceMs: number }): Promise<PoolSnapshot> {
  const { rows } = await db.query<{
    number_id: string;
    generation: number | null;
    last_ended_ms: number | null;
    open_visit: string | null;
    open_token: number | null;
    open_started_ms: number | null;
    recent: { visitId: string; token: number; startedAt: number; endedAt: number }[] | string | null;
  }>(
    `SELECT n.id AS number_id,
            (SELECT max(l.token) FROM leases l WHERE l.number_id = n.id) AS generation,
            (SELECT (extract(epoch FROM max(l.ended_at)) * 1000)::bigint FROM leases l WHERE l.number_id = n.id) AS last_ended_ms,
            o.visit_id AS open_visit, o.token AS open_token, (extract(epoch FROM o.started_at) * 1000)::bigint AS open_started_ms,
            (SELECT jsonb_agg(jsonb_build_object('visitId', r.visit_id, 'token', r.token,
                       'startedAt', (extract(epoch FROM r.started_at) * 1000)::bigint, 'endedAt', (extract(epoch FROM r.ended_at) * 1000)::bigint)
                     ORDER BY r.ended_at DESC)
               FROM (SELECT * FROM leases l WHERE l.number_id = n.id AND l.ended_at >= $2 ORDER BY l.ended_at DESC LIMIT $3) r) AS recent
       FROM tracking_numbers n
       LEFT JOIN LATERAL (SELECT l.visit_id, l.token, l.started_at FROM leases l
                           WHERE l.number_id = n.id AND l.ended_at IS NULL ORDER BY l.token DESC LIMIT 1) o ON true
      WHERE n.pool_id = $1 AND n.role = 'pool' AND n.status = 'active'`,
    [poolId, new Date(opts.now - opts.graceMs).toISOString(), RECENT_HOLDERS_KEPT],
  );
  const snapshot: PoolSnapshot = { numbers: [], leases: [] };
  for (const r of rows) {
    const recent = (typeof r.recent === 'string' ? JSON.parse(r.recent) : (r.recent ?? [])) as EndedHolder[];
    snapshot.numbers.push({
      numberId: r.number_id,
      generation: Number(r.generation ?? 0),
      availableAt: r.last_ended_ms === null ? 0 : Number(r.last_ended_ms) + opts.cooldownMs,
      recent: recent.map((h) => ({ visitId: h.visitId, token: Number(h.token), startedAt: Number(h.startedAt), endedAt: Number(h.endedAt) })),
    });
    if (r.open_visit !== null && r.open_token !== null) {
      snapshot.leases.push({ numberId: r.number_id, visitId: r.open_visit, token: Number(r.open_token), startedAt: Number(r.open_started_ms) });
    }
  }
  return snapshot;
}
