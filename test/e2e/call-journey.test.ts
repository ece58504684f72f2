import request from 'supertest';
import type { TestApp } from '../support/test-app';
import { adminApi, BACKENDS, callBySid, createTrackedSite, placeCall, useTestApp, visitWithNumber } from '../support/fixtures';

/**
 * The journey on GET /v1/calls/:callId: the visitor's visits to the site and the pages they saw up to
 * the call, driven through the tracking API and a signed Twilio voice webhook.
 */

const HOUR = 60 * 60 * 1000;
const ORIGIN = 'https://shop.example';

const pageView = (t: TestApp, siteKey: string, visitId: string, url: string, title: string) =>
  request(t.app).post(`/t/${siteKey}/visits/${visitId}/pageviews`).set('Origin', ORIGIN).type('text/plain').send(JSON.stringify({ url, title, kind: 'view' })).expect(204);

describe.each(BACKENDS)('call journeys on %s backends', (backend, available) => {
  const maybe = available ? it : it.skip;
  const app = useTestApp(backend, available);

  /** A visitor who came from Bing two days ago, came back from Google today, browsed, called, then browsed on. */
  async function arrange(t: TestApp) {
    const site = await createTrackedSite(t, { numbers: 2 });
    const t0 = t.clock.now();
    const first = await visitWithNumber(t, site.siteKey, { url: 'https://shop.example/?utm_source=bing&utm_medium=cpc', title: 'Home', referrer: 'https://www.bing.com/' });
    t.clock.advance(60_000);
    await pageView(t, site.siteKey, first.visitId, 'https://shop.example/pricing', 'Pricing');
    // Someone else's visit meanwhile: never part of this visitor's journey.
    await visitWithNumber(t, site.siteKey, { url: 'https://shop.example/?utm_source=facebook&utm_medium=social' });
    t.clock.advance(48 * HOUR);
    const second = await visitWithNumber(t, site.siteKey, { url: 'https://shop.example/boilers?utm_source=google&utm_medium=cpc&utm_campaign=winter', title: 'Boilers', visitorId: first.visitorId });
    t.clock.advance(60_000);
    await pageView(t, site.siteKey, second.visitId, 'https://shop.example/contact', 'Contact');
    t.clock.advance(60_000);
    const { callSid } = await placeCall(t, second.number.e164);
    t.clock.advance(60_000);
    await pageView(t, site.siteKey, second.visitId, 'https://shop.example/thanks', 'Thanks');
    await t.container.leaseHistory.flush();
    await t.container.pageViews.flush();
    const call = await callBySid(t, site.siteId, callSid);
    return { site, t0, first, second, call };
  }

  maybe('when a visitor came twice before calling, then the journey lists both visits, oldest first, with the pages seen before the call only', async () => {
    // Arrange
    const t = app();
    const { t0, first, second, call } = await arrange(t);

    // Act
    const res = await adminApi(t).get(`/v1/calls/${call.id}`).expect(200);

    // Assert
    expect(res.body).toMatchObject({ id: call.id, visitId: second.visitId, attribution: 'lease', source: 'google' });
    expect(res.body.journey).toEqual([
      {
        visitId: first.visitId,
        startedAt: new Date(t0).toISOString(),
        source: 'bing',
        medium: 'cpc',
        campaign: null,
        referrer: 'https://www.bing.com/',
        landingPage: expect.stringMatching(/^https:\/\/shop\.example\//),
        pages: [
          { kind: 'entry', url: expect.stringMatching(/^https:\/\/shop\.example\//), title: 'Home', viewedAt: new Date(t0).toISOString() },
          { kind: 'view', url: 'https://shop.example/pricing', title: 'Pricing', viewedAt: new Date(t0 + 60_000).toISOString() },
        ],
      },
      {
        visitId: second.visitId,
        startedAt: new Date(t0 + 60_000 + 48 * HOUR).toISOString(),
        source: 'google',
        medium: 'cpc',
        campaign: 'winter',
        referrer: null,
        landingPage: expect.stringMatching(/^https:\/\/shop\.example\/boilers/),
        pages: [
          { kind: 'entry', url: expect.stringMatching(/^https:\/\/shop\.example\/boilers/), title: 'Boilers', viewedAt: new Date(t0 + 60_000 + 48 * HOUR).toISOString() },
          { kind: 'view', url: 'https://shop.example/contact', title: 'Contact', viewedAt: new Date(t0 + 120_000 + 48 * HOUR).toISOString() },
        ],
      },
    ]);
    // The call itself keeps its usual fields.
    expect(res.body).toMatchObject({ callSid: call.callSid, restricted: false, anonymised: false });
  });

  maybe('when the credited visit is gone (retention), then the call has no journey but keeps its source', async () => {
    // Arrange
    const t = app();
    const { second, call } = await arrange(t);
    // The snapshot job copies the visit's attribution onto the call first (it runs every minute).
    await t.container.jobs.definitions['call-source-snapshot'].run();
    await t.container.db.query('DELETE FROM visits WHERE id = $1', [second.visitId]);

    // Act
    const res = await adminApi(t).get(`/v1/calls/${call.id}`).expect(200);

    // Assert
    expect(res.body.journey).toBeNull();
    expect(res.body).toMatchObject({ id: call.id, visitId: second.visitId, source: 'google', medium: 'cpc', campaign: 'winter' });
  });

  maybe('when the visitor asked for restricted processing, then the call shows no journey', async () => {
    // Arrange
    const t = app();
    const { site, first, call } = await arrange(t);
    await adminApi(t).post('/v1/privacy/requests', { clientId: site.clientId, type: 'restriction', subject: { visitorId: first.visitorId } }).expect(201);

    // Act
    const res = await adminApi(t).get(`/v1/calls/${call.id}`).expect(200);

    // Assert
    expect(res.body.journey).toBeNull();
  });

  maybe('when a call is ambiguous, then each candidate visit comes with its own source', async () => {
    // Arrange: one number passes from a Bing visit to a Google visit; both are within the grace window when the call comes.
    const t = app();
    const { siteId, siteKey, numbers } = await createTrackedSite(t, { numbers: 1, pool: { leaseSeconds: 60, graceSeconds: 3600, cooldownSeconds: 0 } });
    const first = await visitWithNumber(t, siteKey, { url: 'https://shop.example/a?utm_source=bing&utm_medium=cpc&utm_campaign=spring' });
    t.clock.advance(61_000);
    const second = await visitWithNumber(t, siteKey, { url: 'https://shop.example/b?utm_source=google&utm_medium=cpc' });
    t.clock.advance(61_000);
    const { callSid } = await placeCall(t, numbers[0]);
    await t.container.leaseHistory.flush();
    const call = await callBySid(t, siteId, callSid);

    // Act
    const res = await adminApi(t).get(`/v1/calls/${call.id}`).expect(200);

    // Assert
    expect(res.body.attribution).toBe('ambiguous');
    expect(res.body.attributionCandidates).toEqual([
      { visitId: second.visitId, endedAt: second.leaseExpiresAt, source: 'google', medium: 'cpc', campaign: null },
      { visitId: first.visitId, endedAt: first.leaseExpiresAt, source: 'bing', medium: 'cpc', campaign: 'spring' },
    ]);
  });

  maybe('when a call has no visit, then its journey is null', async () => {
    // Arrange: a number nobody was shown.
    const t = app();
    const site = await createTrackedSite(t, { numbers: 1 });
    const { callSid } = await placeCall(t, site.numbers[0]);
    const call = await callBySid(t, site.siteId, callSid);

    // Act
    const res = await adminApi(t).get(`/v1/calls/${call.id}`).expect(200);

    // Assert
    expect(res.body).toMatchObject({ visitId: null, journey: null });
  });
});
