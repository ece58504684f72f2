import request from 'supertest';
import type { TestApp } from '../support/test-app';
import { BROWSER_USER_AGENT } from '../support/user-agents';
import { BACKENDS, callBySid, createTrackedSite, expectProblem, placeCall, registerVisit, useTestApp, visitWithNumber } from '../support/fixtures';

const SECOND = 1000;

const heartbeat = (t: TestApp, siteKey: string, visitId: string, leaseToken: string) =>
  request(t.app).post(`/t/${siteKey}/visits/${visitId}/heartbeat`).set('Origin', 'https://shop.example').send({ leaseToken });

async function visitsOfSite(t: TestApp, siteId: string): Promise<{ id: string }[]> {
  // Visits may reach Postgres in batches off the request path: drain them first.
  await t.container.leaseHistory.flush();
  const { rows } = await t.container.db.query<{ id: string }>('SELECT id FROM visits WHERE site_id = $1', [siteId]);
  return rows;
}

describe.each(BACKENDS)('public tracking API on %s backends', (backend, available) => {
  const maybe = available ? it : it.skip;
  const app = useTestApp(backend, available);

  describe('registering a visit', () => {
    maybe('when the site has tracking disabled, then no number and no visit id are returned and no visit is stored', async () => {
      // Arrange: the site has a pool with a free number, but tracking is off.
      const t = app();
      const { siteId, siteKey } = await createTrackedSite(t, { trackingEnabled: false, numbers: 1 });

      // Act
      const res = await registerVisit(t, siteKey, { url: 'https://shop.example/?utm_source=news&utm_medium=email' });

      // Assert
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ visitorId: null, visitId: null, number: null, leaseToken: null, leaseExpiresAt: null });
      expect(await visitsOfSite(t, siteId)).toEqual([]);
    });

    maybe('when the site has tracking enabled, then the visit gets a number and is stored', async () => {
      // Arrange
      const t = app();
      const { siteId, siteKey, numbers } = await createTrackedSite(t, { numbers: 1, pool: { leaseSeconds: 60 } });

      // Act
      const res = await registerVisit(t, siteKey, { url: 'https://shop.example/' });

      // Assert
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toMatchObject({ visitId: expect.stringMatching(/^vs_/), visitorId: expect.stringMatching(/^vr_/), number: { e164: numbers[0], display: expect.any(String) } });
      expect(res.body.leaseExpiresAt).toBe(new Date(t.clock.now() + 60 * SECOND).toISOString());
      expect(await visitsOfSite(t, siteId)).toEqual([{ id: res.body.visitId }]);
    });

    maybe('when the visit comes from Google search, then the call from that visit is labelled google / organic', async () => {
      // Arrange
      const t = app();
      const { siteId, siteKey } = await createTrackedSite(t);
      const visit = await visitWithNumber(t, siteKey, { url: 'https://shop.example/boilers', referrer: 'https://www.google.co.uk/' });

      // Act
      const { callSid } = await placeCall(t, visit.number.e164);

      // Assert
      expect(await callBySid(t, siteId, callSid)).toMatchObject({
        visitId: visit.visitId,
        source: 'google',
        medium: 'organic',
        campaign: null,
        referrer: 'https://www.google.co.uk/',
        landingPage: 'https://shop.example/boilers',
      });
    });

    maybe('when the client sends a visit id this service never issued, then a new visit id is issued', async () => {
      // Arrange
      const t = app();
      const { siteId, siteKey } = await createTrackedSite(t);
      const madeUp = 'vs_madeUpByTheClient0000';

      // Act
      const res = await registerVisit(t, siteKey, { url: 'https://shop.example/', visitId: madeUp });

      // Assert
      expect(res.status).toBe(200);
      expect(res.body.visitId).toMatch(/^vs_/);
      expect(res.body.visitId).not.toBe(madeUp);
      expect(await visitsOfSite(t, siteId)).toEqual([{ id: res.body.visitId }]);
    });

    maybe('when the client sends a visit id issued for another site, then calls on this site never show the other site\'s visit', async () => {
      // Arrange: a visit on another client's site, then the same visit id sent to this site.
      const t = app();
      const other = await createTrackedSite(t, { domains: ['other.example'] });
      const foreign = await visitWithNumber(t, other.siteKey, { url: 'https://other.example/offer?gclid=OTHERCLIENT', referrer: 'https://www.google.com/' }, 'https://other.example');
      const { siteId, siteKey } = await createTrackedSite(t);

      // Act
      const res = await registerVisit(t, siteKey, { url: 'https://shop.example/boilers', referrer: 'https://www.bing.com/', visitId: foreign.visitId });
      const { callSid } = await placeCall(t, res.body.number.e164);

      // Assert
      expect(res.status).toBe(200);
      expect(res.body.visitId).not.toBe(foreign.visitId);
      expect(await visitsOfSite(t, siteId)).toEqual([{ id: res.body.visitId }]);
      expect(await callBySid(t, siteId, callSid)).toMatchObject({ visitId: res.body.visitId, landingPage: 'https://shop.example/boilers', source: 'bing', medium: 'organic', gclid: null });
    });

    maybe('when the pool has one number and a second visit arrives (overflow), then the second visit is stored but shown no number', async () => {
      // Arrange
      const t = app();
      const { siteId, siteKey, numbers } = await createTrackedSite(t, { numbers: 1, pool: { exhaustionPolicy: 'overflow' } });
      const first = await visitWithNumber(t, siteKey);

      // Act
      const second = await registerVisit(t, siteKey, { url: 'https://shop.example/' });

      // Assert
      expect(first.number.e164).toBe(numbers[0]);
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({ visitId: expect.stringMatching(/^vs_/), number: null, leaseToken: null, leaseExpiresAt: null });
      expect((await visitsOfSite(t, siteId)).map((v) => v.id).sort()).toEqual([first.visitId, second.body.visitId].sort());
    });

    maybe('when the site key is unknown, then 404 problem', async () => {
      // Arrange
      const t = app();

      // Act
      const withOrigin = await registerVisit(t, 'sk_doesNotExist00', { url: 'https://shop.example/' });
      const withoutOrigin = await registerVisit(t, 'sk_doesNotExist00', { url: 'https://shop.example/' }, null);

      // Assert
      expectProblem(withOrigin, 404);
      expectProblem(withoutOrigin, 404);
    });

    maybe.each([
      ['no url at all', {}],
      ['a url that does not parse', { url: 'not a url' }],
      ['a javascript: url', { url: 'javascript:alert(1)' }],
      ['a referrer that is not a url', { url: 'https://shop.example/', referrer: 'yesterday' }],
    ])('when the body has %s, then 400 problem', async (_label, body) => {
      // Arrange
      const t = app();
      const { siteKey } = await createTrackedSite(t);

      // Act
      const res = await registerVisit(t, siteKey, body as { url: string });

      // Assert
      expectProblem(res, 400);
    });

    maybe('when the body is not valid JSON, then 400 problem, never 500', async () => {
      // Arrange
      const t = app();
      const { siteKey } = await createTrackedSite(t);

      // Act
      const res = await request(t.app).post(`/t/${siteKey}/visits`).set('Origin', 'https://shop.example').type('json').send('{"url": ');

      // Assert
      expectProblem(res, 400);
    });

    maybe('when the script sends its beacon as text/plain to avoid a preflight, then it is accepted', async () => {
      // Arrange
      const t = app();
      const { siteKey } = await createTrackedSite(t);

      // Act
      const res = await request(t.app)
        .post(`/t/${siteKey}/visits`)
        .set('Origin', 'https://shop.example')
        .set('User-Agent', BROWSER_USER_AGENT)
        .type('text/plain')
        .send(JSON.stringify({ url: 'https://shop.example/' }));

      // Assert
      expect(res.status).toBe(200);
      expect(res.body.number).not.toBeNull();
    });
  });

  describe('CORS', () => {
    maybe.each(['https://evil.example', 'https://notshop.example', 'https://shop.example.evil.example', 'null'])(
      'when the Origin %s is not one of the site domains, then 403 problem and no visit is stored',
      async (origin) => {
        // Arrange
        const t = app();
        const { siteId, siteKey } = await createTrackedSite(t);

        // Act
        const res = await registerVisit(t, siteKey, { url: 'https://shop.example/' }, origin);

        // Assert
        expectProblem(res, 403);
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
        expect(await visitsOfSite(t, siteId)).toEqual([]);
      },
    );

    maybe('when the Origin is a subdomain of a site domain, then the request is allowed for that origin', async () => {
      // Arrange
      const t = app();
      const { siteKey } = await createTrackedSite(t);

      // Act
      const res = await registerVisit(t, siteKey, { url: 'https://www.shop.example/' }, 'https://www.shop.example');

      // Assert
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('https://www.shop.example');
      expect(res.body.number).not.toBeNull();
    });

    maybe('when the browser sends a preflight from an allowed origin, then it is answered with Access-Control-Allow-Origin', async () => {
      // Arrange
      const t = app();
      const { siteKey } = await createTrackedSite(t);

      // Act
      const res = await request(t.app)
        .options(`/t/${siteKey}/visits`)
        .set('Origin', 'https://shop.example')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type');

      // Assert
      expect(res.status).toBeGreaterThanOrEqual(200);
      expect(res.status).toBeLessThan(300);
      expect(res.headers['access-control-allow-origin']).toBe('https://shop.example');
      expect(res.headers['access-control-allow-methods']).toMatch(/POST/);
      expect(res.headers['access-control-allow-headers']?.toLowerCase()).toMatch(/content-type/);
    });

    maybe('when the browser sends a preflight from a foreign origin, then 403 problem without Access-Control-Allow-Origin', async () => {
      // Arrange
      const t = app();
      const { siteKey } = await createTrackedSite(t);

      // Act
      const res = await request(t.app).options(`/t/${siteKey}/visits`).set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');

      // Assert
      expectProblem(res, 403);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('heartbeat', () => {
    maybe('when the visit still holds its lease, then a heartbeat renews it to a new expiry', async () => {
      // Arrange
      const t = app();
      const { siteKey } = await createTrackedSite(t, { pool: { leaseSeconds: 60 } });
      const visit = await visitWithNumber(t, siteKey);
      t.clock.advance(30 * SECOND);

      // Act
      const res = await heartbeat(t, siteKey, visit.visitId, visit.leaseToken);

      // Assert
      expect(res.status).toBe(200);
      expect(res.body.number).toEqual(visit.number);
      expect(res.body.leaseExpiresAt).toBe(new Date(t.clock.now() + 60 * SECOND).toISOString());
      expect(Date.parse(res.body.leaseExpiresAt)).toBeGreaterThan(Date.parse(visit.leaseExpiresAt));
    });

    maybe('when the lease has expired, then the heartbeat answers 409 problem', async () => {
      // Arrange
      const t = app();
      const { siteKey } = await createTrackedSite(t, { pool: { leaseSeconds: 60 } });
      const visit = await visitWithNumber(t, siteKey);
      t.clock.advance(61 * SECOND);

      // Act
      const res = await heartbeat(t, siteKey, visit.visitId, visit.leaseToken);

      // Assert
      expectProblem(res, 409);
    });

    maybe('when the lease was renewed by a heartbeat and then left to expire, then the next heartbeat answers 409 problem', async () => {
      // Arrange
      const t = app();
      const { siteKey } = await createTrackedSite(t, { pool: { leaseSeconds: 60 } });
      const visit = await visitWithNumber(t, siteKey);
      t.clock.advance(50 * SECOND);
      await heartbeat(t, siteKey, visit.visitId, visit.leaseToken).expect(200);
      t.clock.advance(61 * SECOND);

      // Act
      const res = await heartbeat(t, siteKey, visit.visitId, visit.leaseToken);

      // Assert
      expectProblem(res, 409);
    });

    maybe('when the heartbeat carries another lease token, then 409 problem', async () => {
      // Arrange
      const t = app();
      const { siteKey } = await createTrackedSite(t);
      const visit = await visitWithNumber(t, siteKey);

      // Act
      const res = await heartbeat(t, siteKey, visit.visitId, String(Number(visit.leaseToken) + 1));

      // Assert
      expectProblem(res, 409);
    });

    maybe('when the lease token is not a number, then 400 problem', async () => {
      // Arrange
      const t = app();
      const { siteKey } = await createTrackedSite(t);
      const visit = await visitWithNumber(t, siteKey);

      // Act
      const res = await heartbeat(t, siteKey, visit.visitId, 'abc');

      // Assert
      expectProblem(res, 400);
    });
  });
});
