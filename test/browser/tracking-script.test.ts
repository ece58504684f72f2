import { mkdirSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { describeIf } from '../support/conditional';
import { chromiumRequirement, ClientSite, launchChromium, listen, RequestLog, type Listening } from '../support/browser';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from '../support/test-app';
import { FORWARD_TO } from '../support/fixtures';
import { BROWSER_USER_AGENT, GOOGLEBOT_USER_AGENT } from '../support/user-agents';

/**
 * The tracking script in a real browser (Debian's Chromium, driven by playwright-core). The client's
 * website is served from http://127.0.0.1:<port>, the tracking service from http://localhost:<port>,
 * so every request the script makes is cross-origin, as on a real site.
 */
const SECOND = 1000;
const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');

/** The site's own numbers, as printed on its pages. */
const GB_TARGET = '+442079460000';
const US_TARGET = '+15550101234';

/** How the page writes a tracking number from the 0113 496 0xxx range: '0113 496 0007'. */
const last4 = (e164: string) => e164.slice(-4);
const local = (e164: string) => `0113 496 ${last4(e164)}`;

interface BrowserSite {
  siteId: string;
  siteKey: string;
  poolId: string;
  numbers: string[];
  scriptUrl: string;
}

describeIf(chromiumRequirement, 'tracking script in Chromium', () => {
  let t: TestApp;
  let api: Listening;
  let website: Listening;
  let browser: Browser;
  const client = new ClientSite();
  const apiLog = new RequestLog();
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  let pageCount = 0;

  beforeAll(async () => {
    // Heartbeats every second, so renewal and re-leasing happen within a test.
    t = await startTestApp('embedded', { HEARTBEAT_SECONDS: '1' });
    const wrapped = express();
    wrapped.use(express.json({ type: ['application/json', 'text/plain'] }), apiLog.middleware());
    wrapped.use(t.app);
    // express.json above consumed the body; hand the parsed body on unchanged.
    api = await listen(wrapped, 'localhost');
    website = await listen(client.app, '127.0.0.1');
    browser = await launchChromium();
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    expect(pageErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await website?.close();
    await t?.close();
  });

  const admin = () => {
    const auth = `Bearer ${TEST_ADMIN_KEY}`;
    return {
      post: (url: string, body: object) => request(t.app).post(url).set('Authorization', auth).send(body),
      patch: (url: string, body: object) => request(t.app).patch(url).set('Authorization', auth).send(body),
      get: (url: string) => request(t.app).get(url).set('Authorization', auth),
    };
  };

  async function createSite(opts: { target?: string; country?: 'GB' | 'US'; areaCode?: string; numbers?: number; settings?: object } = {}): Promise<BrowserSite> {
    const a = admin();
    const owner = await a.post('/v1/clients', { name: 'Acme Plumbing' }).expect(201);
    const site = await a
      .post('/v1/sites', { clientId: owner.body.id, name: 'Acme', domains: ['127.0.0.1'], trackingEnabled: true, swapTargets: [opts.target ?? GB_TARGET], ...opts.settings })
      .expect(201);
    const pool = await a.post('/v1/pools', { siteId: site.body.id, name: 'Main', forwardTo: FORWARD_TO, leaseSeconds: 60 }).expect(201);
    const provisioned = await a
      .post(`/v1/pools/${pool.body.id}/numbers`, { count: opts.numbers ?? 1, country: opts.country ?? 'GB', areaCode: opts.areaCode ?? (opts.country === 'US' ? '212' : '113') })
      .expect(201);
    return {
      siteId: site.body.id,
      siteKey: site.body.siteKey,
      poolId: pool.body.id,
      numbers: provisioned.body.numbers.map((n: { e164: string }) => n.e164),
      scriptUrl: `${api.origin}/t/${site.body.siteKey}.js`,
    };
  }

  /** Serves `body` as a new page of the client's site (with the tracking snippet) and opens it. */
  async function open(site: BrowserSite, body: string, options: BrowserContextOptions & { init?: () => void } = {}): Promise<{ page: Page; context: BrowserContext; url: string }> {
    const pagePath = `/page-${++pageCount}`;
    client.page(pagePath, site.scriptUrl, body);
    const { init, ...contextOptions } = options;
    const context = await browser.newContext({ userAgent: BROWSER_USER_AGENT, ...contextOptions });
    contexts.push(context);
    if (init) await context.addInitScript(init);
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    const url = `${website.origin}${pagePath}`;
    await page.goto(url);
    return { page, context, url };
  }

  const cookieNames = (page: Page) => page.evaluate(() => document.cookie.split('; ').filter(Boolean).map((c) => c.split('=')[0]).sort());
  const registrations = (site: BrowserSite) => apiLog.matching('POST', new RegExp(`^/t/${site.siteKey}/visits$`));
  const text = (page: Page, selector: string) => page.locator(selector).innerText();
  const href = (page: Page, selector: string) => page.locator(selector).getAttribute('href');
  /** Waits until the page shows `expected` in `selector` (the script swaps asynchronously). */
  const shows = (page: Page, selector: string, expected: string) =>
    page.waitForFunction(([s, e]) => document.querySelector(s)?.textContent === e, [selector, expected] as const, { timeout: 10 * SECOND });

  /** Waits until the script has a number and shows it in `selector`; the number's E.164. */
  async function numberShown(page: Page, selector = '#n'): Promise<string> {
    const handle = await page.waitForFunction(() => (window as unknown as { ct: (c: string) => { e164: string } | null }).ct('number')?.e164, undefined, { timeout: 10 * SECOND });
    const e164 = (await handle.jsonValue()) as string;
    await shows(page, selector, local(e164));
    return e164;
  }

  async function storedVisits(site: BrowserSite) {
    await t.container.leaseHistory.flush();
    const { rows } = await t.container.db.query<Record<string, unknown>>(
      'SELECT id, visitor_id, landing_page, user_agent, browser, os, device_type, ip_address, ga_client_id, ga_session_id FROM visits WHERE site_id = $1',
      [site.siteId],
    );
    // The IP is sealed at rest; read it back as the service would.
    return rows.map((r): Record<string, unknown> => ({ ...r, ip_address: r.ip_address === null ? null : t.container.personalData.open(r.ip_address as string) }));
  }

  async function storedPageViews(site: BrowserSite) {
    await t.container.pageViews.flush();
    const { rows } = await t.container.db.query<{ kind: string; url: string; title: string | null; visit_id: string }>(
      'SELECT kind, url, title, visit_id FROM page_views WHERE site_id = $1 ORDER BY viewed_at, kind',
      [site.siteId],
    );
    return rows;
  }

  async function storedConsents(site: BrowserSite) {
    const { rows } = await t.container.db.query<{ visitor_id: string; state: string }>('SELECT visitor_id, state FROM consents WHERE site_id = $1 ORDER BY recorded_at', [
      site.siteId,
    ]);
    return rows;
  }

  describe('swapping', () => {
    it('when the page shows the UK number in every common format, then each shows the tracking number in the same format', async () => {
      // Arrange: a tracking number from 0113 496 0xxx replaces the site's 020 7946 0000.
      const site = await createSite();
      const body = `
        <p id="spaced">Call 020 7946 0000 today</p>
        <p id="brackets">(020) 7946-0000</p>
        <p id="intl">+44 20 7946 0000</p>
        <p id="intl-trunk">+44 (0)20 7946 0000</p>
        <p id="compact">02079460000</p>
        <p id="with-hours">020 7946 0000 (24h)</p>
        <a id="tel" href="tel:+442079460000">Call us</a>
        <a id="tel-national" href="tel:020-7946-0000">020 7946 0000</a>
        <p id="other">Our fax: 020 7946 0999</p>
        <p id="noswap" data-ct-noswap>Registered office: <span>020 7946 0000</span></p>`;

      // Act
      const { page } = await open(site, body);
      const [n] = site.numbers;
      await shows(page, '#spaced', `Call ${local(n)} today`);

      // Assert
      expect(n).toMatch(/^\+44113496\d{4}$/);
      expect(await text(page, '#brackets')).toBe(`(0113) 496-${last4(n)}`);
      expect(await text(page, '#intl')).toBe(`+44 113 496 ${last4(n)}`);
      expect(await text(page, '#intl-trunk')).toBe(`+44 (0)113 496 ${last4(n)}`);
      expect(await text(page, '#compact')).toBe(`0113496${last4(n)}`);
      expect(await text(page, '#with-hours')).toBe(`${local(n)} (24h)`);
      expect(await href(page, '#tel')).toBe(`tel:${n}`);
      expect(await href(page, '#tel-national')).toBe(`tel:0113-496-${last4(n)}`);
      expect(await text(page, '#tel-national')).toBe(local(n));
      expect(await text(page, '#other')).toBe('Our fax: 020 7946 0999');
      expect(await text(page, '#noswap')).toBe('Registered office: 020 7946 0000');
      expect(await page.evaluate(() => (window as unknown as { ct: (c: string) => unknown }).ct('number'))).toEqual({ e164: n, display: local(n) });
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'tracking-script-uk-formats.png'), fullPage: true });
    });

    it('when the page shows a US number in US formats, then each shows the US tracking number in the same format', async () => {
      // Arrange: tracking number (212) 555-0100 replaces the site's (555) 010-1234.
      const site = await createSite({ target: US_TARGET, country: 'US', areaCode: '212' });
      const body = `
        <p id="us-national">(555) 010-1234</p>
        <p id="us-dots">555.010.1234</p>
        <p id="us-intl">+1 555-010-1234</p>
        <a id="us-tel" href="tel:+15550101234">Call</a>`;

      // Act
      const { page } = await open(site, body);
      await shows(page, '#us-national', '(212) 555-0100');

      // Assert
      expect(site.numbers).toEqual(['+12125550100']);
      expect(await text(page, '#us-dots')).toBe('212.555.0100');
      expect(await text(page, '#us-intl')).toBe('+1 212-555-0100');
      expect(await href(page, '#us-tel')).toBe('tel:+12125550100');
    });

    it('when content with the number is added after the swap, then it is swapped too', async () => {
      // Arrange
      const site = await createSite();
      const { page } = await open(site, '<p id="first">020 7946 0000</p><div id="later"></div>');
      await shows(page, '#first', local(site.numbers[0]));

      // Act: a widget renders late, and a text node changes in place.
      await page.evaluate(() => {
        const added = document.createElement('p');
        added.id = 'added';
        added.innerHTML = 'Sales: <a id="added-tel" href="tel:+442079460000">+44 20 7946 0000</a>';
        document.getElementById('later')?.appendChild(added);
        (document.getElementById('first')?.firstChild as Text).data = 'New text, same number: 020 7946 0000';
      });

      // Assert
      await shows(page, '#added-tel', `+44 113 496 ${last4(site.numbers[0])}`);
      await shows(page, '#first', `New text, same number: ${local(site.numbers[0])}`);
      expect(await href(page, '#added-tel')).toBe(`tel:${site.numbers[0]}`);
    });

    it('when the page calls ct("swap", element) for content in a shadow root, then the number inside is swapped', async () => {
      // Arrange
      const site = await createSite();
      const { page } = await open(site, '<p id="main">020 7946 0000</p><div id="host"></div>');
      await shows(page, '#main', local(site.numbers[0]));

      // Act
      const swapped = await page.evaluate(() => {
        const root = document.getElementById('host')!.attachShadow({ mode: 'open' });
        root.innerHTML = '<span>020 7946 0000</span>';
        (window as unknown as { ct: (c: string, e: Node) => void }).ct('swap', root);
        return root.textContent;
      });

      // Assert
      expect(swapped).toBe(local(site.numbers[0]));
    });
  });

  describe('visits, cookies and page views', () => {
    it('when a page loads, then the visit is stored with browser details and GA ids, and the cookies last 30 days and 30 minutes', async () => {
      // Arrange: Google Analytics has already set its cookies on this site.
      const site = await createSite();
      const ga = { domain: '127.0.0.1', path: '/', expires: -1, httpOnly: false, secure: false, sameSite: 'Lax' as const };

      // Act
      const { page, context: ctx } = await open(site, '<p id="n">020 7946 0000</p>', {
        storageState: {
          cookies: [
            { name: '_ga', value: 'GA1.1.1234567890.1700000000', ...ga },
            { name: '_ga_ABC123', value: 'GS2.1.s1700000500$o3$g1$t1700000600$j0$l0$h0', ...ga },
          ],
          origins: [],
        },
      });
      await shows(page, '#n', local(site.numbers[0]));
      const now = Date.now() / SECOND;

      // Assert
      const cookies = Object.fromEntries((await ctx.cookies()).map((c) => [c.name, c]));
      expect(cookies._ct_vr).toMatchObject({ value: expect.stringMatching(/^vr_/), sameSite: 'Lax', secure: false, httpOnly: false, path: '/' });
      expect(cookies._ct_vs).toMatchObject({ value: expect.stringMatching(/^vs_/), sameSite: 'Lax', secure: false, httpOnly: false, path: '/' });
      expect(cookies._ct_vr.expires - now).toBeGreaterThan(30 * 86_400 - 60);
      expect(cookies._ct_vr.expires - now).toBeLessThan(30 * 86_400 + 60);
      expect(cookies._ct_vs.expires - now).toBeGreaterThan(30 * 60 - 60);
      expect(cookies._ct_vs.expires - now).toBeLessThan(30 * 60 + 60);
      expect(await storedVisits(site)).toEqual([
        {
          id: cookies._ct_vs.value,
          visitor_id: cookies._ct_vr.value,
          landing_page: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/page-\d+$/),
          user_agent: BROWSER_USER_AGENT,
          browser: 'Chrome 126',
          os: 'Windows 10',
          device_type: 'desktop',
          ip_address: '127.0.0.1',
          ga_client_id: '1234567890.1700000000',
          ga_session_id: '1700000500',
        },
      ]);
    });

    it('when the visitor opens a second page, then the visit and its number continue', async () => {
      // Arrange
      const site = await createSite({ numbers: 2 });
      const { page, context } = await open(site, '<p id="n">020 7946 0000</p><a id="next" href="/second">next</a>');
      const first = await numberShown(page);
      client.page('/second', site.scriptUrl, '<p id="n">020 7946 0000</p>', 'Second page');

      // Act
      await page.click('#next');
      await page.waitForURL(/\/second$/);
      expect(await numberShown(page)).toBe(first);

      // Assert
      const visits = await storedVisits(site);
      expect(visits).toHaveLength(1);
      expect((await context.cookies()).find((c) => c.name === '_ct_vs')?.value).toBe(visits[0].id);
      const views = await storedPageViews(site);
      expect(views.map((v) => [v.kind, new URL(v.url).pathname])).toEqual(
        expect.arrayContaining([
          ['entry', expect.stringMatching(/^\/page-\d+$/)],
          ['view', '/second'],
        ]),
      );
      expect(new Set(views.map((v) => v.visit_id))).toEqual(new Set([visits[0].id]));
    });

    it('when a single-page app navigates with history.pushState, then a page view is recorded and the number stays', async () => {
      // Arrange
      const site = await createSite({ numbers: 2 });
      const { page } = await open(site, '<p id="n">020 7946 0000</p>');
      await numberShown(page);
      const pageViews = new RegExp(`^/t/${site.siteKey}/visits/[^/]+/pageviews$`);

      // Act: the app moves to /pricing, then the visitor goes back, then leaves the site. (The service's
      // clock only moves when told: each step moves it a second so the views have an order.)
      t.clock.advance(SECOND);
      await page.evaluate(() => {
        document.title = 'Pricing';
        history.pushState({}, '', '/pricing?plan=gold');
      });
      await apiLog.waitFor('POST', pageViews, 1);
      t.clock.advance(SECOND);
      await page.goBack();
      await apiLog.waitFor('POST', pageViews, 2);
      t.clock.advance(SECOND);
      await page.goto('about:blank');
      await apiLog.waitFor('POST', pageViews, 3);

      // Assert
      expect(registrations(site)).toHaveLength(1);
      const views = await storedPageViews(site);
      expect(views.map((v) => [v.kind, new URL(v.url).pathname + new URL(v.url).search])).toEqual([
        ['entry', expect.stringMatching(/^\/page-\d+$/)],
        ['view', '/pricing?plan=gold'],
        ['view', expect.stringMatching(/^\/page-\d+$/)],
        ['exit', expect.stringMatching(/^\/page-\d+$/)],
      ]);
      expect(views[1].title).toBe('Pricing');
    });
  });

  describe('heartbeat and leases', () => {
    it('when the page stays open, then heartbeats renew the lease and keep the number', async () => {
      // Arrange
      const site = await createSite({ numbers: 2 });
      const { page } = await open(site, '<p id="n">020 7946 0000</p>');
      const shown = await numberShown(page);
      const heartbeats = new RegExp(`^/t/${site.siteKey}/visits/[^/]+/heartbeat$`);

      // Act
      const seen = await apiLog.waitFor('POST', heartbeats, 2);

      // Assert
      expect(seen.map((r) => r.status)).toEqual([200, 200]);
      expect(await text(page, '#n')).toBe(local(shown));
      expect(registrations(site)).toHaveLength(1);
    });

    it('when the lease is lost, then the next heartbeat gets 409, the page leases again and shows the new number', async () => {
      // Arrange: two numbers; the visit holds the first.
      const site = await createSite({ numbers: 2 });
      const { page } = await open(site, '<p id="n">020 7946 0000</p><a id="tel" href="tel:+442079460000">call</a>');
      const first = await numberShown(page);
      const second = site.numbers.find((n) => n !== first) as string;
      const heartbeats = new RegExp(`^/t/${site.siteKey}/visits/[^/]+/heartbeat$`);
      await apiLog.waitFor('POST', heartbeats, 1);

      // Act: the lease expires (the service's clock passes its 60 s); the first number then rests.
      t.clock.advance(61 * SECOND);
      await shows(page, '#n', local(second));

      // Assert
      expect(apiLog.matching('POST', heartbeats).map((r) => r.status)).toContain(409);
      expect(await href(page, '#tel')).toBe(`tel:${second}`);
      const again = registrations(site);
      expect(again).toHaveLength(2);
      expect(again[1].body).toMatchObject({ pageView: false, visitId: expect.stringMatching(/^vs_/) });
      expect((await storedVisits(site)).map((v) => v.id)).toEqual([(again[1].body as { visitId: string }).visitId]);
    });
  });

  describe('consent and privacy signals', () => {
    it('when the site requires consent, then nothing is stored until ct("consent", true), and ct("consent", false) is recorded and clears the cookies', async () => {
      // Arrange
      const site = await createSite({ settings: { consent: 'required' } });
      const consentPath = new RegExp(`^/t/${site.siteKey}/consent$`);

      // Act 1: the page loads without consent.
      const { page, context } = await open(site, '<p id="n">020 7946 0000</p>');
      await page.waitForLoadState('networkidle');

      // Assert 1
      expect(registrations(site)).toHaveLength(0);
      expect(apiLog.matching('POST', consentPath)).toHaveLength(0);
      expect(await context.cookies()).toEqual([]);
      expect(await text(page, '#n')).toBe('020 7946 0000');

      // Act 2: the consent banner reports consent.
      await page.evaluate(() => (window as unknown as { ct: (c: string, v: boolean) => void }).ct('consent', true));
      await shows(page, '#n', local(site.numbers[0]));
      const [given] = await apiLog.waitFor('POST', consentPath, 1);

      // Assert 2
      const visitorId = (await context.cookies()).find((c) => c.name === '_ct_vr')?.value;
      expect(registrations(site)).toHaveLength(1);
      expect(await cookieNames(page)).toEqual(['_ct_vr', '_ct_vs']);
      expect(given.status).toBe(204);
      expect(await storedConsents(site)).toEqual([{ visitor_id: visitorId, state: 'given' }]);

      // Act 3: the visitor withdraws consent (a second later, so the records have an order).
      t.clock.advance(SECOND);
      await page.evaluate(() => (window as unknown as { ct: (c: string, v: boolean) => void }).ct('consent', false));
      const [, withdrawn] = await apiLog.waitFor('POST', consentPath, 2);

      // Assert 3
      expect(await cookieNames(page)).toEqual([]);
      expect(await text(page, '#n')).toBe('020 7946 0000');
      expect(withdrawn.status).toBe(204);
      expect(await storedConsents(site)).toEqual([
        { visitor_id: visitorId, state: 'given' },
        { visitor_id: visitorId, state: 'withdrawn' },
      ]);
    });

    it('when consent is given before the script has loaded, then the queued call is not lost', async () => {
      // Arrange
      const site = await createSite({ settings: { consent: 'required' } });

      // Act: the page calls ct() inline, before the async script has arrived.
      const { page } = await open(site, '<p id="n">020 7946 0000</p><script>ct("consent", true)</script>');

      // Assert
      await shows(page, '#n', local(site.numbers[0]));
    });

    it('when the browser sends Global Privacy Control, then the real number stays and no visit is registered', async () => {
      // Arrange
      const site = await createSite();

      // Act
      const { page, context } = await open(site, '<p id="n">020 7946 0000</p>', {
        extraHTTPHeaders: { 'Sec-GPC': '1' },
        init: () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }),
      });
      await page.waitForLoadState('networkidle');

      // Assert
      expect(registrations(site)).toHaveLength(0);
      expect(await text(page, '#n')).toBe('020 7946 0000');
      expect(await context.cookies()).toEqual([]);
      expect(await storedVisits(site)).toEqual([]);
    });

    it('when the site honours Do Not Track and the browser sends it, then the real number stays', async () => {
      // Arrange
      const site = await createSite({ settings: { honorDnt: true } });

      // Act
      const { page } = await open(site, '<p id="n">020 7946 0000</p>', { init: () => Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' }) });
      await page.waitForLoadState('networkidle');

      // Assert
      expect(registrations(site)).toHaveLength(0);
      expect(await text(page, '#n')).toBe('020 7946 0000');
    });
  });

  describe('bots and failures', () => {
    it('when a crawler loads the page, then it keeps the real number, and no visit or lease is created', async () => {
      // Arrange
      const site = await createSite();

      // Act
      const { page, context } = await open(site, '<p id="n">020 7946 0000</p>', { userAgent: GOOGLEBOT_USER_AGENT });
      const [registered] = await apiLog.waitFor('POST', new RegExp(`^/t/${site.siteKey}/visits$`));
      await page.waitForLoadState('networkidle');

      // Assert
      expect(registered.status).toBe(200);
      expect(await text(page, '#n')).toBe('020 7946 0000');
      expect(await context.cookies()).toEqual([]);
      expect(await storedVisits(site)).toEqual([]);
      expect((await admin().get(`/v1/pools/${site.poolId}`).expect(200)).body.stats).toMatchObject({ leased: 0 });
    });

    it('when the browser is driven by automation (navigator.webdriver), then the script does not register', async () => {
      // Arrange
      const site = await createSite();

      // Act
      const { page } = await open(site, '<p id="n">020 7946 0000</p>', { init: () => Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => true }) });
      await page.waitForLoadState('networkidle');

      // Assert
      expect(registrations(site)).toHaveLength(0);
      expect(await text(page, '#n')).toBe('020 7946 0000');
    });

    it('when the tracking service cannot be reached, then the real number stays and no error reaches the page', async () => {
      // Arrange: the script loads, but its requests fail.
      const site = await createSite();
      const context = await browser.newContext({ userAgent: BROWSER_USER_AGENT });
      contexts.push(context);
      await context.route(/\/visits$/, (route) => route.abort('connectionrefused'));
      const page = await context.newPage();
      page.on('pageerror', (err) => pageErrors.push(err.message));
      client.page('/unreachable', site.scriptUrl, '<p id="n">020 7946 0000</p>');

      // Act
      await page.goto(`${website.origin}/unreachable`);
      await page.waitForLoadState('networkidle');

      // Assert (pageErrors are checked after each test)
      expect(await text(page, '#n')).toBe('020 7946 0000');
      expect(await page.evaluate(() => (window as unknown as { ct: (c: string) => unknown }).ct('number'))).toBeNull();
    });
  });
});
