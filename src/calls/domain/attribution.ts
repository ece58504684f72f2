import type { NumberHolders } from '../../pool/pool-store';

/**
 * How a call to a tracking number is credited to a website visit:
 * - `lease`: a visit holds the number's live lease when the call arrives;
 * - `grace`: no live lease, but exactly one visit's lease ended within the pool's grace window
 *   (people often call a minute after closing the tab);
 * - `ambiguous`: several visits' leases ended within the window; the most recent is credited and
 *   every candidate is kept, most recent first;
 * - `static`: the number belongs to no pool (a number printed in one advert, for example);
 * - `none`: nobody held it recently, or the pool could not be asked;
 * - `released-number`: the number is quarantined before release; its calls are still put through.
 */
export type AttributionMethod = 'lease' | 'grace' | 'ambiguous' | 'static' | 'none' | 'released-number';

export interface AttributionCandidate {
  visitId: string;
  leaseToken: number;
  /** null for the live lease. */
  endedAt: number | null;
}

export interface Attribution {
  method: AttributionMethod;
  visitId: string | null;
  leaseToken: number | null;
  candidates: AttributionCandidate[];
}

export const UNATTRIBUTED: Attribution = { method: 'none', visitId: null, leaseToken: null, candidates: [] };

/** `holders` is what the pool store reports for the number now; null when the number has no pool. */
export function attributeCall(holders: NumberHolders | null): Attribution {
  if (!holders) return { ...UNATTRIBUTED, method: 'static' };
  if (holders.live) {
    return { method: 'lease', visitId: holders.live.visitId, leaseToken: holders.live.token, candidates: [{ visitId: holders.live.visitId, leaseToken: holders.live.token, endedAt: null }] };
  }
  const recent = [...holders.recent].sort((a, b) => b.endedAt - a.endedAt);
  if (recent.length === 0) return UNATTRIBUTED;
  const candidates = recent.map((h) => ({ visitId: h.visitId, leaseToken: h.token, endedAt: h.endedAt }));
  return { method: recent.length === 1 ? 'grace' : 'ambiguous', visitId: recent[0].visitId, leaseToken: recent[0].token, candidates };
}
