import { RECENT_HOLDERS_KEPT } from '../../src/pool/pool-limits';
import type {
  EndedHolder,
  HeartbeatResult,
  LeaseEndReason,
  LeaseResult,
  LiveLease,
  NumberHolders,
  PoolSettings,
  PoolStats,
} from '../../src/pool/pool-store';

/** The lease events the reference model predicts (the stores may log other kinds too, e.g. notes). */
export type ReferenceLeaseEvent =
  | { type: 'granted'; poolId: string; numberId: string; visitId: string; token: number; at: number }
  | { type: 'ended'; poolId: string; numberId: string; visitId: string; token: number; startedAt: number; renewedAt: number; at: number; reason: LeaseEndReason };

interface NumberState {
  inPool: boolean;
  /** The last token handed out on this number; never reset, not even by removal. */
  generation: number;
  /** The lease as last granted or renewed; it may have expired without anyone noticing yet. */
  lease: LiveLease | null;
  /** When a free number may be handed out again (0 for a number just added). */
  availableAt: number;
  /** Every lease that ended on this number, most recent first, never pruned. */
  ended: EndedHolder[];
}

/**
 * The pool as the PoolStore contract describes it, written for the property test to be obviously
 * right rather than fast: one record per number, full history, linear scans, no indexes to keep in
 * sync. Expired leases are reclaimed only when an operation that reclaims runs (lease, heartbeat,
 * holders, stats), exactly as the stores do, because the order of lease events depends on it.
 */
export class ReferencePool {
  private readonly numbers = new Map<string, NumberState>();
  private exhaustedCount = 0;
  /** Events not yet acknowledged, oldest first. */
  private readonly unacked: ReferenceLeaseEvent[] = [];

  constructor(private readonly settings: PoolSettings) {}

  addNumbers(numberIds: readonly string[]): void {
    for (const id of numberIds) {
      const n = this.number(id);
      if (n.inPool) continue;
      n.inPool = true;
      n.availableAt = 0;
    }
  }

  removeNumbers(numberIds: readonly string[], now: number): void {
    for (const id of numberIds) {
      const n = this.number(id);
      if (!n.inPool) continue;
      if (n.lease) {
        const unnoticedExpiry = n.lease.expiresAt <= now;
        this.endLease(id, unnoticedExpiry ? n.lease.expiresAt : now, unnoticedExpiry ? 'expired' : 'removed');
      }
      n.inPool = false;
    }
  }

  lease(visitId: string, now: number): LeaseResult {
    this.reclaimExpired(now);
    const held = this.liveLeaseOf(visitId);
    if (held) return { outcome: 'renewed', lease: this.renew(held, now) };

    const free = this.entries()
      .filter(([, n]) => n.inPool && !n.lease && n.availableAt <= now)
      .sort(([idA, a], [idB, b]) => a.availableAt - b.availableAt || compareIds(idA, idB));
    if (free.length > 0) return { outcome: 'granted', lease: this.grant(free[0][0], visitId, now) };

    this.exhaustedCount += 1;
    if (this.settings.exhaustionPolicy !== 'recycle') return { outcome: 'exhausted' };
    const stalest = this.liveLeases().sort(byExpiryThenNumber)[0];
    if (!stalest) return { outcome: 'exhausted' };
    this.endLease(stalest.numberId, now, 'displaced');
    return { outcome: 'granted', lease: this.grant(stalest.numberId, visitId, now), displacedVisitId: stalest.visitId };
  }

  heartbeat(visitId: string, token: number, now: number): HeartbeatResult {
    this.reclaimExpired(now);
    const held = this.liveLeaseOf(visitId);
    if (!held || held.token !== token) return { outcome: 'lost' };
    return { outcome: 'renewed', lease: this.renew(held, now) };
  }

  holders(numberId: string, now: number): NumberHolders {
    this.reclaimExpired(now);
    const n = this.numbers.get(numberId);
    if (!n) return { live: null, recent: [] };
    const recent = n.ended.filter((h) => h.endedAt >= now - this.settings.graceMs).slice(0, RECENT_HOLDERS_KEPT);
    return { live: n.lease ? { ...n.lease } : null, recent: recent.map((h) => ({ ...h })) };
  }

  stats(now: number): PoolStats {
    this.reclaimExpired(now);
    const inPool = this.entries().filter(([, n]) => n.inPool).map(([, n]) => n);
    const free = inPool.filter((n) => !n.lease);
    return {
      total: inPool.length,
      leased: inPool.length - free.length,
      available: free.filter((n) => n.availableAt <= now).length,
      coolingDown: free.filter((n) => n.availableAt > now).length,
      exhaustedCount: this.exhaustedCount,
    };
  }

  /** Every event not yet acknowledged, oldest first; acknowledging them all empties the log. */
  takeEvents(): ReferenceLeaseEvent[] {
    return this.unacked.splice(0, this.unacked.length);
  }

  private reclaimExpired(now: number): void {
    const expired = this.liveLeases().filter((l) => l.expiresAt <= now).sort(byExpiryThenNumber);
    for (const lease of expired) {
      this.endLease(lease.numberId, lease.expiresAt, 'expired');
      this.number(lease.numberId).availableAt = lease.expiresAt + this.settings.cooldownMs;
    }
  }

  private grant(numberId: string, visitId: string, now: number): LiveLease {
    const n = this.number(numberId);
    n.generation += 1;
    n.lease = { numberId, visitId, token: n.generation, startedAt: now, renewedAt: now, expiresAt: now + this.settings.leaseMs };
    this.unacked.push({ type: 'granted', poolId: this.settings.poolId, numberId, visitId, token: n.generation, at: now });
    return { ...n.lease };
  }

  private renew(lease: LiveLease, now: number): LiveLease {
    lease.renewedAt = now;
    lease.expiresAt = now + this.settings.leaseMs;
    return { ...lease };
  }

  private endLease(numberId: string, endedAt: number, reason: LeaseEndReason): void {
    const n = this.number(numberId);
    const lease = n.lease;
    if (!lease) return;
    n.lease = null;
    n.ended.unshift({ visitId: lease.visitId, token: lease.token, startedAt: lease.startedAt, endedAt });
    this.unacked.push({
      type: 'ended',
      poolId: this.settings.poolId,
      numberId,
      visitId: lease.visitId,
      token: lease.token,
      startedAt: lease.startedAt,
      renewedAt: lease.renewedAt,
      at: endedAt,
      reason,
    });
  }

  private liveLeaseOf(visitId: string): LiveLease | undefined {
    return this.liveLeases().find((l) => l.visitId === visitId);
  }

  private liveLeases(): LiveLease[] {
    return this.entries().flatMap(([, n]) => (n.lease ? [n.lease] : []));
  }

  private entries(): [string, NumberState][] {
    return [...this.numbers.entries()];
  }

  private number(id: string): NumberState {
    let n = this.numbers.get(id);
    if (!n) {
      n = { inPool: false, generation: 0, lease: null, availableAt: 0, ended: [] };
      this.numbers.set(id, n);
    }
    return n;
  }
}

/** Byte order, as Redis sorts members with equal scores. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byExpiryThenNumber(a: LiveLease, b: LiveLease): number {
  return a.expiresAt - b.expiresAt || compareIds(a.numberId, b.numberId);
}
