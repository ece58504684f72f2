import { hostname } from 'node:os';
import type { Cluster, Redis } from 'ioredis';
import type {
  ForgetVisitsResult,
  HeartbeatResult,
  LeaseEvent,
  LeaseResult,
  NumberHolders,
  PoolSettings,
  PoolSnapshot,
  PoolStats,
  PoolStore,
} from '../pool-store';
import { RECENT_HOLDERS_KEPT } from '../pool-limits';
import { toForgetVisitsResult, toLeaseEvents, toNumberHolders, toPoolStats } from './decode-replies';
import { loadPoolScripts, type PoolScripts, type ScriptArg } from './load-scripts';
import { poolKeys, reclaimKeys, type PoolKeys } from './pool-keys';
import { toLeaseOutcome } from './result-codes';

export interface RedisPoolStoreOptions {
  /** This process's name in the events consumer group; must be stable across its reads. */
  consumerName?: string;
  /** Another consumer's unacknowledged event is taken over after this long (it is presumed dead). */
  claimIdleMs?: number;
}

/** The consumer group the lease-history writer reads events through. */
export const LEASE_HISTORY_GROUP = 'lease-history';

/**
 * The production pool store. Every operation is one Lua script, so one round trip and atomic:
 * two visits can never be granted the same number, even from different app instances.
 * The connection belongs to the caller, who closes it (it may be shared); close() leaves it open.
 */
export class RedisPoolStore implements PoolStore {
  readonly kind = 'redis' as const;
  private readonly scripts: PoolScripts;
  private readonly consumerName: string;
  private readonly claimIdleMs: number;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keyPrefix: string,
    options: RedisPoolStoreOptions = {},
  ) {
    this.scripts = loadPoolScripts(redis);
    this.consumerName = options.consumerName ?? `${hostname()}-${process.pid}`;
    this.claimIdleMs = options.claimIdleMs ?? 30_000;
  }

  async addNumbers(poolId: string, numberIds: readonly string[]): Promise<void> {
    if (numberIds.length === 0) return;
    const k = this.keys(poolId);
    await this.scripts.addNumbers([k.free, k.members], numberIds);
  }

  async removeNumbers(poolId: string, numberIds: readonly string[], now: number): Promise<void> {
    if (numberIds.length === 0) return;
    const k = this.keys(poolId);
    await this.scripts.removeNumbers([...reclaimKeys(k), k.members, k.clock], [now, RECENT_HOLDERS_KEPT, ...numberIds]);
  }

  async lease(pool: PoolSettings, visitId: string, now: number, note?: string): Promise<LeaseResult> {
    const k = this.keys(pool.poolId);
    const reply = await this.scripts.lease(
      [...reclaimKeys(k), k.gen, k.exhausted, k.clock],
      [...this.reclaimArgs(pool, now), pool.leaseMs, pool.exhaustionPolicy, visitId, note ?? ''],
    );
    const result = toLeaseOutcome(reply);
    if (result.outcome === 'lost') throw new Error('lease script answered LOST');
    return result;
  }

  async heartbeat(pool: PoolSettings, visitId: string, token: number, now: number): Promise<HeartbeatResult> {
    const k = this.keys(pool.poolId);
    const reply = await this.scripts.heartbeat([...reclaimKeys(k), k.clock], [...this.reclaimArgs(pool, now), pool.leaseMs, visitId, token]);
    const result = toLeaseOutcome(reply);
    if (result.outcome !== 'renewed' && result.outcome !== 'lost') throw new Error(`heartbeat script answered ${result.outcome}`);
    return result;
  }

  async holders(pool: PoolSettings, numberId: string, now: number): Promise<NumberHolders> {
    const k = this.keys(pool.poolId);
    const reply = await this.scripts.holders([...reclaimKeys(k), k.clock], [...this.reclaimArgs(pool, now), numberId]);
    return toNumberHolders(numberId, reply);
  }

  async stats(pool: PoolSettings, now: number): Promise<PoolStats> {
    const k = this.keys(pool.poolId);
    const reply = await this.scripts.stats([...reclaimKeys(k), k.members, k.exhausted, k.clock], this.reclaimArgs(pool, now));
    return toPoolStats(reply);
  }

  async readEvents(poolId: string, max: number): Promise<{ ids: string[]; events: LeaseEvent[] }> {
    if (!Number.isInteger(max) || max < 1) throw new Error(`readEvents max must be a positive integer, got ${max}`);
    const reply = await this.scripts.readEvents([this.keys(poolId).events], [LEASE_HISTORY_GROUP, this.consumerName, max, this.claimIdleMs]);
    return toLeaseEvents(poolId, reply);
  }

  async ackEvents(poolId: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.scripts.ackEvents([this.keys(poolId).events], [LEASE_HISTORY_GROUP, ...ids]);
  }

  async restore(pool: PoolSettings, snapshot: PoolSnapshot, now: number): Promise<{ numbers: number; leases: number }> {
    if (snapshot.numbers.length === 0) return { numbers: 0, leases: 0 };
    const k = this.keys(pool.poolId);
    const encoded = JSON.stringify({
      numbers: snapshot.numbers.map((n) => [
        n.numberId,
        n.generation,
        n.availableAt,
        // Same encoding as includes/endLease.lua: [visitId, token, startedAt, endedAt] as integer strings.
        n.recent.length ? JSON.stringify(n.recent.map((h) => [h.visitId, String(h.token), String(h.startedAt), String(h.endedAt)])) : '',
      ]),
      leases: snapshot.leases.map((l) => [l.numberId, l.visitId, l.token, l.startedAt]),
    });
    const reply = (await this.scripts.restore([k.free, k.leased, k.holder, k.byVisit, k.recent, k.gen, k.members, k.clock], [now, pool.leaseMs, encoded])) as [number, number];
    return { numbers: Number(reply[0]), leases: Number(reply[1]) };
  }

  async forgetVisits(pool: PoolSettings, visitIds: readonly string[], now: number): Promise<ForgetVisitsResult> {
    if (visitIds.length === 0) return { leasesEnded: 0, holdersForgotten: 0 };
    const k = this.keys(pool.poolId);
    const reply = await this.scripts.forgetVisits([...reclaimKeys(k), k.clock], [now, pool.cooldownMs, LEASE_HISTORY_GROUP, ...visitIds]);
    return toForgetVisitsResult(reply);
  }

  async forgetHoldersBefore(pool: PoolSettings, cutoff: number): Promise<number> {
    const k = this.keys(pool.poolId);
    return Number(await this.scripts.forgetHoldersBefore([...reclaimKeys(k), k.clock], [cutoff, pool.cooldownMs, pool.graceMs, RECENT_HOLDERS_KEPT]));
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    // The connection was handed in and may be shared; its owner closes it.
  }

  private keys(poolId: string): PoolKeys {
    return poolKeys(this.keyPrefix, poolId);
  }

  /** ARGV[1..4] of every script that reclaims expired leases first. */
  private reclaimArgs(pool: PoolSettings, now: number): ScriptArg[] {
    return [now, pool.cooldownMs, pool.graceMs, RECENT_HOLDERS_KEPT];
  }
}
