import { poolSettings, type Pool } from '../pool/pool-config-store';
import type { PoolStats, PoolStore } from '../pool/pool-store';
import { withTimeout } from '../shared/with-timeout';

export interface PoolStatsSource {
  listPools(): Promise<Pool[]>;
  poolStore: Pick<PoolStore, 'stats'>;
  now(): number;
}

export interface PoolStatsRow {
  poolId: string;
  stats: PoolStats;
}

export interface PoolStatsLimits {
  /** Pools reported per scrape (the oldest first); more would make the scrape slow and the series many. */
  maxPools: number;
  /** A scrape waits this long for the pool store; past it the pool gauges are left out of that scrape. */
  budgetMs: number;
}

export const DEFAULT_POOL_STATS_LIMITS: PoolStatsLimits = { maxPools: 500, budgetMs: 2000 };

/**
 * Every pool's counts, read at scrape time within a budget. A read that outlives its scrape (a slow
 * Redis) is shared by the next scrapes, so a slow backend never has more than one read in flight and
 * /metrics still answers in time.
 */
export class PoolStatsReader {
  private reading?: Promise<PoolStatsRow[]>;

  constructor(
    private readonly source: PoolStatsSource,
    private readonly limits: PoolStatsLimits = DEFAULT_POOL_STATS_LIMITS,
  ) {}

  read(): Promise<PoolStatsRow[]> {
    this.reading ??= this.readAll().finally(() => (this.reading = undefined));
    return withTimeout(this.reading, this.limits.budgetMs, 'pool stats');
  }

  private async readAll(): Promise<PoolStatsRow[]> {
    const pools = (await this.source.listPools()).slice(0, this.limits.maxPools);
    const now = this.source.now();
    return Promise.all(pools.map(async (pool) => ({ poolId: pool.id, stats: await this.source.poolStore.stats(poolSettings(pool), now) })));
  }
}
