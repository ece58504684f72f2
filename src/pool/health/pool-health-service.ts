import { NotFoundError } from '../../shared/errors';
import { getLogger } from '../../shared/logging/logger';
import { withTimeout } from '../../shared/with-timeout';
import { poolSettings, type PoolConfigStore } from '../pool-config-store';
import type { PoolStats, PoolStore } from '../pool-store';
import { attributionMix, type AttributionMix } from './attribution-mix';
import { downsampleUtilisation, exhaustionEvents, utilisationOf, type ExhaustionEvent, type UtilisationPoint } from './health-samples';
import { sizePool, type PoolSizing } from './pool-sizing';
import type { HealthWindow, PoolHealthStore } from './pool-health-store';

const log = getLogger('pool-health');

/** Used when the client's own target cannot be read (it always can while the pool exists). */
const DEFAULT_BLOCKING_TARGET = 0.01;
/** Health is a page an operator reads: a pool store that is slow to answer leaves `live` out rather than hold it up. */
const LIVE_BUDGET_MS = 2000;

export interface PoolHealthReport {
  poolId: string;
  window: HealthWindow;
  /** Now, from the pool store; null when it did not answer. */
  live: (Omit<PoolStats, 'exhaustedCount'> & { utilisation: number | null }) | null;
  utilisation: UtilisationPoint[];
  exhaustion: { total: number; events: ExhaustionEvent[] };
  attribution: AttributionMix;
  sizing: PoolSizing;
}

/** A pool's health over a window: how busy it was, when it ran out, how its calls were credited, and what size it should be. */
export class PoolHealthService {
  constructor(
    private readonly pools: Pick<PoolConfigStore, 'findById'>,
    private readonly store: PoolHealthStore,
    private readonly poolStore: Pick<PoolStore, 'stats'>,
    private readonly liveBudgetMs = LIVE_BUDGET_MS,
  ) {}

  /** `targetBlocking` overrides the client's target for this report. */
  async report(poolId: string, window: HealthWindow, now: number, targetBlocking?: number): Promise<PoolHealthReport> {
    const pool = await this.pools.findById(poolId);
    if (!pool) throw new NotFoundError('No pool with this id.');
    const [live, samples, activity, calls, clientTarget] = await Promise.all([
      this.liveStats(poolSettings(pool), now),
      this.store.samples(poolId, window),
      this.store.leaseActivity(poolId, window),
      this.store.attributionCounts(pool.siteId, poolId, window),
      targetBlocking === undefined ? this.store.blockingTargetOf(poolId) : Promise.resolve(null),
    ]);
    const events = exhaustionEvents(samples.inWindow, samples.before);
    const lastSample = samples.inWindow.at(-1);
    const sizing = sizePool({
      ...window,
      ...activity,
      exhaustion: events,
      pool: { leaseMs: pool.leaseSeconds * 1000, cooldownMs: pool.cooldownSeconds * 1000 },
      currentSize: live?.total ?? lastSample?.total ?? null,
      targetBlocking: targetBlocking ?? clientTarget ?? DEFAULT_BLOCKING_TARGET,
    });
    return {
      poolId,
      window,
      live: live && { total: live.total, leased: live.leased, available: live.available, coolingDown: live.coolingDown, utilisation: utilisationOf(live.leased, live.total) },
      utilisation: downsampleUtilisation(samples.inWindow),
      exhaustion: { total: events.reduce((sum, e) => sum + e.count, 0), events },
      attribution: attributionMix(calls),
      sizing,
    };
  }

  /** The rest of the report comes from Postgres, so a pool store that is down costs only this part. */
  private async liveStats(settings: ReturnType<typeof poolSettings>, now: number): Promise<PoolStats | null> {
    try {
      return await withTimeout(this.poolStore.stats(settings, now), this.liveBudgetMs, 'pool stats');
    } catch (err) {
      log.warn('pool store did not answer for pool health; live figures left out', { error: err, poolId: settings.poolId });
      return null;
    }
  }
}
