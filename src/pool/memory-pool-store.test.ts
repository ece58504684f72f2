import { MemoryPoolStore } from './memory-pool-store';
import { runPoolStoreContract } from './pool-store.contract';

runPoolStoreContract('MemoryPoolStore', async () => {
  const store = new MemoryPoolStore();
  return { store, cleanup: async () => {}, keysMentioning: (needles) => poolsMentioning(store, needles) };
});

/** White-box: the pools whose whole in-process state (maps, sets, event log) contains a needle. */
async function poolsMentioning(store: MemoryPoolStore, needles: string[]): Promise<string[]> {
  const pools = (store as unknown as { pools: Map<string, object> }).pools;
  const everything = (_key: string, value: unknown) => (value instanceof Map || value instanceof Set ? [...value] : value);
  return [...pools].filter(([, state]) => needles.some((needle) => JSON.stringify(state, everything).includes(needle))).map(([poolId]) => poolId);
}

describe('MemoryPoolStore', () => {
  it('when a caller mutates a returned lease, then the stored lease is unchanged', async () => {
    const store = new MemoryPoolStore();
    const pool = { poolId: 'p', leaseMs: 1_000, cooldownMs: 0, graceMs: 0, exhaustionPolicy: 'overflow' as const };
    await store.addNumbers('p', ['n1']);
    const result = await store.lease(pool, 'v1', 0);
    if (result.outcome !== 'granted') throw new Error('expected a grant');
    result.lease.expiresAt = 999_999;
    expect((await store.holders(pool, 'n1', 0)).live?.expiresAt).toBe(1_000);
  });
});
