/**
 * The number pool's storage contract. Two real implementations share it and one contract test suite:
 * RedisPoolStore (production, one Lua script = one round trip per operation) and MemoryPoolStore
 * (single-instance mode, simulations). Times are epoch milliseconds passed in by the caller, so a
 * simulation or a test can drive the clock.
 */
export type ExhaustionPolicy = 'overflow' | 'recycle';

export interface PoolSettings {
  poolId: string;
  /** A lease lives this long after its last grant or heartbeat. */
  leaseMs: number;
  /** A number rests this long after its lease ends before it is handed out again. */
  cooldownMs: number;
  /** A call this soon after a lease ended is still credited to that lease's visit. */
  graceMs: number;
  exhaustionPolicy: ExhaustionPolicy;
}

export interface LiveLease {
  numberId: string;
  visitId: string;
  /** Fencing token: the number's generation, incremented on every grant. */
  token: number;
  startedAt: number;
  renewedAt: number;
  expiresAt: number;
}

export type LeaseResult =
  | { outcome: 'granted'; lease: LiveLease; displacedVisitId?: string }
  | { outcome: 'renewed'; lease: LiveLease }
  | { outcome: 'exhausted' };

export type HeartbeatResult = { outcome: 'renewed'; lease: LiveLease } | { outcome: 'lost' };

export interface EndedHolder {
  visitId: string;
  token: number;
  startedAt: number;
  endedAt: number;
}

/** Who held a number around a moment: the live lease, and earlier holders whose lease ended within graceMs. */
export interface NumberHolders {
  live: LiveLease | null;
  /** Most recent first. */
  recent: EndedHolder[];
}

export type LeaseEndReason = 'expired' | 'displaced' | 'removed';

export type LeaseEvent =
  | { type: 'granted'; poolId: string; numberId: string; visitId: string; token: number; at: number }
  /** The opaque note a lease request carried (the tracking module stores the visit's details this way). */
  | { type: 'note'; poolId: string; visitId: string; at: number; note: string }
  | { type: 'ended'; poolId: string; numberId: string; visitId: string; token: number; startedAt: number; renewedAt: number; at: number; reason: LeaseEndReason };

export interface PoolStats {
  total: number;
  leased: number;
  /** Free and rested: can be handed out now. */
  available: number;
  /** Free but still resting after a lease. */
  coolingDown: number;
  exhaustedCount: number;
}

/** The durable record of a pool (from Postgres), to rebuild a pool store that lost its state. */
export interface PoolSnapshot {
  numbers: { numberId: string; generation: number; availableAt: number; recent: EndedHolder[] }[];
  /** Leases that had not ended, per the lease history. */
  leases: { numberId: string; visitId: string; token: number; startedAt: number }[];
}

export interface ForgetVisitsResult {
  leasesEnded: number;
  /** Entries removed from the numbers' recent-holder lists. */
  holdersForgotten: number;
}

export interface PoolStore {
  readonly kind: 'redis' | 'memory';
  /** Adds numbers as free and immediately available. Adding a number already present changes nothing. */
  addNumbers(poolId: string, numberIds: readonly string[]): Promise<void>;
  /** Takes numbers out of the pool, ending any live lease on them (reason 'removed'). */
  removeNumbers(poolId: string, numberIds: readonly string[], now: number): Promise<void>;
  /**
   * Lease or renew (idempotent per visit); reclaims expired leases first. A `note`, if given, is
   * appended to the event log in the same atomic step, whatever the outcome (even 'exhausted'), so
   * what the caller wants persisted with the request costs no extra round trip and is never lost
   * once the lease is acknowledged.
   */
  lease(pool: PoolSettings, visitId: string, now: number, note?: string): Promise<LeaseResult>;
  /** Extends the visit's live lease if the token still matches; otherwise 'lost'. */
  heartbeat(pool: PoolSettings, visitId: string, token: number, now: number): Promise<HeartbeatResult>;
  /** Holders of a number at `now`, for call attribution; reclaims expired leases first. */
  holders(pool: PoolSettings, numberId: string, now: number): Promise<NumberHolders>;
  stats(pool: PoolSettings, now: number): Promise<PoolStats>;
  /**
   * Lease events not yet acknowledged, oldest first, for persisting the lease history. A consumer
   * that crashes before ack sees them again (at-least-once; the Postgres writes are idempotent).
   */
  readEvents(poolId: string, max: number): Promise<{ ids: string[]; events: LeaseEvent[] }>;
  ackEvents(poolId: string, ids: readonly string[]): Promise<void>;
  /**
   * Adds back the numbers of the snapshot that the store does not have (after Redis lost its data, or
   * an in-process store restarted), with their generations, rest times and recent holders; a lease
   * that had not ended returns to its holder with a fresh lifetime. Numbers the store has are left
   * untouched, so restoring a healthy pool, or twice, changes nothing.
   */
  restore(pool: PoolSettings, snapshot: PoolSnapshot, now: number): Promise<{ numbers: number; leases: number }>;
  /**
   * Data-subject erasure: afterwards nothing the store keeps for the pool mentions these visits. Each
   * one's live lease ends WITHOUT an 'ended' event (the lease history must not write the visit back)
   * and its number rests for cooldownMs from now; the visits leave every number's recent holders; and
   * every event not yet acknowledged that names them (note, granted, ended) is dropped unpersisted.
   */
  forgetVisits(pool: PoolSettings, visitIds: readonly string[], now: number): Promise<ForgetVisitsResult>;
  /**
   * Retention: forgets every recent holder whose lease ended before `cutoff`, returning how many. Leases
   * that expired unnoticed are reclaimed first (with their 'ended' events, as any operation would), so
   * no visit older than the cutoff lingers as a live holder either.
   */
  forgetHoldersBefore(pool: PoolSettings, cutoff: number): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
