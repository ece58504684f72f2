import type { EndedHolder, LiveLease, NumberHolders } from '../../pool/pool-store';
import { attributeCall, UNATTRIBUTED } from './attribution';

const T0 = Date.UTC(2026, 10, 30, 10, 0, 0);

const live = (visitId: string, token: number): LiveLease => ({ numberId: 'n1', visitId, token, startedAt: T0, renewedAt: T0, expiresAt: T0 + 60_000 });
const ended = (visitId: string, token: number, endedAt: number): EndedHolder => ({ visitId, token, startedAt: T0 - 600_000, endedAt });
const holders = (h: Partial<NumberHolders>): NumberHolders => ({ live: null, recent: [], ...h });

describe('attributeCall', () => {
  it('when the number belongs to no pool, then the call is static and credited to no visit', () => {
    expect(attributeCall(null)).toEqual({ method: 'static', visitId: null, leaseToken: null, candidates: [] });
  });

  it('when a visit holds the live lease, then that visit is credited by lease', () => {
    expect(attributeCall(holders({ live: live('v-live', 7) }))).toEqual({
      method: 'lease',
      visitId: 'v-live',
      leaseToken: 7,
      candidates: [{ visitId: 'v-live', leaseToken: 7, endedAt: null }],
    });
  });

  it('when a live lease and recently ended leases both exist, then the live holder wins and is the only candidate', () => {
    const result = attributeCall(holders({ live: live('v-live', 9), recent: [ended('v-old', 8, T0 - 1_000)] }));

    expect(result.method).toBe('lease');
    expect(result.visitId).toBe('v-live');
    expect(result.candidates).toEqual([{ visitId: 'v-live', leaseToken: 9, endedAt: null }]);
  });

  it('when nobody held the number recently, then the call is unattributed', () => {
    expect(attributeCall(holders({}))).toEqual(UNATTRIBUTED);
    expect(attributeCall(holders({})).method).toBe('none');
  });

  it('when exactly one lease ended within the grace window, then its visit is credited by grace', () => {
    expect(attributeCall(holders({ recent: [ended('v-gone', 4, T0 - 30_000)] }))).toEqual({
      method: 'grace',
      visitId: 'v-gone',
      leaseToken: 4,
      candidates: [{ visitId: 'v-gone', leaseToken: 4, endedAt: T0 - 30_000 }],
    });
  });

  it('when several leases ended within the window, then the most recent is credited and all are kept newest first', () => {
    // Deliberately out of order: the rule must not depend on the store's ordering.
    const recent = [ended('v-older', 2, T0 - 90_000), ended('v-newest', 4, T0 - 10_000), ended('v-middle', 3, T0 - 50_000)];

    expect(attributeCall(holders({ recent }))).toEqual({
      method: 'ambiguous',
      visitId: 'v-newest',
      leaseToken: 4,
      candidates: [
        { visitId: 'v-newest', leaseToken: 4, endedAt: T0 - 10_000 },
        { visitId: 'v-middle', leaseToken: 3, endedAt: T0 - 50_000 },
        { visitId: 'v-older', leaseToken: 2, endedAt: T0 - 90_000 },
      ],
    });
  });

  it('when attributing, then the holders passed in are not reordered', () => {
    const recent = [ended('v-older', 2, T0 - 90_000), ended('v-newest', 4, T0 - 10_000)];

    attributeCall(holders({ recent }));

    expect(recent.map((h) => h.visitId)).toEqual(['v-older', 'v-newest']);
  });
});
