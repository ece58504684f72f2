import { NotFoundError } from '../../shared/errors';
import type { Pool } from '../pool-config-store';
import type { PoolStats, PoolStore } from '../pool-store';
import type { HealthSample } from './health-samples';
import { PoolHealthService } from './pool-health-service';
import type { HealthWindow, LeaseActivity, PoolHealthStore } from './pool-health-store';

const POOL_ID = '00000000-0000-4000-8000-000000000001';
const T0 = Date.parse('2026-11-30T00:00:00Z');
const HOUR = 3_600_000;
const WINDOW: HealthWindow = { from: T0, to: T0 + 24 * HOUR };
const NOW = WINDOW.to;

const POOL = { id: POOL_ID, siteId: '00000000-0000-4000-8000-000000000002', leaseSeconds: 1800, cooldownSeconds: 300, graceSeconds: 900, exhaustionPolicy: 'overflow' } as Pool;

const sample = (hour: number, exhaustedTotal: number, leased = 3): HealthSample => ({ at: T0 + hour * HOUR, total: 4, leased, available: 4 - leased, coolingDown: 0, exhaustedTotal });

/** The store as SQL would answer it, with what each call was asked recorded. */
class FakeHealthStore implements PoolHealthStore {
  asked: { method: string; args: unknown[] }[] = [];
  target = 0.02;
  samplesInWindow: HealthSample[] = [sample(1, 10), sample(10, 12, 4), sample(11, 15, 4)];
  before: HealthSample | null = sample(-1, 10);
  activity: LeaseActivity = {
    grantsByHour: [{ hourStart: T0 + 10 * HOUR, count: 7 }],
    displacementsByHour: [],
    endedLeases: { count: 4, totalHeldMs: 4 * 25 * 60_000 },
  };

  async recordSamples(): Promise<void> {}
  async deleteSamplesBefore(): Promise<number> {
    return 0;
  }
  async samples(poolId: string, window: HealthWindow) {
    this.asked.push({ method: 'samples', args: [poolId, window] });
    return { before: this.before, inWindow: this.samplesInWindow };
  }
  async leaseActivity(poolId: string, window: HealthWindow) {
    this.asked.push({ method: 'leaseActivity', args: [poolId, window] });
    return this.activity;
  }
  async attributionCounts(siteId: string, poolId: string, window: HealthWindow) {
    this.asked.push({ method: 'attributionCounts', args: [siteId, poolId, window] });
    return [{ method: 'lease', calls: 6 }, { method: 'ambiguous', calls: 2 }];
  }
  async blockingTargetOf(poolId: string) {
    this.asked.push({ method: 'blockingTargetOf', args: [poolId] });
    return this.target;
  }
}

const LIVE: PoolStats = { total: 4, leased: 3, available: 1, coolingDown: 0, exhaustedCount: 15 };

function service(opts: { stats?: PoolStore['stats']; pool?: Pool | null } = {}) {
  const store = new FakeHealthStore();
  const pools = { findById: async (id: string) => (id === POOL_ID ? (opts.pool === undefined ? POOL : opts.pool) : null) };
  const poolStore = { stats: opts.stats ?? (async () => LIVE) };
  return { store, health: new PoolHealthService(pools, store, poolStore, 50) };
}

describe('PoolHealthService', () => {
  it('when a pool was sampled and leased in the window, then the report brings live counts, exhaustion, attribution and sizing together', async () => {
    const { store, health } = service();

    const report = await health.report(POOL_ID, WINDOW, NOW);

    expect(report.live).toEqual({ total: 4, leased: 3, available: 1, coolingDown: 0, utilisation: 0.75 });
    expect(report.utilisation.map((p) => p.utilisation)).toEqual([0.75, 1, 1]);
    // 10 before the window: +0, +2, +3.
    expect(report.exhaustion).toEqual({ total: 5, events: [{ at: T0 + 10 * HOUR, count: 2 }, { at: T0 + 11 * HOUR, count: 3 }] });
    expect(report.attribution).toMatchObject({ calls: 8, ambiguous: 2, ambiguousShare: 0.25 });
    // Busiest hour 10:00: 7 grants + 2 exhausted; held 25 min + 5 min cool-down = 0.5 h each.
    expect(report.sizing).toMatchObject({ peakArrivalsPerHour: 9, meanHoldingSeconds: 1800, offeredErlangs: 4.5, currentSize: 4, targetBlocking: 0.02 });
    expect(store.asked).toContainEqual({ method: 'attributionCounts', args: [POOL.siteId, POOL_ID, WINDOW] });
  });

  it('when a target is given, then it overrides the client\'s and the client\'s is not read', async () => {
    const { store, health } = service();

    const report = await health.report(POOL_ID, WINDOW, NOW, 0.05);

    expect(report.sizing.targetBlocking).toBe(0.05);
    expect(store.asked.map((a) => a.method)).not.toContain('blockingTargetOf');
  });

  it('when the pool store fails, then live is null and the rest still answers, sized on the last sample', async () => {
    const { health } = service({ stats: async () => Promise.reject(new Error('redis down')) });

    const report = await health.report(POOL_ID, WINDOW, NOW);

    expect(report.live).toBeNull();
    expect(report.exhaustion.total).toBe(5);
    expect(report.sizing.currentSize).toBe(4);
  });

  it('when the pool store does not answer within its budget, then live is null rather than the page waiting', async () => {
    const { health } = service({ stats: () => new Promise<PoolStats>(() => undefined) });

    const report = await health.report(POOL_ID, WINDOW, NOW);

    expect(report.live).toBeNull();
  });

  it('when the pool does not exist, then it is a 404', async () => {
    const { health } = service({ pool: null });

    await expect(health.report(POOL_ID, WINDOW, NOW)).rejects.toBeInstanceOf(NotFoundError);
  });
});
