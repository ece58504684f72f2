import { adminApi, BACKENDS, createTrackedSite, expectProblem, registerVisit, useTestApp, visitWithNumber, type TrackedSite } from '../support/fixtures';
import type { TestApp } from '../support/test-app';

/**
 * Pool health through HTTP, on both backends: a pool of 2 numbers asked for by 3 visits (the third
 * finds it full), the sampling job run as the scheduler would, and GET /v1/pools/{id}/health read back.
 */

const MINUTE = 60_000;
const LEASE_SECONDS = 1800;
const COOLDOWN_SECONDS = 600;

/** Erlang B by its textbook recursion, and the smallest pool meeting a target: independent of src/. */
function numbersFor(erlangs: number, target: number): number {
  let n = 0;
  let b = 1;
  while (b > target) {
    n += 1;
    b = (erlangs * b) / (n + erlangs * b);
  }
  return n;
}

describe.each(BACKENDS)('pool health on %s backends', (backend, available) => {
  const maybe = available ? it : it.skip;
  const app = useTestApp(backend, available);
  let t: TestApp;
  let site: TrackedSite;
  const sampleNow = () => t.container.jobs.definitions['pool-health-sample'].run();
  const health = (query = '') => adminApi(t).get(`/v1/pools/${site.poolId}/health${query}`);

  beforeAll(async () => {
    if (!available) return;
    t = app();
    site = await createTrackedSite(t, { numbers: 2, pool: { leaseSeconds: LEASE_SECONDS, cooldownSeconds: COOLDOWN_SECONDS } });
    // The job has been sampling since the pool was created: this is the sample before the visits.
    await sampleNow();
    t.clock.advance(MINUTE);
    await visitWithNumber(t, site.siteKey);
    await visitWithNumber(t, site.siteKey);
    const third = await registerVisit(t, site.siteKey, { url: 'https://shop.example/' }).expect(200);
    expect(third.body.number).toBeNull();
    t.clock.advance(MINUTE);
    await sampleNow();
  });

  maybe('when 3 visits asked a pool of 2, then health shows both leased, one exhaustion, and advises more than 2 numbers', async () => {
    const res = await health().expect(200);

    expect(res.body.live).toEqual({ total: 2, leased: 2, available: 0, coolingDown: 0, utilisation: 1 });
    expect(res.body.exhaustion).toEqual({ total: 1, events: [{ at: new Date(t.clock.now()).toISOString(), count: 1 }] });
    expect(res.body.utilisation.map((p: { leased: number }) => p.leased)).toEqual([0, 2]);
    // 3 requests in the hour, each holding a number for the lease (no lease has ended yet) and its cool-down.
    const erlangs = (3 * (LEASE_SECONDS + COOLDOWN_SECONDS)) / 3600;
    expect(res.body.sizing).toMatchObject({
      peakArrivalsPerHour: 3,
      meanHoldingSeconds: LEASE_SECONDS + COOLDOWN_SECONDS,
      holdingBasis: 'pool-settings',
      offeredErlangs: erlangs,
      currentSize: 2,
      targetBlocking: 0.01,
      recommendedSize: numbersFor(erlangs, 0.01),
    });
    expect(res.body.sizing.recommendedSize).toBeGreaterThan(2);
    expect(res.body.sizing.advice).toBe(`Add ${numbersFor(erlangs, 0.01) - 2} numbers to keep blocking under 1%. No lease ended in this window, so the holding time is the lease time plus the cool-down, a lower bound.`);
    expect(res.body.attribution).toEqual({ calls: 0, ambiguous: 0, ambiguousShare: null, byMethod: { lease: 0, grace: 0, ambiguous: 0, static: 0, none: 0, 'released-number': 0 } });
  });

  maybe('when the leases have expired, then their holding time is measured: the lease from grant to end, plus the cool-down', async () => {
    t.clock.advance(LEASE_SECONDS * 1000);
    // The job's read of the pool store ends the expired leases; the next request writes them to the history.
    await sampleNow();

    const res = await health().expect(200);

    expect(res.body.live).toMatchObject({ leased: 0, coolingDown: 2 });
    expect(res.body.sizing).toMatchObject({ holdingBasis: 'ended-leases', meanHoldingSeconds: LEASE_SECONDS + COOLDOWN_SECONDS });
  });

  maybe("when the client sets its blocking target, then the client shows it and health sizes for it; the request's target overrides it", async () => {
    const patched = await adminApi(t).patch(`/v1/clients/${site.clientId}`, { poolBlockingTarget: 0.05 }).expect(200);
    expect(patched.body.poolBlockingTarget).toBe(0.05);
    expect((await adminApi(t).get(`/v1/clients/${site.clientId}`).expect(200)).body.poolBlockingTarget).toBe(0.05);

    expect((await health().expect(200)).body.sizing.targetBlocking).toBe(0.05);
    expect((await health('?targetBlocking=0.002').expect(200)).body.sizing).toMatchObject({ targetBlocking: 0.002, advice: expect.stringContaining('under 0.2%') });
  });

  maybe('when the window is given, then only it is read; a window with nothing in it advises nothing', async () => {
    const res = await health('?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z').expect(200);

    expect(res.body).toMatchObject({ from: '2026-11-01T00:00:00.000Z', to: '2026-11-02T00:00:00.000Z', utilisation: [], exhaustion: { total: 0, events: [] } });
    expect(res.body.sizing).toMatchObject({ arrivalsPerHour: null, recommendedSize: null, offeredErlangs: null, advice: expect.stringMatching(/^Not enough traffic/) });
  });

  maybe.each([
    ['a target of 1', '?targetBlocking=1'],
    ['a target of 0', '?targetBlocking=0'],
    ['a target that is no number', '?targetBlocking=often'],
    ['a window back to front', '?from=2026-11-30T00:00:00Z&to=2026-11-29T00:00:00Z'],
    ['a window of 36 days', '?from=2026-10-01T00:00:00Z&to=2026-11-06T00:00:00Z'],
    ['a date that is not one', '?from=yesterday'],
    ['a parameter the route does not know', '?poolSize=3'],
  ])('when the query has %s, then it is a 400 problem', async (_what, query) => {
    expectProblem(await health(query), 400);
  });

  maybe('when the blocking target set on the client is not a probability, then it is a 400 and the client keeps its own', async () => {
    expectProblem(await adminApi(t).patch(`/v1/clients/${site.clientId}`, { poolBlockingTarget: 1.5 }), 400);
    expectProblem(await adminApi(t).patch(`/v1/clients/${site.clientId}`, { poolBlockingTarget: '0.02' }), 400);
    expect((await adminApi(t).get(`/v1/clients/${site.clientId}`).expect(200)).body.poolBlockingTarget).toBe(0.05);
  });

  maybe('when the pool does not exist, then it is a 404', async () => {
    expectProblem(await adminApi(t).get('/v1/pools/00000000-0000-4000-8000-000000000000/health'), 404);
  });
});
