import { MemoryPoolStore } from '../memory-pool-store';
import type { Pool } from '../pool-config-store';
import type { PoolSettings, PoolStats } from '../pool-store';
import type { HealthSample } from './health-samples';
import { PoolHealthSampler, SAMPLES_KEPT_MS } from './pool-health-sampler';

const T0 = Date.parse('2026-11-30T10:00:00Z');
const pool = (id: string) => ({ id, leaseSeconds: 1800, cooldownSeconds: 0, graceSeconds: 0, exhaustionPolicy: 'overflow' }) as Pool;

class RecordingStore {
  recorded: { poolId: string; sample: HealthSample }[] = [];
  cutoffs: number[] = [];
  async recordSamples(samples: readonly { poolId: string; sample: HealthSample }[]) {
    this.recorded.push(...samples);
  }
  async deleteSamplesBefore(cutoff: number) {
    this.cutoffs.push(cutoff);
    return 7;
  }
}

describe('PoolHealthSampler', () => {
  it('when pools are leased and one is full, then each gets a sample of its live counts and old samples are trimmed', async () => {
    const poolStore = new MemoryPoolStore();
    const a = pool('pool-a');
    const settings: PoolSettings = { poolId: a.id, leaseMs: 1_800_000, cooldownMs: 0, graceMs: 0, exhaustionPolicy: 'overflow' };
    await poolStore.addNumbers(a.id, ['n1', 'n2']);
    for (const visit of ['v1', 'v2', 'v3']) await poolStore.lease(settings, visit, T0);
    const store = new RecordingStore();

    const result = await new PoolHealthSampler({ listAll: async () => [a, pool('pool-b')] }, poolStore, store).run(T0 + 1000);

    expect(result).toEqual({ sampled: 2, trimmed: 7 });
    expect(store.recorded).toEqual([
      { poolId: 'pool-a', sample: { at: T0 + 1000, total: 2, leased: 2, available: 0, coolingDown: 0, exhaustedTotal: 1 } },
      { poolId: 'pool-b', sample: { at: T0 + 1000, total: 0, leased: 0, available: 0, coolingDown: 0, exhaustedTotal: 0 } },
    ]);
    expect(store.cutoffs).toEqual([T0 + 1000 - SAMPLES_KEPT_MS]);
  });

  it('when the pool store fails for one pool, then the others are recorded and the run fails, naming how many were missed', async () => {
    const stats = async (s: PoolSettings): Promise<PoolStats> => {
      if (s.poolId === 'pool-b') throw new Error('redis timeout');
      return { total: 1, leased: 0, available: 1, coolingDown: 0, exhaustedCount: 0 };
    };
    const store = new RecordingStore();

    await expect(new PoolHealthSampler({ listAll: async () => [pool('pool-a'), pool('pool-b')] }, { stats }, store).run(T0)).rejects.toThrow('1 of 2 pools');
    expect(store.recorded.map((r) => r.poolId)).toEqual(['pool-a']);
    expect(store.cutoffs).toHaveLength(1);
  });
});
