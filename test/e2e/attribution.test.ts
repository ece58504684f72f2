import { BACKENDS, callBySid, createTrackedSite, placeCall, useTestApp, visitWithNumber } from '../support/fixtures';

const SECOND = 1000;

describe.each(BACKENDS)('call attribution over HTTP on %s backends', (backend, available) => {
  const maybe = available ? it : it.skip;
  const app = useTestApp(backend, available);

  maybe('when a call arrives while a visit holds the number, then it is attributed to that visit by lease', async () => {
    // Arrange
    const t = app();
    const { siteId, siteKey } = await createTrackedSite(t, { pool: { leaseSeconds: 60, graceSeconds: 300 } });
    const visit = await visitWithNumber(t, siteKey);
    t.clock.advance(30 * SECOND);

    // Act
    const { callSid } = await placeCall(t, visit.number.e164);

    // Assert
    const call = await callBySid(t, siteId, callSid);
    expect(call).toMatchObject({ attribution: 'lease', visitId: visit.visitId });
    expect(call.attributionCandidates).toEqual([{ visitId: visit.visitId, endedAt: null }]);
  });

  maybe('when a call arrives after the lease expired but within the grace window, then it is attributed to that visit by grace', async () => {
    // Arrange: the lease ends 60 s after the visit; the grace window lasts 300 s after that.
    const t = app();
    const { siteId, siteKey } = await createTrackedSite(t, { pool: { leaseSeconds: 60, graceSeconds: 300 } });
    const visit = await visitWithNumber(t, siteKey);
    const leaseEnd = Date.parse(visit.leaseExpiresAt);
    t.clock.advance(60 * SECOND + 240 * SECOND);

    // Act
    const { callSid } = await placeCall(t, visit.number.e164);

    // Assert
    const call = await callBySid(t, siteId, callSid);
    expect(call).toMatchObject({ attribution: 'grace', visitId: visit.visitId });
    expect(call.attributionCandidates).toEqual([{ visitId: visit.visitId, endedAt: new Date(leaseEnd).toISOString() }]);
  });

  maybe('when a call arrives after the grace window has passed, then it is not attributed', async () => {
    // Arrange
    const t = app();
    const { siteId, siteKey } = await createTrackedSite(t, { pool: { leaseSeconds: 60, graceSeconds: 300 } });
    const visit = await visitWithNumber(t, siteKey);
    t.clock.advance(60 * SECOND + 301 * SECOND);

    // Act
    const { callSid } = await placeCall(t, visit.number.e164);

    // Assert
    const call = await callBySid(t, siteId, callSid);
    expect(call).toMatchObject({ attribution: 'none', visitId: null, attributionCandidates: [], source: null });
  });

  maybe('when two visits held the number within the grace window and neither holds it now, then the call is ambiguous with the most recent first', async () => {
    // Arrange: one number, short leases, no rest, long grace: the number passes from visit A to B.
    const t = app();
    const { siteId, siteKey, numbers } = await createTrackedSite(t, { numbers: 1, pool: { leaseSeconds: 60, graceSeconds: 3600, cooldownSeconds: 0 } });
    const first = await visitWithNumber(t, siteKey, { url: 'https://shop.example/a' });
    t.clock.advance(61 * SECOND);
    const second = await visitWithNumber(t, siteKey, { url: 'https://shop.example/b' });
    expect(second.number.e164).toBe(numbers[0]);
    t.clock.advance(61 * SECOND);

    // Act
    const { callSid } = await placeCall(t, numbers[0]);

    // Assert: the most recent holder is credited, both are kept as candidates.
    const call = await callBySid(t, siteId, callSid);
    expect(call).toMatchObject({ attribution: 'ambiguous', visitId: second.visitId });
    expect(call.attributionCandidates).toEqual([
      { visitId: second.visitId, endedAt: second.leaseExpiresAt },
      { visitId: first.visitId, endedAt: first.leaseExpiresAt },
    ]);
  });

  maybe('when the number passed to a new visit that still holds it, then the call goes to the live holder alone, not to the earlier one in grace', async () => {
    // Arrange
    const t = app();
    const { siteId, siteKey, numbers } = await createTrackedSite(t, { numbers: 1, pool: { leaseSeconds: 60, graceSeconds: 3600, cooldownSeconds: 0 } });
    await visitWithNumber(t, siteKey);
    t.clock.advance(61 * SECOND);
    const current = await visitWithNumber(t, siteKey);

    // Act
    const { callSid } = await placeCall(t, numbers[0]);

    // Assert
    const call = await callBySid(t, siteId, callSid);
    expect(call).toMatchObject({ attribution: 'lease', visitId: current.visitId });
    expect(call.attributionCandidates).toEqual([{ visitId: current.visitId, endedAt: null }]);
  });
});
