import { adminApi, BACKENDS, callBySid, createTrackedSite, placeCall, registerVisit, useTestApp, visitWithNumber } from '../support/fixtures';

describe.each(BACKENDS)('pool rules through the API on %s backends', (backend, available) => {
  const maybe = available ? it : it.skip;
  const app = useTestApp(backend, available);

  maybe('when every rotation number is taken, then the overflow number is shown without a lease and its calls are credited static', async () => {
    const t = app();
    const site = await createTrackedSite(t, { numbers: 1 });
    const overflow = await adminApi(t).post(`/v1/pools/${site.poolId}/numbers`, { count: 1, country: 'GB', role: 'overflow' }).expect(201);
    const overflowE164 = overflow.body.numbers[0].e164 as string;
    expect((await adminApi(t).get(`/v1/pools/${site.poolId}`).expect(200)).body.overflowNumberId).toBe(overflow.body.numbers[0].id);

    await visitWithNumber(t, site.siteKey);
    const second = await registerVisit(t, site.siteKey, { url: 'https://shop.example/' }).expect(200);
    expect(second.body.number.e164).toBe(overflowE164);
    expect(second.body.leaseToken).toBeNull();

    const { callSid } = await placeCall(t, overflowE164);
    expect(await callBySid(t, site.siteId, callSid)).toMatchObject({ attribution: 'static', visitId: null, source: 'overflow', medium: 'static' });
    const stats = (await adminApi(t).get(`/v1/pools/${site.poolId}`).expect(200)).body.stats;
    expect(stats).toMatchObject({ total: 1, leased: 1, exhaustedCount: 1 });
  });

  maybe('when a static number printed in an advert is called, then the call is credited to its fixed source and it is never leased', async () => {
    const t = app();
    const site = await createTrackedSite(t, { numbers: 1 });
    const res = await adminApi(t).post(`/v1/pools/${site.poolId}/numbers`, { count: 1, country: 'GB', role: 'static', staticSource: 'Yellow Pages' }).expect(201);
    const staticE164 = res.body.numbers[0].e164 as string;

    const first = await visitWithNumber(t, site.siteKey);
    expect(first.number.e164).not.toBe(staticE164);
    expect((await registerVisit(t, site.siteKey, { url: 'https://shop.example/' }).expect(200)).body.number).toBeNull();

    const { callSid, twiml } = await placeCall(t, staticE164);
    expect(twiml).toMatch(/<Number[^>]*>\+441134960999<\/Number>/);
    expect(await callBySid(t, site.siteId, callSid)).toMatchObject({ attribution: 'static', source: 'Yellow Pages', medium: 'static' });
  });

  maybe('when a static number is provisioned without its source, or an overflow number with count 2, then 400 and nothing is bought', async () => {
    const t = app();
    const site = await createTrackedSite(t, { numbers: 1 });
    await adminApi(t).post(`/v1/pools/${site.poolId}/numbers`, { count: 1, country: 'GB', role: 'static' }).expect(400);
    await adminApi(t).post(`/v1/pools/${site.poolId}/numbers`, { count: 2, country: 'GB', role: 'overflow' }).expect(400);
    const owned = await t.container.db.query<{ n: number }>('SELECT count(*)::int AS n FROM tracking_numbers WHERE pool_id = $1', [site.poolId]);
    expect(owned.rows[0].n).toBe(1);
  });

  maybe('when the same person calls twice, then the second call is linked to the first as a repeat caller', async () => {
    const t = app();
    const site = await createTrackedSite(t, { numbers: 1 });
    const visit = await visitWithNumber(t, site.siteKey);
    const first = await placeCall(t, visit.number.e164);
    t.clock.advance(60_000);
    const second = await placeCall(t, visit.number.e164);
    const firstCall = await callBySid(t, site.siteId, first.callSid);
    expect(firstCall).toMatchObject({ repeatCaller: false, previousCallId: null });
    expect(await callBySid(t, site.siteId, second.callSid)).toMatchObject({ repeatCaller: true, previousCallId: firstCall.id });
  });

  maybe('when a recycle pool is exhausted, then the visit idle longest is displaced and the newcomer gets its number', async () => {
    const t = app();
    const site = await createTrackedSite(t, { numbers: 2, pool: { exhaustionPolicy: 'recycle' } });
    const a = await visitWithNumber(t, site.siteKey);
    t.clock.advance(1000);
    const b = await visitWithNumber(t, site.siteKey);
    t.clock.advance(1000);
    const c = await visitWithNumber(t, site.siteKey);
    expect(c.number.e164).toBe(a.number.e164);
    expect(c.number.e164).not.toBe(b.number.e164);
    // The displaced visit's heartbeat learns it lost the number.
    await registerVisit(t, site.siteKey, { url: 'https://shop.example/' });
    const lost = await (await import('supertest')).default(t.app).post(`/t/${site.siteKey}/visits/${a.visitId}/heartbeat`).send({ leaseToken: a.leaseToken });
    expect(lost.status).toBe(409);
  });
});
