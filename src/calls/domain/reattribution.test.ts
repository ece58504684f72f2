import { holdersAt, reattributeFromHistory, type HistoricLease } from './reattribution';

const T = Date.UTC(2026, 10, 30, 10, 0, 0);
const GRACE = 15 * 60_000;
const lease = (visitId: string, token: number, startedAt: number, endedAt: number | null): HistoricLease => ({ visitId, token, startedAt, endedAt });

describe('reattributeFromHistory', () => {
  it('when the history says a visit held the number at the call time and had not ended, then that visit is credited by lease', () => {
    const a = reattributeFromHistory('n1', [lease('v-old', 1, T - 3_600_000, T - 3_000_000), lease('v-live', 2, T - 60_000, null)], T, GRACE);

    expect(a).toEqual({ method: 'lease', visitId: 'v-live', leaseToken: 2, candidates: [{ visitId: 'v-live', leaseToken: 2, endedAt: null }] });
  });

  it('when a lease ended after the call, then it was live at the call', () => {
    expect(reattributeFromHistory('n1', [lease('v1', 5, T - 60_000, T + 60_000)], T, GRACE)).toMatchObject({ method: 'lease', visitId: 'v1' });
  });

  it('when one lease ended within the grace window before the call, then it is credited by grace', () => {
    expect(reattributeFromHistory('n1', [lease('v1', 5, T - 600_000, T - 60_000)], T, GRACE)).toMatchObject({ method: 'grace', visitId: 'v1', leaseToken: 5 });
  });

  it('when several ended within the window, then the most recent is credited and all are candidates', () => {
    const a = reattributeFromHistory('n1', [lease('v1', 1, T - 900_000, T - 600_000), lease('v2', 2, T - 500_000, T - 30_000)], T, GRACE);

    expect(a.method).toBe('ambiguous');
    expect(a.visitId).toBe('v2');
    expect(a.candidates.map((c) => c.visitId)).toEqual(['v2', 'v1']);
  });

  it('when the only lease ended before the grace window, or started after the call, then nobody is credited', () => {
    expect(reattributeFromHistory('n1', [lease('v1', 1, T - 7_200_000, T - GRACE - 1)], T, GRACE).method).toBe('none');
    expect(reattributeFromHistory('n1', [lease('v2', 2, T + 1_000, null)], T, GRACE).method).toBe('none');
  });

  it('when holders are rebuilt, then a live lease takes precedence and keeps its token', () => {
    const h = holdersAt('n1', [lease('v1', 1, T - 900_000, T - 60_000), lease('v2', 2, T - 30_000, null)], T, GRACE);

    expect(h.live).toMatchObject({ numberId: 'n1', visitId: 'v2', token: 2 });
    expect(h.recent.map((r) => r.visitId)).toEqual(['v1']);
  });
});
