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

/**
 * Growth that is not the cost of a live lease: `gen` gains one counter per number at the number's
 * first lease ever and keeps it after the lease ends (fencing tokens never repeat), so a pool pays it
 * once per number, bounded by the pool's size.
 */
const ONCE_PER_NUMBER = new Set(['gen']);

export interface LeaseMemory {
  leases: number;
  /** Growth of the pool's keys per lease once the events reached Postgres, net of the free-set entries the numbers left. */
  bytesPerLease: number;
  /** Growth per number leased for the first time ever (see ONCE_PER_NUMBER). */
  bytesPerNumberOnce: number;
  /** Growth per key, per lease. */
  perKey: KeyMemory;
  /** INFO used_memory growth per lease: allocator overhead included, and whatever else the shared server did meanwhile. */
  usedMemoryPerLease: number;
  drained: boolean;
}

export function leaseMemory(leases: number, before: KeyMemory, after: KeyMemory, usedBefore: number, usedAfter: number, drained: boolean): LeaseMemory {
  const perKey: KeyMemory = {};
  for (const name of Object.keys(after)) perKey[name] = (after[name] - (before[name] ?? 0)) / leases;
  const sum = (names: string[]) => names.reduce((total, name) => total + perKey[name], 0);
  const names = Object.keys(perKey);
  return {
    leases,
    bytesPerLease: sum(names.filter((n) => !ONCE_PER_NUMBER.has(n))),
    bytesPerNumberOnce: sum(names.filter((n) => ONCE_PER_NUMBER.has(n))),
    perKey,
    usedMemoryPerLease: (usedAfter - usedBefore) / leases,
    drained,
  };
}
