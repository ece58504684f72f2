import request from 'supertest';
import type { TestApp } from '../support/test-app';
import { adminApi, BACKENDS, createTrackedSite, expectProblem, registerVisit, useTestApp, visitWithNumber } from '../support/fixtures';
import { BROWSER_USER_AGENT, GOOGLEBOT_USER_AGENT, IPHONE_USER_AGENT } from '../support/user-agents';

const ORIGIN = 'https://shop.example';

/** A browser's registration with the headers a real one sends through our load balancer. */
const visitFrom = (t: TestApp, siteKey: string, headers: Record<string, string>, body: object = { url: 'https://shop.example/' }) =>
  request(t.app).post(`/t/${siteKey}/visits`).set('Origin', ORIGIN).set('User-Agent', BROWSER_USER_AGENT).set(headers).send(body);

const pageView = (t: TestApp, siteKey: string, visitId: string, body: object, origin = ORIGIN) =>
  request(t.app).post(`/t/${siteKey}/visits/${visitId}/pageviews`).set('Origin', origin).type('text/plain').send(JSON.stringify(body));

async function visitRows(t: TestApp, siteId: string) {
  await t.container.leaseHistory.flush();
  const { rows } = await t.container.db.query<Record<string, unknown>>(
    `SELECT id, user_agent, browser, os, device_type, ip_address, country, asn, isp, ga_client_id, ga_session_id FROM visits WHERE site_id = $1`,
    [siteId],
  );
  // The IP is sealed at rest; the test reads it back as the service would.
  return rows.map((r): Record<string, unknown> => ({ ...r, ip_address: r.ip_address === null ? null : t.container.personalData.open(r.ip_address as string) }));
}

async function pageViewRows(t: TestApp, siteId: string) {
  await t.container.pageViews.flush();
  const { rows } = await t.container.db.query<{ visit_id: string; kind: string; url: string; title: string | null }>(
    'SELECT visit_id, kind, url, title FROM page_views WHERE site_id = $1 ORDER BY viewed_at, kind',
    [siteId],
  );
  return rows;
}

describe.each(BACKENDS)('visitor details, bots and page views on %s backends', (backend, available) => {
  const maybe = available ? it : it.skip;
  const app = useTestApp(backend, available);

  describe('visitor details', () => {
    maybe('when a phone browser registers through the load balancer, then its browser, network and GA ids are stored with the visit', async () => {
      // Arrange: 81.2.69.142 belongs to a UK ISP in the packaged ASN database.
      const t = app();
      const { siteId, siteKey } = await createTrackedSite(t);

      // Act
      const res = await visitFrom(t, siteKey, { 'User-Agent': IPHONE_USER_AGENT, 'X-Forwarded-For': '81.2.69.142' }, {
        url: 'https://shop.example/',
        gaClientId: '1234567890.1700000000',
        gaSessionId: '1700000500',
      }).expect(200);

      // Assert
      expect(await visitRows(t, siteId)).toEqual([
        {
          id: res.body.visitId,
          user_agent: IPHONE_USER_AGENT,
          browser: 'Safari 17.5',
          os: 'iOS 17.5',
          device_type: 'mobile',
          ip_address: '81.2.69.142',
          country: 'GB',
          asn: 20712,
          isp: expect.stringMatching(/Andrews & Arnold/),
          ga_client_id: '1234567890.1700000000',
          ga_session_id: '1700000500',
        },
      ]);
    });

    maybe('when the shown number is answered, then it is taken apart so the script can write it in the page\'s format', async () => {
      // Arrange
      const t = app();
      const { siteKey, numbers } = await createTrackedSite(t);

      // Act
      const visit = await visitWithNumber(t, siteKey);

      // Assert
      expect(visit.number).toMatchObject({ e164: numbers[0], countryCode: '44', nationalPrefix: '0', nationalNumber: numbers[0].slice(3), groups: expect.any(Array), international: expect.stringMatching(/^\+44 /) });
    });

    maybe.each([
      ['a non-numeric GA client id', { gaClientId: 'GA1.1.x' }],
      ['a GA session id with letters', { gaSessionId: 's123' }],
      ['pageView that is not a boolean', { pageView: 'no' }],
    ])('when the body has %s, then 400 problem', async (_label, extra) => {
      const t = app();
      const { siteKey } = await createTrackedSite(t);

      expectProblem(await visitFrom(t, siteKey, {}, { url: 'https://shop.example/', ...extra }), 400);
    });
  });

  describe('visitors who are not tracked', () => {
    maybe.each([
      ['a crawler', { 'User-Agent': GOOGLEBOT_USER_AGENT }],
      ['a headless browser', { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36' }],
      ['a script without a browser user agent', { 'User-Agent': 'python-requests/2.31' }],
      ['a browser in a cloud data centre (AWS)', { 'X-Forwarded-For': '52.95.110.1' }],
      ['a browser sending Global Privacy Control', { 'Sec-GPC': '1' }],
    ])('when %s registers, then it gets the site\'s own number, no lease and no stored visit', async (_label, headers) => {
      // Arrange
      const t = app();
      const { siteId, siteKey, poolId } = await createTrackedSite(t);

      // Act
      const res = await visitFrom(t, siteKey, headers);

      // Assert
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ visitorId: null, visitId: null, number: null, leaseToken: null });
      expect(await visitRows(t, siteId)).toEqual([]);
      expect(await pageViewRows(t, siteId)).toEqual([]);
      expect((await adminApi(t).get(`/v1/pools/${poolId}`).expect(200)).body.stats).toMatchObject({ leased: 0 });
    });

    maybe('when a browser sends Do Not Track, then it is tracked unless the site honours DNT', async () => {
      // Arrange
      const t = app();
      const site = await createTrackedSite(t, { numbers: 2 });

      // Act
      const ignored = await visitFrom(t, site.siteKey, { DNT: '1' }).expect(200);
      await adminApi(t).patch(`/v1/sites/${site.siteId}`, { honorDnt: true, honorGpc: false }).expect(200);
      const honoured = await visitFrom(t, site.siteKey, { DNT: '1' }).expect(200);
      const gpcNotHonoured = await visitFrom(t, site.siteKey, { 'Sec-GPC': '1' }).expect(200);

      // Assert
      expect(ignored.body.number).not.toBeNull();
      expect(honoured.body).toMatchObject({ visitId: null, number: null });
      expect(gpcNotHonoured.body.number).not.toBeNull();
    });
  });

  describe('page views', () => {
    maybe('when a visit registers, navigates and leaves, then entry, view and exit are recorded in order', async () => {
      // Arrange
      const t = app();
      const { siteId, siteKey } = await createTrackedSite(t);
      const visit = await visitWithNumber(t, siteKey, { url: 'https://shop.example/', title: 'Home' });

      // Act
      t.clock.advance(1000);
      await pageView(t, siteKey, visit.visitId, { url: 'https://shop.example/pricing', title: 'Pricing' }).expect(204);
      t.clock.advance(1000);
      await pageView(t, siteKey, visit.visitId, { url: 'https://shop.example/pricing', kind: 'exit' }).expect(204);

      // Assert
      expect(await pageViewRows(t, siteId)).toEqual([
        { visit_id: visit.visitId, kind: 'entry', url: 'https://shop.example/', title: 'Home' },
        { visit_id: visit.visitId, kind: 'view', url: 'https://shop.example/pricing', title: 'Pricing' },
        { visit_id: visit.visitId, kind: 'exit', url: 'https://shop.example/pricing', title: null },
      ]);
    });

    maybe('when the visit continues on another page, then that page is a view; when it only leases again, then no page view', async () => {
      // Arrange
      const t = app();
      const { siteId, siteKey } = await createTrackedSite(t);
      const visit = await visitWithNumber(t, siteKey, { url: 'https://shop.example/' });

      // Act
      t.clock.advance(1000);
      await registerVisit(t, siteKey, { url: 'https://shop.example/contact', visitId: visit.visitId, visitorId: visit.visitorId }).expect(200);
      t.clock.advance(1000);
      await registerVisit(t, siteKey, { url: 'https://shop.example/contact', visitId: visit.visitId, pageView: false }).expect(200);

      // Assert
      expect((await pageViewRows(t, siteId)).map((v) => [v.kind, v.url])).toEqual([
        ['entry', 'https://shop.example/'],
        ['view', 'https://shop.example/contact'],
      ]);
    });

    maybe('when the visit id was issued by another site, or never issued, then 404 problem and nothing is recorded', async () => {
      // Arrange
      const t = app();
      const other = await createTrackedSite(t, { domains: ['other.example'] });
      const foreign = await visitWithNumber(t, other.siteKey, { url: 'https://other.example/' }, 'https://other.example');
      const { siteId, siteKey } = await createTrackedSite(t);

      // Act
      const withForeignId = await pageView(t, siteKey, foreign.visitId, { url: 'https://shop.example/' });
      const withMadeUpId = await pageView(t, siteKey, 'vs_madeUpByTheClient00000000000000000', { url: 'https://shop.example/' });

      // Assert
      expectProblem(withForeignId, 404);
      expectProblem(withMadeUpId, 404);
      expect(await pageViewRows(t, siteId)).toEqual([]);
    });

    maybe.each([
      ['no url', {}],
      ['a javascript: url', { url: 'javascript:alert(1)' }],
      ['an unknown kind', { url: 'https://shop.example/', kind: 'entry' }],
    ])('when the page view has %s, then 400 problem', async (_label, body) => {
      const t = app();
      const { siteKey } = await createTrackedSite(t);
      const visit = await visitWithNumber(t, siteKey);

      expectProblem(await pageView(t, siteKey, visit.visitId, body), 400);
    });

    maybe('when a page view comes from a foreign origin, then 403 problem', async () => {
      const t = app();
      const { siteKey } = await createTrackedSite(t);
      const visit = await visitWithNumber(t, siteKey);

      expectProblem(await pageView(t, siteKey, visit.visitId, { url: 'https://shop.example/' }, 'https://evil.example'), 403);
    });
  });
});
