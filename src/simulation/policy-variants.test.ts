import { MemoryPoolStore } from '../pool/memory-pool-store';
import type { PoolSettings } from '../pool/pool-store';
import { memoryStoreFor, POLICY_VARIANTS } from './policy-variants';
import { DEFAULT_POLICY, DEFAULT_TRAFFIC, type SimulationSettings } from './simulation-settings';

const POOL: PoolSettings = { poolId: 'sim', leaseMs: 1000, cooldownMs: 0, graceMs: 0, exhaustionPolicy: 'overflow' };
const NUMBERS = Array.from({ length: 20 }, (_, i) => `n${String(i).padStart(2, '0')}`);

async function grants(store: MemoryPoolStore, visits: number): Promise<string[]> {
  await store.addNumbers('sim', NUMBERS);
  const numbers: string[] = [];
  for (let i = 0; i < visits; i++) {
    const result = await store.lease(POOL, `v${i}`, 0);
    if (result.outcome !== 'granted') throw new Error(`expected a grant, got ${result.outcome}`);
    numbers.push(result.lease.numberId);
  }
  return numbers;
}

function settingsWith(choice: 'longest-idle' | 'random', seed = 1): SimulationSettings {
  return { seed, days: 1, poolSize: 20, traffic: DEFAULT_TRAFFIC, policy: { ...DEFAULT_POLICY, choice } };
}

describe('policy variants', () => {
  it('when a variant is derived, then it changes only what its name says', () => {
    expect(POLICY_VARIANTS.default.derive(DEFAULT_POLICY)).toEqual(DEFAULT_POLICY);
    expect(POLICY_VARIANTS['no-cooldown'].derive(DEFAULT_POLICY)).toEqual({ ...DEFAULT_POLICY, cooldownMs: 0 });
    expect(POLICY_VARIANTS['random-choice'].derive(DEFAULT_POLICY)).toEqual({ ...DEFAULT_POLICY, choice: 'random' });
    expect(POLICY_VARIANTS.recycle.derive(DEFAULT_POLICY)).toEqual({ ...DEFAULT_POLICY, exhaustionPolicy: 'recycle' });
  });

  it('when the choice is longest idle, then the store is the plain one and hands out numbers in order', async () => {
    expect(await grants(memoryStoreFor(settingsWith('longest-idle')), 5)).toEqual(NUMBERS.slice(0, 5));
  });

  it('when the choice is random, then the numbers are scattered, reproducibly for a seed', async () => {
    const first = await grants(memoryStoreFor(settingsWith('random')), 10);
    expect(first).not.toEqual(NUMBERS.slice(0, 10));
    expect(new Set(first).size).toBe(10);
    expect(await grants(memoryStoreFor(settingsWith('random')), 10)).toEqual(first);
    expect(await grants(memoryStoreFor(settingsWith('random', 2)), 10)).not.toEqual(first);
  });
});

describe('MemoryPoolStore chooseFree hook', () => {
  it('when a chooser is given, then it sees only the available (rested) numbers', async () => {
    const seen: string[][] = [];
    const store = new MemoryPoolStore({ chooseFree: (available) => (seen.push([...available]), available[available.length - 1]) });
    await store.addNumbers('p', ['a', 'b', 'c']);
    const pool = { ...POOL, poolId: 'p', cooldownMs: 5000 };
    await store.lease(pool, 'v1', 0);
    // v1's lease on c ends at 1000 and c rests until 6000.
    await store.lease(pool, 'v2', 2000);
    expect(seen).toEqual([['a', 'b', 'c'], ['a', 'b']]);
  });

  it('when the chooser answers a number that is not available, then the lease fails loudly', async () => {
    const store = new MemoryPoolStore({ chooseFree: () => 'elsewhere' });
    await store.addNumbers('p', ['a']);
    await expect(store.lease({ ...POOL, poolId: 'p' }, 'v1', 0)).rejects.toThrow(/not available/);
  });

  it('when nothing is available, then the chooser is not asked and the pool is exhausted', async () => {
    const choose = jest.fn((available: readonly string[]) => available[0]);
    const store = new MemoryPoolStore({ chooseFree: choose });
    await store.addNumbers('p', ['a']);
    await store.lease({ ...POOL, poolId: 'p' }, 'v1', 0);
    expect((await store.lease({ ...POOL, poolId: 'p' }, 'v2', 10)).outcome).toBe('exhausted');
    expect(choose).toHaveBeenCalledTimes(1);
  });
});
