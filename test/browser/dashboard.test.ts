import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeIf } from '../support/conditional';
import { chromiumRequirement, launchChromium, listen, type Listening } from '../support/browser';
import { startTestApp, type TestApp } from '../support/test-app';
import { adminApi, callBySid, createTrackedSite, inboundCall, WEBHOOKS, type TrackedSite } from '../support/fixtures';
import { newCallSid, sendSignedWebhook } from '../support/twilio-webhooks';
import { BROWSER_USER_AGENT } from '../support/user-agents';
import { parseCsv } from '../support/parse-csv';

const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');
const ORIGIN = 'https://shop.example';
const MINUTE = 60_000;
/** A campaign name that would run script if the page ever rendered data as HTML. */
const HOSTILE_CAMPAIGN = '<img src=x onerror="window.__injected=1">';

/** A visitor lands on `landing`, reads `pages` a minute apart, then dials the number shown; the call is answered for `talk` seconds. */
async function visitAndCall(t: TestApp, site: TrackedSite, landing: string, pages: { url: string; title: string }[], caller: string, talk: number) {
  const visit = await request(t.app).post(`/t/${site.siteKey}/visits`).set('Origin', ORIGIN).set('User-Agent', BROWSER_USER_AGENT).send({ url: landing, title: 'Home' }).expect(200);
  expect(visit.body.number).not.toBeNull();
  for (const page of pages) {
    t.clock.advance(MINUTE);
    await request(t.app).post(`/t/${site.siteKey}/visits/${visit.body.visitId}/pageviews`).set('Origin', ORIGIN).type('text/plain').send(JSON.stringify(page)).expect(204);
  }
  t.clock.advance(MINUTE);
  const callSid = newCallSid();
  const call = { ...inboundCall(visit.body.number.e164, callSid), From: caller, Caller: caller };
  await sendSignedWebhook(t.app, WEBHOOKS.voice, call).expect(200);
  await sendSignedWebhook(t.app, WEBHOOKS.dial, { ...call, CallStatus: 'in-progress', DialCallStatus: 'completed', DialCallDuration: String(talk), DialCallSid: newCallSid() }).expect(200);
  await sendSignedWebhook(t.app, WEBHOOKS.status, { ...call, CallStatus: 'completed', CallDuration: String(talk + 5), SequenceNumber: '0' }).expect(204);
  // A page read after the call is not part of the journey that led to it.
  t.clock.advance(MINUTE);
  await request(t.app).post(`/t/${site.siteKey}/visits/${visit.body.visitId}/pageviews`).set('Origin', ORIGIN).type('text/plain').send(JSON.stringify({ url: `${ORIGIN}/thanks`, title: 'Thanks' })).expect(204);
  return { callSid, visitId: visit.body.visitId as string };
}

async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(ARTIFACTS, `dashboard-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * The dashboard (/dashboard) in Chromium against the whole service on a real port: sign-in with a
 * client's key, the chart drawn from the reports API, a call's journey, the CSV export, pool health and
 * provisioning, sign-out, and a revoked key sending the user back to the login form. Nothing is loaded
 * from another origin and the page's CSP is never violated.
 */
describeIf(chromiumRequirement, 'the dashboard in Chromium', () => {
  let t: TestApp;
  let service: Listening;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let site: TrackedSite;
  let ownerKey: { id: string; key: string };
  const calls: { callSid: string; visitId: string }[] = [];
  const problems: string[] = [];
  const refused: string[] = [];
  const screenshots: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    service = await listen((req, res) => t.app(req, res), '127.0.0.1');
    t = await startTestApp('embedded');
    const api = adminApi(t);
    // Arrange: a client with a site and a pool of 3 numbers; a key of the client's owner to sign in with.
    site = await createTrackedSite(t, { numbers: 3 });
    const key = await api.post(`/v1/clients/${site.clientId}/api-keys`, { role: 'owner' }).expect(201);
    ownerKey = { id: key.body.id, key: key.body.key };
    // Day 1 (30 Nov, clock 10:00Z): a Google Ads visitor reads two pages and calls; a Bing visitor calls.
    calls.push(await visitAndCall(t, site, `${ORIGIN}/?utm_source=google&utm_medium=cpc&utm_campaign=winter`, [{ url: `${ORIGIN}/boilers`, title: 'Boilers' }, { url: `${ORIGIN}/contact`, title: 'Contact us' }], '+442079460101', 47));
    calls.push(await visitAndCall(t, site, `${ORIGIN}/?utm_source=bing&utm_medium=cpc&utm_campaign=${encodeURIComponent(HOSTILE_CAMPAIGN)}`, [], '+442079460102', 20));
    // Day 2 (1 Dec): the first caller comes back through Google.
    t.clock.advance(24 * 60 * MINUTE);
    calls.push(await visitAndCall(t, site, `${ORIGIN}/?utm_source=google&utm_medium=cpc&utm_campaign=winter`, [], '+442079460101', 30));
    // One utilisation sample for the pool's health (the job runs every minute in production).
    await t.container.jobs.definitions['pool-health-sample']?.run();

    browser = await launchChromium();
    context = await browser.newContext({ userAgent: BROWSER_USER_AGENT, timezoneId: 'Europe/London', locale: 'en-GB', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.on('pageerror', (err) => problems.push(err.message));
    // CSP violations are reported as console errors; refused requests are checked one by one below.
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(msg.text());
    });
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (url.protocol !== 'blob:' && url.protocol !== 'data:' && url.origin !== service.origin) problems.push(`request to another origin: ${req.url()}`);
    });
    page.on('response', (res) => {
      if (res.status() >= 400 && !res.url().endsWith('/favicon.ico')) refused.push(`${res.request().method()} ${res.status()} ${new URL(res.url()).pathname}`);
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await service?.close();
    await t?.close();
  });

  it('when a wrong key is typed, then the login form says it was not accepted and nothing is kept', async () => {
    await page.goto(`${service.origin}/dashboard`);
    await page.fill('#api-key', 'ctk_live_this-is-not-a-key');
    await page.click('#sign-in');

    await page.locator('#login-error').waitFor({ state: 'visible' });
    expect(await page.locator('#login-error').innerText()).toMatch(/not accepted/);
    expect(await page.locator('#app-view').isHidden()).toBe(true);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    screenshots.push(await screenshot(page, 'login-error'));
  });

  it('when the client’s key is typed and a period picked, then the overview charts calls by source per day from the reports API', async () => {
    await page.fill('#api-key', ownerKey.key);
    await page.click('#sign-in');
    await page.locator('#app-view').waitFor({ state: 'visible' });
    expect(await page.locator('#client-select option').allInnerTexts()).toEqual(['Acme Plumbing']);
    await page.locator(`#site-select option[value="${site.siteId}"]`).waitFor({ state: 'attached' });

    await page.fill('#from-date', '2026-11-28');
    await page.fill('#to-date', '2026-12-02');
    await page.click('#apply-scope');
    await page.waitForFunction(() => /call\(s\) from 2026-11-28/.test(document.getElementById('overview-status')?.textContent ?? ''));

    // The chart Chart.js holds, not just a canvas: days of the period, one stacked series per source.
    const chart = await page.evaluate(() => {
      const canvas = document.getElementById('calls-by-source-chart') as HTMLCanvasElement;
      const instance = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { config: { type: string }; data: { labels: string[]; datasets: { label: string; data: number[] }[] } } } }).Chart.getChart(canvas);
      return instance ? { type: instance.config.type, labels: instance.data.labels, datasets: instance.data.datasets.map((d) => ({ label: d.label, data: d.data })) } : null;
    });
    expect(chart).toEqual({
      type: 'bar',
      labels: ['2026-11-28', '2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02'],
      datasets: [
        { label: 'bing', data: [0, 0, 1, 0, 0] },
        { label: 'google', data: [0, 0, 1, 1, 0] },
      ],
    });
    expect(await page.locator('#overview-totals [data-field="calls"]').innerText()).toBe('3');
    expect(await page.locator('#overview-totals [data-field="first-time"]').innerText()).toBe('2');
    expect(await page.locator('#overview-totals [data-field="repeat"]').innerText()).toBe('1');
    expect(await page.locator('#source-table tbody tr[data-source="google"] td').allInnerTexts()).toEqual(expect.arrayContaining(['google', '2']));
    screenshots.push(await screenshot(page, 'overview'));
  });

  it('when a call is clicked, then its journey shows the pages read before the call, in order, and data is shown as text', async () => {
    const first = await callBySid(t, site.siteId, calls[0].callSid);
    await page.click('#tab-button-calls');
    await page.locator('#calls-table tbody tr').nth(2).waitFor();
    expect(await page.locator('#calls-table tbody tr').count()).toBe(3);
    // The campaign arrives as characters on the page, not as an element.
    expect(await page.locator('#calls-table tbody td', { hasText: HOSTILE_CAMPAIGN }).count()).toBe(1);
    expect(await page.locator('#calls-table img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __injected?: number }).__injected)).toBeUndefined();

    await page.click(`#calls-table tbody tr[data-call-id="${first.id}"]`);
    await page.locator('#journey .journey-page').first().waitFor();

    expect(await page.locator('#call-facts [data-field="attribution"]').innerText()).toBe(first.attribution);
    expect(await page.locator('#journey .journey-visit').getAttribute('data-visit-id')).toBe(calls[0].visitId);
    const urls = await page.locator('#journey .journey-page .page-url').allInnerTexts();
    expect(urls.map((u) => new URL(u).pathname)).toEqual(['/', '/boilers', '/contact']);
    const relative = await page.locator('#journey .journey-page .relative').allInnerTexts();
    expect(relative).toEqual(['3 min before the call', '2 min before the call', '1 min before the call']);
    screenshots.push(await screenshot(page, 'call-journey'));
  });

  it('when Download CSV is clicked, then the export is fetched with the key and saved as a file of the calls', async () => {
    const downloading = page.waitForEvent('download');
    await page.click('#download-csv');
    const download = await downloading;
    const file = path.join(ARTIFACTS, 'dashboard-calls.csv');
    await download.saveAs(file);

    expect(download.suggestedFilename()).toBe('calls-2026-11-28-to-2026-12-02.csv');
    const [header, ...rows] = parseCsv(readFileSync(file, 'utf8')).filter((r) => r.length > 1);
    const ids = await Promise.all(calls.map(async (c) => (await callBySid(t, site.siteId, c.callSid)).id));
    expect(rows.map((r) => r[header.indexOf('id')]).sort()).toEqual(ids.sort());
  });

  it('when the pools tab is opened, then each pool shows its health and sizing advice as the API gives them', async () => {
    const health = (await adminApi(t).get(`/v1/pools/${site.poolId}/health?from=2026-11-28T00:00:00Z&to=2026-12-03T00:00:00Z`).expect(200)).body;
    await page.click('#tab-button-pools');
    const card = page.locator(`#pools .pool[data-pool-id="${site.poolId}"]`);
    await card.locator('.advice-text').waitFor();

    expect(await card.locator('[data-field="number-count"]').innerText()).toBe('3');
    expect(await card.locator('.advice-text').innerText()).toBe(health.sizing.advice);
    expect(health.sizing.advice).toEqual(expect.any(String));
    expect(await card.locator('.advice').getAttribute('data-recommended')).toBe(String(health.sizing.recommendedSize ?? ''));
    expect(await card.locator('[data-field="exhaustion"]').innerText()).toBe(String(health.exhaustion.total));
    const points = await card.locator('canvas').evaluate((canvas) => (window as unknown as { Chart: { getChart(c: Element): { data: { datasets: { data: unknown[] }[] } } } }).Chart.getChart(canvas)?.data.datasets[0].data.length);
    expect(points).toBe(health.utilisation.length);
    expect(health.utilisation.length).toBeGreaterThan(0);
    screenshots.push(await screenshot(page, 'pools'));
  });

  it('when 2 numbers are provisioned from the form, then the pool has 2 more, on the page and through the API', async () => {
    const card = page.locator(`#pools .pool[data-pool-id="${site.poolId}"]`);
    await card.locator('input[name="count"]').fill('2');
    await card.locator('select[name="country"]').selectOption('GB');
    await card.locator('button[type="submit"]').click();

    await card.locator('[data-field="number-count"]', { hasText: '5' }).waitFor();
    const numbers = (await adminApi(t).get(`/v1/pools/${site.poolId}/numbers`).expect(200)).body.data as { e164: string }[];
    expect(numbers).toHaveLength(5);
    const added = (await card.locator('.provisioned').innerText()).split(', ');
    expect(added).toHaveLength(2);
    expect(numbers.map((n) => n.e164)).toEqual(expect.arrayContaining(added));
    screenshots.push(await screenshot(page, 'provisioned'));
  });

  it('when the provisioning input is refused, then the problem’s detail is shown and no number is added', async () => {
    const card = page.locator(`#pools .pool[data-pool-id="${site.poolId}"]`);
    await card.locator('input[name="areaCode"]').fill('12a');
    await card.locator('button[type="submit"]').click();

    await card.locator('.provision-result', { hasText: 'Not provisioned' }).waitFor();
    expect(await card.locator('.provision-result').innerText()).toMatch(/areaCode: must be 2 to 4 digits/);
    expect((await adminApi(t).get(`/v1/pools/${site.poolId}/numbers`).expect(200)).body.data).toHaveLength(5);
  });

  it('when Sign out is clicked, then the key is forgotten and the login form is back', async () => {
    await page.click('#sign-out');

    await page.locator('#login-view').waitFor({ state: 'visible' });
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await page.locator('#app-view').isHidden()).toBe(true);
  });

  it('when the key is revoked while signed in, then the next request sends the user back to the login form with a clear message', async () => {
    await page.fill('#api-key', ownerKey.key);
    await page.click('#sign-in');
    // Signed in again, the page reopens the tab last shown (pools) for the site; the calls tab is not loaded yet.
    await page.locator(`#pools .pool[data-pool-id="${site.poolId}"] .advice-text`).waitFor();
    await adminApi(t).delete(`/v1/api-keys/${ownerKey.id}`).expect(200);

    await page.click('#tab-button-calls');

    await page.locator('#login-error', { hasText: 'no longer accepts this key' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    screenshots.push(await screenshot(page, 'signed-out'));
  });

  it('when the session is over, then the page broke no policy, asked nothing of another origin, and every refusal was an expected one', () => {
    expect(problems).toEqual([]);
    // 401: the wrong and the revoked key. 404: list routes this server may not have (the page then finds
    // sites and pools through calls). 400: the refused provisioning.
    const expected = /^(GET 401 \/v1\/(clients|calls|sites\/.+|reports\/calls)|GET 404 \/v1\/(sites|pools)|POST 400 \/v1\/pools\/[^/]+\/numbers)$/;
    expect(refused.filter((r) => !expected.test(r))).toEqual([]);
    expect(refused.filter((r) => r.startsWith('GET 401'))).not.toHaveLength(0);
  });

  it('when the run is over, then every screenshot was saved as a test artifact and is not empty', () => {
    expect(screenshots.map((f) => path.basename(f))).toEqual(['dashboard-login-error.png', 'dashboard-overview.png', 'dashboard-call-journey.png', 'dashboard-pools.png', 'dashboard-provisioned.png', 'dashboard-signed-out.png']);
    for (const file of screenshots) expect(statSync(file).size).toBeGreaterThan(1000);
  });
});
