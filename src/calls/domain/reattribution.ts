import type { NumberHolders } from '../../pool/pool-store';
import { attributeCall, type Attribution } from './attribution';

/** A lease of the called number, as the lease history in Postgres records it (epoch ms). */
export interface HistoricLease {
  visitId: string;
  token: number;
  startedAt: number;
  /** null while the history says the lease had not ended. */
  endedAt: number | null;
}

/**
 * Who held a number at `at`, rebuilt from its lease history: the lease running then (started before,
 * not yet ended) and the leases that ended within `graceMs` before. Renewals are not in the history,
 * so a lease with no end is taken as still held, which is how the pool store would have seen it.
 */
export function holdersAt(numberId: string, leases: readonly HistoricLease[], at: number, graceMs: number): NumberHolders {
  const running = leases.filter((l) => l.startedAt <= at && (l.endedAt === null || l.endedAt > at)).sort((a, b) => b.startedAt - a.startedAt)[0];
  const recent = leases
    .filter((l) => l.endedAt !== null && l.endedAt <= at && l.endedAt >= at - graceMs)
    .map((l) => ({ visitId: l.visitId, token: l.token, startedAt: l.startedAt, endedAt: l.endedAt as number }));
  return {
    live: running ? { numberId, visitId: running.visitId, token: running.token, startedAt: running.startedAt, renewedAt: running.startedAt, expiresAt: running.endedAt ?? Number.MAX_SAFE_INTEGER } : null,
    recent,
  };
}

/** The attribution a call would have had if the pool store had answered: same rules, history as input. */
export function reattributeFromHistory(numberId: string, leases: readonly HistoricLease[], at: number, graceMs: number): Attribution {
  return attributeCall(holdersAt(numberId, leases, at, graceMs));
}
