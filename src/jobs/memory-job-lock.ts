import type { AcquireOutcome, JobLock, TickClaim } from './job-lock';

/**
 * The job lock of single-instance mode (no Redis): the same contract as the Redis lock, held in this
 * process. `now` is injectable so the contract suite can let leases lapse without waiting.
 */
export class MemoryJobLock implements JobLock {
  private readonly holders = new Map<string, { token: number; expiresAt: number }>();
  private readonly fences = new Map<string, number>();
  private readonly ticks = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async acquire(job: string, leaseMs: number, tick?: TickClaim): Promise<AcquireOutcome> {
    const now = this.now();
    this.forgetExpiredTicks(now);
    if (this.liveHolder(job, now)) return { outcome: 'held' };
    const tickKey = tick ? `${job}\n${tick.slot.toISOString()}` : undefined;
    if (tickKey && this.ticks.has(tickKey)) return { outcome: 'tick-taken' };
    const token = (this.fences.get(job) ?? 0) + 1;
    this.fences.set(job, token);
    this.holders.set(job, { token, expiresAt: now + leaseMs });
    if (tickKey && tick) this.ticks.set(tickKey, now + tick.ttlMs);
    return { outcome: 'acquired', token };
  }

  async renew(job: string, token: number, leaseMs: number): Promise<boolean> {
    const now = this.now();
    const holder = this.liveHolder(job, now);
    if (holder?.token !== token) return false;
    holder.expiresAt = now + leaseMs;
    return true;
  }

  async release(job: string, token: number): Promise<boolean> {
    if (this.liveHolder(job, this.now())?.token !== token) return false;
    this.holders.delete(job);
    return true;
  }

  private liveHolder(job: string, now: number): { token: number; expiresAt: number } | undefined {
    const holder = this.holders.get(job);
    if (holder && holder.expiresAt <= now) {
      this.holders.delete(job);
      return undefined;
    }
    return holder;
  }

  private forgetExpiredTicks(now: number): void {
    for (const [key, expiresAt] of this.ticks) if (expiresAt <= now) this.ticks.delete(key);
  }
}
