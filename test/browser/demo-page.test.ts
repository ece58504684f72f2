import type { Browser } from 'playwright-core';
import { describeIf } from '../support/conditional';
import { chromiumRequirement, launchChromium, listen, type Listening } from '../support/browser';
import { startTestApp, type TestApp } from '../support/test-app';
import { BROWSER_USER_AGENT } from '../support/user-agents';
import { seedDemo } from '../../src/demo/seed-demo';
import { DEMO_PATH } from '../../src/demo/demo-routes';

/**
 * The demo page (/demo/) under its Content-Security-Policy, in Chromium: its inline scripts run, its
 * tracking script loads, registers the visit and swaps the number, and the browser reports no policy
 * violation. The service listens on 127.0.0.1 and calls itself http://localhost:<port>, so the page
 * is opened both from the API's own origin and from another one.
 */
describeIf(chromiumRequirement, 'the demo page in Chromium', () => {
  let t: TestApp;
  let service: Listening;
  let browser: Browser;

  beforeAll(async () => {
    // The public URL must be known before the app is built: listen first, hand requests on once it is.
    service = await listen((req, res) => t.app(req, res), 'localhost');
    t = await startTestApp('embedded', { PUBLIC_BASE_URL: service.origin, SEED_DEMO: 'true' });
    await seedDemo(t.container);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await service?.close();
    await t?.close();
  });

  it.each([
    ['the service’s own origin', () => service.origin],
    ['another origin (127.0.0.1) than the API’s', () => service.origin.replace('localhost', '127.0.0.1')],
  ])('when the demo page is opened from %s, then the number is swapped and nothing breaks the policy', async (_label, origin) => {
    const context = await browser.newContext({ userAgent: BROWSER_USER_AGENT });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(err.message));
      // CSP violations are reported as console errors; a failed request as a response (the browser's own favicon.ico 404 aside).
      page.on('console', (msg) => {
        if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(msg.text());
      });
      page.on('response', (res) => {
        if (res.status() >= 400 && !res.url().endsWith('/favicon.ico')) problems.push(`${res.status()} ${res.url()}`);
      });

      await page.goto(`${origin()}${DEMO_PATH}`);
      await page.waitForFunction(() => document.getElementById('shown')?.textContent !== '(waiting)', undefined, { timeout: 10_000 });

      expect(await page.locator('#shown').innerText()).toMatch(/^020 \d{4} \d{4} \(\+4420\d{8}\)$/);
      expect(await page.locator('header .phone').innerText()).not.toBe('0113 496 0000');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
