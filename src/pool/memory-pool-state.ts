import { MemoryLeaseEventLog } from './memory-lease-event-log';
import { RECENT_HOLDERS_KEPT } from './pool-limits';
import type { EndedHolder, LeaseEndReason, LiveLease } from './pool-store';

/**
 * One pool's state in process memory, mirroring the Redis keys (see redis/pool-keys.ts) and the
 * Lua includes, so both stores behave identically. Pools hold tens to hundreds of numbers, so
 * linear scans stand in for sorted sets.
 */
export class MemoryPoolState {
  readonly members = new Set<string>();
  /** numberId -> time it becomes available (end of last lease + cool-down; 0 when new). */
  readonly free = new Map<string, number>();
  /** numberId -> live lease. */
  readonly live = new Map<string, LiveLease>();
  /** visitId -> numberId. */
  readonly byVisit = new Map<string, string>();
  /** numberId -> generation (fencing token); survives removal so tokens never repeat. */
  readonly generation = new Map<string, number>();
  /** numberId -> ended holders, most recent first. */
  readonly recent = new Map<string, EndedHolder[]>();
  readonly events = new MemoryLeaseEventLog();
  exhaustedCount = 0;
  /** The latest now applied to this pool (see redis/lua/includes/monotonicNow.lua). */
  private clock = 0;

  constructor(readonly poolId: string) {}

  /** The pool's clock never runs backwards: a caller's stale now is replaced by the latest one seen. */
  advanceClock(now: number): number {
    this.clock = Math.max(this.clock, now);
    return this.clock;
  }

  /** Ends leases with expiresAt <= now, oldest first, at their expiresAt; their numbers rest for cooldownMs. */
  reclaimExpired(now: number, cooldownMs: number, graceMs: number): void {
    const expired = [...this.live.values()].filter((l) => l.expiresAt <= now).sort(byExpiry);
    for (const lease of expired) {
      this.endLease(lease.numberId, lease.expiresAt, 'expired', now, graceMs);
      this.free.set(lease.numberId, lease.expiresAt + cooldownMs);
    }
  }

  /** The number that has rested longest among those available at now (ties: lowest numberId). */
  mostRestedFree(now: number): string | undefined {
    let best: [string, number] | undefined;
    for (const [numberId, availableAt] of this.free) {
      if (availableAt > now) continue;
      if (!best || availableAt < best[1] || (availableAt === best[1] && numberId < best[0])) best = [numberId, availableAt];
    }
    return best?.[0];
  }

  /** Every number available at now (rested), in the order they were freed; for a comparison strategy. */
  availableNumbers(now: number): string[] {
    const available: string[] = [];
    for (const [numberId, availableAt] of this.free) if (availableAt <= now) available.push(numberId);
    return available;
  }

  /** The live lease renewed longest ago (lowest expiresAt; ties: lowest numberId). */
  stalestLease(): LiveLease | undefined {
    return [...this.live.values()].sort(byExpiry)[0];
  }

  liveLeaseOfVisit(visitId: string): LiveLease | undefined {
    const numberId = this.byVisit.get(visitId);
    return numberId === undefined ? undefined : this.live.get(numberId);
  }

  grant(numberId: string, visitId: string, now: number, leaseMs: number): LiveLease {
    const token = (this.generation.get(numberId) ?? 0) + 1;
    this.generation.set(numberId, token);
    const lease: LiveLease = { numberId, visitId, token, startedAt: now, renewedAt: now, expiresAt: now + leaseMs };
    this.free.delete(numberId);
    this.live.set(numberId, lease);
    this.byVisit.set(visitId, numberId);
    this.events.append({ type: 'granted', poolId: this.poolId, numberId, visitId, token, at: now });
    return lease;
  }

  extend(lease: LiveLease, now: number, leaseMs: number): LiveLease {
    lease.renewedAt = now;
    lease.expiresAt = now + leaseMs;
    return lease;
  }

  /**
   * Erasure (see redis/lua/forgetVisits-7.lua): ends the visits' live leases without an event, their
   * numbers resting for cooldownMs; drops them from recent holders and from unacknowledged events.
   */
  forgetVisits(visitIds: ReadonlySet<string>, now: number, cooldownMs: number): { leasesEnded: number; holdersForgotten: number } {
    let leasesEnded = 0;
    for (const [numberId, lease] of this.live) {
      if (!visitIds.has(lease.visitId)) continue;
      this.live.delete(numberId);
      this.free.set(numberId, Math.min(now, lease.expiresAt) + cooldownMs);
      leasesEnded += 1;
    }
    for (const visitId of visitIds) this.byVisit.delete(visitId);
    const holdersForgotten = this.forgetRecentHolders((h) => visitIds.has(h.visitId));
    this.events.discard((e) => visitIds.has(e.visitId));
    return { leasesEnded, holdersForgotten };
  }

  /** Removes the recent holders that match; a number left with none loses its entry. Returns how many. */
  forgetRecentHolders(matches: (holder: EndedHolder) => boolean): number {
    let removed = 0;
    for (const [numberId, holders] of this.recent) {
      const kept = holders.filter((h) => !matches(h));
      removed += holders.length - kept.length;
      if (kept.length === 0) this.recent.delete(numberId);
      else this.recent.set(numberId, kept);
    }
    return removed;
  }

  /**
   * Ends the live lease on a number and remembers its holder for attribution. graceMs undefined
   * keeps old recent holders regardless of age (removal has no pool settings).
   */
  endLease(numberId: string, endedAt: number, reason: LeaseEndReason, now: number, graceMs?: number): LiveLease | undefined {
    const lease = this.live.get(numberId);
    if (!lease) return undefined;
    this.live.delete(numberId);
    if (this.byVisit.get(lease.visitId) === numberId) this.byVisit.delete(lease.visitId);
    const ended: EndedHolder = { visitId: lease.visitId, token: lease.token, startedAt: lease.startedAt, endedAt };
    const stillRelevant = (this.recent.get(numberId) ?? []).filter((h) => graceMs === undefined || h.endedAt >= now - graceMs);
    this.recent.set(numberId, [ended, ...stillRelevant].slice(0, RECENT_HOLDERS_KEPT));
    this.events.append({
      type: 'ended',
      poolId: this.poolId,
      numberId,
      visitId: lease.visitId,
      token: lease.token,
      startedAt: lease.startedAt,
      renewedAt: lease.renewedAt,
      at: endedAt,
      reason,
    });
    return lease;
  }
}

/** Same order as a Redis sorted set: by score, then by member. */
function byExpiry(a: LiveLease, b: LiveLease): number {
  return a.expiresAt - b.expiresAt || (a.numberId < b.numberId ? -1 : a.numberId > b.numberId ? 1 : 0);
}
