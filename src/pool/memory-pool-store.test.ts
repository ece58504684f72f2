import { MemoryPoolStore } from './memory-pool-store';
import { runPoolStoreContract } from './pool-store.contract';

runPoolStoreContract('MemoryPoolStore', async () => ({ store: new MemoryPoolStore(), cleanup: async () => {} }));

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
