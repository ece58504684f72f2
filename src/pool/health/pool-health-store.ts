import type { Queryable } from '../../db/database';
import type { HealthSample } from './health-samples';
import type { HourlyCount } from './pool-sizing';

/** A window of time, both ends included, epoch ms. */
export interface HealthWindow {
  from: number;
  to: number;
}

export interface LeaseActivity {
  grantsByHour: HourlyCount[];
  displacementsByHour: HourlyCount[];
  endedLeases: { count: number; totalHeldMs: number };
}

/** What pool health reads and writes in Postgres: its samples, and the lease history and calls it measures. */
export interface PoolHealthStore {
  /** One sample per pool; a second sample of a pool at the same instant replaces the first. */
  recordSamples(samples: readonly { poolId: string; sample: HealthSample }[]): Promise<void>;
  /** Returns how many samples were deleted. */
  deleteSamplesBefore(cutoff: number): Promise<number>;
  /** The samples in the window, oldest first, and the last one before it (the exhaustion baseline). */
  samples(poolId: string, window: HealthWindow): Promise<{ before: HealthSample | null; inWindow: HealthSample[] }>;
  leaseActivity(poolId: string, window: HealthWindow): Promise<LeaseActivity>;
  /** Calls of the pool that started in the window, by attribution method; restricted calls left out. */
  attributionCounts(siteId: string, poolId: string, window: HealthWindow): Promise<{ method: string; calls: number }[]>;
  /** The blocking target of the pool's client; null for a pool that does not exist. */
  blockingTargetOf(poolId: string): Promise<number | null>;
}

interface SampleRow {
  sampled_at: Date;
  total: number;
  leased: number;
  available: number;
  cooling_down: number;
  /** bigint: pg returns it as a string. */
  exhausted_total: string | number;
}

const SAMPLE_COLUMNS = 'sampled_at, total, leased, available, cooling_down, exhausted_total';

const toSample = (r: SampleRow): HealthSample => ({
  at: r.sampled_at.getTime(),
  total: r.total,
  leased: r.leased,
  available: r.available,
  coolingDown: r.cooling_down,
  exhaustedTotal: Number(r.exhausted_total),
});

/** The start of the UTC clock hour of a timestamptz column, epoch ms. */
const hourStartOf = (column: string) => `(floor(extract(epoch FROM ${column}) / 3600) * 3600000)::float8`;

const toHourly = (rows: { hour_start: number; n: number }[]): HourlyCount[] => rows.map((r) => ({ hourStart: Number(r.hour_start), count: r.n }));

export class SqlPoolHealthStore implements PoolHealthStore {
  constructor(private readonly db: Queryable) {}

  async recordSamples(samples: readonly { poolId: string; sample: HealthSample }[]): Promise<void> {
    if (!samples.length) return;
    // A pool deleted since it was listed is skipped rather than failing every other pool's sample.
    await this.db.query(
      `INSERT INTO pool_health_samples (pool_id, sampled_at, total, leased, available, cooling_down, exhausted_total)
       SELECT s.* FROM unnest($1::uuid[], $2::timestamptz[], $3::int[], $4::int[], $5::int[], $6::int[], $7::bigint[])
         AS s(pool_id, sampled_at, total, leased, available, cooling_down, exhausted_total)
       WHERE EXISTS (SELECT 1 FROM pools p WHERE p.id = s.pool_id)
       ON CONFLICT (pool_id, sampled_at) DO UPDATE SET
         total = EXCLUDED.total, leased = EXCLUDED.leased, available = EXCLUDED.available,
         cooling_down = EXCLUDED.cooling_down, exhausted_total = EXCLUDED.exhausted_total`,
      [
        samples.map((s) => s.poolId),
        samples.map((s) => new Date(s.sample.at).toISOString()),
        samples.map((s) => s.sample.total),
        samples.map((s) => s.sample.leased),
        samples.map((s) => s.sample.available),
        samples.map((s) => s.sample.coolingDown),
        samples.map((s) => s.sample.exhaustedTotal),
      ],
    );
  }

  async deleteSamplesBefore(cutoff: number): Promise<number> {
    const { rowCount } = await this.db.query('DELETE FROM pool_health_samples WHERE sampled_at < $1', [new Date(cutoff)]);
    return rowCount;
  }

  async samples(poolId: string, w: HealthWindow): Promise<{ before: HealthSample | null; inWindow: HealthSample[] }> {
    const [before, inWindow] = await Promise.all([
      this.db.query<SampleRow>(`SELECT ${SAMPLE_COLUMNS} FROM pool_health_samples WHERE pool_id = $1 AND sampled_at < $2 ORDER BY sampled_at DESC LIMIT 1`, [poolId, new Date(w.from)]),
      this.db.query<SampleRow>(`SELECT ${SAMPLE_COLUMNS} FROM pool_health_samples WHERE pool_id = $1 AND sampled_at BETWEEN $2 AND $3 ORDER BY sampled_at`, [poolId, new Date(w.from), new Date(w.to)]),
    ]);
    return { before: before.rows[0] ? toSample(before.rows[0]) : null, inWindow: inWindow.rows.map(toSample) };
  }

  async leaseActivity(poolId: string, w: HealthWindow): Promise<LeaseActivity> {
    const params = [poolId, new Date(w.from), new Date(w.to)];
    const [grants, displacements, ended] = await Promise.all([
      this.db.query<{ hour_start: number; n: number }>(
        `SELECT ${hourStartOf('started_at')} AS hour_start, count(*)::int AS n FROM leases
         WHERE pool_id = $1 AND started_at BETWEEN $2 AND $3 GROUP BY 1 ORDER BY 1`,
        params,
      ),
      // A displacement ends one lease and grants its number to the newcomer in the same instant.
      this.db.query<{ hour_start: number; n: number }>(
        `SELECT ${hourStartOf('ended_at')} AS hour_start, count(*)::int AS n FROM leases
         WHERE pool_id = $1 AND end_reason = 'displaced' AND ended_at BETWEEN $2 AND $3 GROUP BY 1 ORDER BY 1`,
        params,
      ),
      this.db.query<{ n: number; held_ms: number }>(
        `SELECT count(*)::int AS n, coalesce(sum(extract(epoch FROM ended_at - started_at) * 1000), 0)::float8 AS held_ms FROM leases
         WHERE pool_id = $1 AND ended_at BETWEEN $2 AND $3`,
        params,
      ),
    ]);
    return {
      grantsByHour: toHourly(grants.rows),
      displacementsByHour: toHourly(displacements.rows),
      endedLeases: { count: ended.rows[0].n, totalHeldMs: Number(ended.rows[0].held_ms) },
    };
  }

  async attributionCounts(siteId: string, poolId: string, w: HealthWindow): Promise<{ method: string; calls: number }[]> {
    // site_id first: calls are indexed by site and start time.
    const { rows } = await this.db.query<{ method: string; calls: number }>(
      `SELECT attribution AS method, count(*)::int AS calls FROM calls
       WHERE site_id = $1 AND pool_id = $2 AND started_at BETWEEN $3 AND $4 AND NOT restricted
       GROUP BY attribution ORDER BY attribution`,
      [siteId, poolId, new Date(w.from), new Date(w.to)],
    );
    return rows;
  }

  async blockingTargetOf(poolId: string): Promise<number | null> {
    const { rows } = await this.db.query<{ target: string | number }>(
      `SELECT c.pool_blocking_target AS target FROM pools p JOIN sites s ON s.id = p.site_id JOIN clients c ON c.id = s.client_id WHERE p.id = $1`,
      [poolId],
    );
    return rows[0] ? Number(rows[0].target) : null;
  }
}
