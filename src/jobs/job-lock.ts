/**
 * A per-job lock shared by every instance of the deployment, so a single-instance job never runs in
 * two places at once. Holding it is a lease: it lapses unless renewed, so a crashed instance cannot
 * keep it. Every grant carries a fencing token, larger than any earlier grant of the same job, so
 * whoever keeps a record of the runs can tell a stale holder from the current one.
 *
 * Two implementations: Redis (src/jobs/redis, shared by every instance) and in-process (single-instance
 * mode), verified by one contract suite (job-lock.contract.ts).
 */
export interface JobLock {
  /**
   * Takes the job's lock for `leaseMs` unless another holder has it. With `tick`, also claims that
   * scheduled tick, in the same atomic step: a tick another instance already claimed is not run again,
   * even if that instance has finished and let go of the lock.
   */
  acquire(job: string, leaseMs: number, tick?: TickClaim): Promise<AcquireOutcome>;
  /** Extends the lease for `leaseMs` from now; false when `token` no longer holds the lock (it lapsed). */
  renew(job: string, token: number, leaseMs: number): Promise<boolean>;
  /** Lets go of the lock; false when `token` no longer held it (nothing is changed then). */
  release(job: string, token: number): Promise<boolean>;
}

export interface TickClaim {
  /** The time the schedule fired for (the same on every instance): names the tick. */
  slot: Date;
  /** How long the claim is remembered: longer than any instance may be late for the same tick. */
  ttlMs: number;
}

export type AcquireOutcome =
  | { outcome: 'acquired'; token: number }
  /** Another holder has the lock (a run of this job is in progress somewhere). */
  | { outcome: 'held' }
  /** Another instance already claimed this tick. */
  | { outcome: 'tick-taken' };
