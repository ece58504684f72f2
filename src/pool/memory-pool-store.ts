import { MemoryPoolState } from './memory-pool-state';
import type {
  ForgetVisitsResult,
  HeartbeatResult,
  LeaseEvent,
  LeaseResult,
  LiveLease,
  NumberHolders,
  PoolSettings,
  PoolSnapshot,
  PoolStats,
  PoolStore,
} from './pool-store';

export interface MemoryPoolStoreOptions {
  /**
   * Picks the number a new lease gets among those available (rested), in the order they were freed.
   * Unset: the one rested longest, as RedisPoolStore does. Only the attribution simulator sets it, to
   * measure what another choice (a random one) would cost; it is not a production option.
   */
  chooseFree?: (available: readonly string[]) => string;
}

/**
 * The pool store for a single instance and for simulations: plain maps in this process, with the
 * same semantics as RedisPoolStore (one contract test suite runs against both). Each method runs
 * synchronously to completion, which gives it the atomicity a Lua script has in Redis.
 */
export class MemoryPoolStore implements PoolStore {
  readonly kind = 'memory' as const;
  private readonly pools = new Map<string, MemoryPoolState>();

  constructor(private readonly options: MemoryPoolStoreOptions = {}) {}

  async addNumbers(poolId: string, numberIds: readonly string[]): Promise<void> {
    const pool = this.pool(poolId);
    for (const numberId of numberIds) {
      if (pool.members.has(numberId)) continue;
      pool.members.add(numberId);
      pool.free.set(numberId, 0);
    }
  }

  async removeNumbers(poolId: string, numberIds: readonly string[], now: number): Promise<void> {
    now = this.pool(poolId).advanceClock(now);
    const pool = this.pool(poolId);
    for (const numberId of numberIds) {
      const lease = pool.live.get(numberId);
      // A lease that expired unnoticed ended at its expiry, not at its removal.
      if (lease && lease.expiresAt <= now) pool.endLease(numberId, lease.expiresAt, 'expired', now);
      else if (lease) pool.endLease(numberId, now, 'removed', now);
      pool.free.delete(numberId);
      pool.members.delete(numberId);
    }
  }

  async lease(settings: PoolSettings, visitId: string, now: number, note?: string): Promise<LeaseResult> {
    now = this.pool(settings.poolId).advanceClock(now);
    const pool = this.reclaimed(settings, now);
    if (note) pool.events.append({ type: 'note', poolId: settings.poolId, visitId, at: now, note });
    const held = pool.liveLeaseOfVisit(visitId);
    if (held) return { outcome: 'renewed', lease: copy(pool.extend(held, now, settings.leaseMs)) };

    const rested = this.options.chooseFree ? this.chosenFree(pool, now, this.options.chooseFree) : pool.mostRestedFree(now);
    if (rested !== undefined) return { outcome: 'granted', lease: copy(pool.grant(rested, visitId, now, settings.leaseMs)) };

    pool.exhaustedCount += 1;
    const stalest = settings.exhaustionPolicy === 'recycle' ? pool.stalestLease() : undefined;
    if (!stalest) return { outcome: 'exhausted' };
    pool.endLease(stalest.numberId, now, 'displaced', now, settings.graceMs);
    const lease = pool.grant(stalest.numberId, visitId, now, settings.leaseMs);
    return { outcome: 'granted', lease: copy(lease), displacedVisitId: stalest.visitId };
  }

  async heartbeat(settings: PoolSettings, visitId: string, token: number, now: number): Promise<HeartbeatResult> {
    now = this.pool(settings.poolId).advanceClock(now);
    const pool = this.reclaimed(settings, now);
    const held = pool.liveLeaseOfVisit(visitId);
    if (!held || held.token !== token) return { outcome: 'lost' };
    return { outcome: 'renewed', lease: copy(pool.extend(held, now, settings.leaseMs)) };
  }

  async holders(settings: PoolSettings, numberId: string, now: number): Promise<NumberHolders> {
    now = this.pool(settings.poolId).advanceClock(now);
    const pool = this.reclaimed(settings, now);
    const live = pool.live.get(numberId);
    const recent = (pool.recent.get(numberId) ?? []).filter((h) => h.endedAt >= now - settings.graceMs).map((h) => ({ ...h }));
    return { live: live ? copy(live) : null, recent };
  }

  async stats(settings: PoolSettings, now: number): Promise<PoolStats> {
    now = this.pool(settings.poolId).advanceClock(now);
    const pool = this.reclaimed(settings, now);
    const restTimes = [...pool.free.values()];
    return {
      total: pool.members.size,
      leased: pool.live.size,
      available: restTimes.filter((t) => t <= now).length,
      coolingDown: restTimes.filter((t) => t > now).length,
      exhaustedCount: pool.exhaustedCount,
    };
  }

  async readEvents(poolId: string, max: number): Promise<{ ids: string[]; events: LeaseEvent[] }> {
    if (!Number.isInteger(max) || max < 1) throw new Error(`readEvents max must be a positive integer, got ${max}`);
    return this.pool(poolId).events.read(max);
  }

  async ackEvents(poolId: string, ids: readonly string[]): Promise<void> {
    this.pool(poolId).events.ack(ids);
  }

  async restore(settings: PoolSettings, snapshot: PoolSnapshot, now: number): Promise<{ numbers: number; leases: number }> {
    now = this.pool(settings.poolId).advanceClock(now);
    const pool = this.pool(settings.poolId);
    const leaseOf = new Map(snapshot.leases.map((l) => [l.numberId, l]));
    let numbers = 0;
    let leases = 0;
    for (const n of snapshot.numbers) {
      if (pool.members.has(n.numberId)) continue;
      numbers += 1;
      pool.members.add(n.numberId);
      const generation = Math.max(pool.generation.get(n.numberId) ?? 0, n.generation);
      if (n.recent.length && !pool.recent.has(n.numberId)) pool.recent.set(n.numberId, n.recent.map((h) => ({ ...h })));
      const l = leaseOf.get(n.numberId);
      if (l && l.token >= generation && !pool.byVisit.has(l.visitId)) {
        pool.live.set(n.numberId, { numberId: n.numberId, visitId: l.visitId, token: l.token, startedAt: l.startedAt, renewedAt: now, expiresAt: now + settings.leaseMs });
        pool.byVisit.set(l.visitId, n.numberId);
        pool.free.delete(n.numberId);
        leases += 1;
      } else {
        pool.free.set(n.numberId, n.availableAt);
      }
      pool.generation.set(n.numberId, generation);
    }
    return { numbers, leases };
  }

  async forgetVisits(settings: PoolSettings, visitIds: readonly string[], now: number): Promise<ForgetVisitsResult> {
    if (visitIds.length === 0) return { leasesEnded: 0, holdersForgotten: 0 };
    const pool = this.pool(settings.poolId);
    return pool.forgetVisits(new Set(visitIds), pool.advanceClock(now), settings.cooldownMs);
  }

  async forgetHoldersBefore(settings: PoolSettings, cutoff: number): Promise<number> {
    // The cutoff is in the past: a safe reclaim time (see redis/lua/forgetHoldersBefore-7.lua).
    const pool = this.reclaimed(settings, this.pool(settings.poolId).advanceClock(cutoff));
    return pool.forgetRecentHolders((h) => h.endedAt < cutoff);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  private pool(poolId: string): MemoryPoolState {
    let pool = this.pools.get(poolId);
    if (!pool) {
      pool = new MemoryPoolState(poolId);
      this.pools.set(poolId, pool);
    }
    return pool;
  }

  private chosenFree(pool: MemoryPoolState, now: number, choose: (available: readonly string[]) => string): string | undefined {
    const available = pool.availableNumbers(now);
    if (available.length === 0) return undefined;
    const chosen = choose(available);
    if (!available.includes(chosen)) throw new Error(`chooseFree returned ${chosen}, which is not available`);
    return chosen;
  }

  private reclaimed(settings: PoolSettings, now: number): MemoryPoolState {
    const pool = this.pool(settings.poolId);
    pool.reclaimExpired(now, settings.cooldownMs, settings.graceMs);
    return pool;
  }
}

/** Callers get snapshots: mutating a returned lease must not change the store. */
function copy(lease: LiveLease): LiveLease {
  return { ...lease };
}
