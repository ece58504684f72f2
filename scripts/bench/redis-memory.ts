import type Redis from 'ioredis';
import { poolKeys } from '../../src/pool/redis/pool-keys';

export type KeyMemory = Record<string, number>;

/** Exact bytes (SAMPLES 0 walks every element) of each of the pool's keys; a missing key is 0. */
export async function poolKeyMemory(redis: Redis, prefix: string, poolId: string): Promise<KeyMemory> {
  const sizes: KeyMemory = {};
  for (const [name, key] of Object.entries(poolKeys(prefix, poolId))) {
    sizes[name] = (await redis.memory('USAGE', key, 'SAMPLES', 0)) ?? 0;
  }
  return sizes;
}

export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? NaN);
}

/**
 * Waits until the service's lease-history writer has moved every pool's pending events to Postgres
 * (it deletes them from the stream once written). Returns false on timeout: the writer is behind.
 */
export async function waitForDrainedEvents(redis: Redis, prefix: string, poolIds: readonly string[], timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lengths = await Promise.all(poolIds.map((id) => redis.xlen(poolKeys(prefix, id).events)));
    if (lengths.every((n) => n === 0)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface LeaseMemory {
  leases: number;
  /** Growth of the pool's keys per lease once the events reached Postgres: what a live lease costs at rest. */
  bytesPerLease: number;
  /** The same growth per key, per lease. */
  perKey: KeyMemory;
  /** INFO used_memory growth per lease: includes allocator overhead, and anything else the shared server did meanwhile. */
  usedMemoryPerLease: number;
  drained: boolean;
}

export function leaseMemory(leases: number, before: KeyMemory, after: KeyMemory, usedBefore: number, usedAfter: number, drained: boolean): LeaseMemory {
  const perKey: KeyMemory = {};
  for (const name of Object.keys(after)) perKey[name] = (after[name] - (before[name] ?? 0)) / leases;
  const total = Object.values(perKey).reduce((a, b) => a + b, 0);
  return { leases, bytesPerLease: total, perKey, usedMemoryPerLease: (usedAfter - usedBefore) / leases, drained };
}
