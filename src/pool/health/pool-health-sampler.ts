import { poolSettings, type PoolConfigStore } from '../pool-config-store';
import type { PoolStore } from '../pool-store';
import type { HealthSample } from './health-samples';
import type { PoolHealthStore } from './pool-health-store';

const DAY_MS = 24 * 60 * 60 * 1000;
/** As long as the longest window GET /v1/pools/{id}/health reads. */
export const SAMPLES_KEPT_MS = 35 * DAY_MS;
/** Pools asked at once: enough to sample thousands of pools within the minute, few enough not to crowd Redis. */
const CONCURRENCY = 20;

export interface SamplingResult {
  sampled: number;
  /** Samples deleted for being older than SAMPLES_KEPT_MS. */
  trimmed: number;
}

/**
 * The 'pool-health-sample' job: the pool store's counts of every pool, once a minute, into Postgres,
 * where they become the utilisation chart and the exhaustion events of pool health.
 */
export class PoolHealthSampler {
  constructor(
    private readonly pools: Pick<PoolConfigStore, 'listAll'>,
    private readonly poolStore: Pick<PoolStore, 'stats'>,
    private readonly store: Pick<PoolHealthStore, 'recordSamples' | 'deleteSamplesBefore'>,
  ) {}

  /**
   * Samples every pool the store answers for and trims what is past keeping. A pool the store could
   * not answer for fails the run (after the others are recorded): a missing sample is not a quiet pool.
   */
  async run(now: number): Promise<SamplingResult> {
    const pools = await this.pools.listAll();
    const samples: { poolId: string; sample: HealthSample }[] = [];
    const failures: unknown[] = [];
    for (let i = 0; i < pools.length; i += CONCURRENCY) {
      const batch = pools.slice(i, i + CONCURRENCY);
      const results = await Promise.allSettled(batch.map((pool) => this.poolStore.stats(poolSettings(pool), now)));
      results.forEach((r, j) => {
        if (r.status === 'rejected') failures.push(r.reason);
        else {
          const { total, leased, available, coolingDown, exhaustedCount } = r.value;
          samples.push({ poolId: batch[j].id, sample: { at: now, total, leased, available, coolingDown, exhaustedTotal: exhaustedCount } });
        }
      });
    }
    await this.store.recordSamples(samples);
    const trimmed = await this.store.deleteSamplesBefore(now - SAMPLES_KEPT_MS);
    if (failures.length) throw new AggregateError(failures, `pool store did not answer for ${failures.length} of ${pools.length} pools`);
    return { sampled: samples.length, trimmed };
  }
}
