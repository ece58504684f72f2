import { createHash } from 'node:crypto';
import request from 'supertest';
import { TEST_BASE_URL } from '../support/test-app';
import { sendSignedWebhook } from '../support/twilio-webhooks';
import { WEBHOOKS, adminApi, createTrackedSite, expectProblem, inboundCall, useTestApp } from '../support/fixtures';
import { BROWSER_USER_AGENT } from '../support/user-agents';

/** Headers every response carries (helmet), whatever the route. */
function expectSecurityHeaders(res: request.Response): void {
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d{7,}; includeSubDomains$/);
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(res.headers['x-dns-prefetch-control']).toBe('off');
  expect(res.headers['x-permitted-cross-domain-policies']).toBe('none');
  expect(res.headers['x-powered-by']).toBeUndefined();
}

/** The directives of a Content-Security-Policy header, by name. */
function directives(csp: string): Record<string, string[]> {
  return Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
}

// Headers do not depend on the storage backend: the embedded one is enough (it also serves the demo page).
describe('security headers', () => {
  const app = useTestApp('embedded', true);

  it('when the admin API or a health check answers, then it carries the security headers and a CSP that lets nothing load', async () => {
    const responses = [await adminApi(app()).get('/v1/clients').expect(200), await request(app().app).get('/healthz').expect(200)];

    for (const res of responses) {
      expectSecurityHeaders(res);
      expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
      expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('when an error is answered, then the problem document carries the security headers too', async () => {
    const res = await request(app().app).get('/v1/no-such-thing');

    expect(res.status).toBeGreaterThanOrEqual(400);
    expectSecurityHeaders(res);
  });

  it('when a client site loads /t/{siteKey}.js, then it may be embedded cross-origin and still carries the security headers', async () => {
    const { siteKey } = await createTrackedSite(app());

    const res = await request(app().app).get(`/t/${siteKey}.js`).set('Referer', 'https://shop.example/').expect(200);

    expect(res.headers['content-type']).toMatch(/^application\/javascript/);
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expectSecurityHeaders(res);
    // Loaded by a <script> tag from any page: outside the CORS check, as before.
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('when a registered domain calls the tracking API, then CORS allows it as before and the answer may be read cross-origin', async () => {
    const { siteKey } = await createTrackedSite(app(), { domains: ['shop.example'] });

    const allowed = await request(app().app).post(`/t/${siteKey}/visits`).set('User-Agent', BROWSER_USER_AGENT).set('Origin', 'https://shop.example').send({ url: 'https://shop.example/' });
    const other = await request(app().app).post(`/t/${siteKey}/visits`).set('User-Agent', BROWSER_USER_AGENT).set('Origin', 'https://elsewhere.example').send({ url: 'https://shop.example/' });

    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect(allowed.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expectProblem(other, 403);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('when Twilio calls a webhook, then the TwiML answer carries the security headers', async () => {
    const { numbers } = await createTrackedSite(app());

    const res = await sendSignedWebhook(app().app, WEBHOOKS.voice, inboundCall(numbers[0])).expect(200);

    expectSecurityHeaders(res);
    expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
  });

  it('when the demo page is served, then its CSP allows exactly its own inline scripts and styles, its tracking script and the API', async () => {
    const res = await request(app().app).get('/demo/').expect(200);

    expectSecurityHeaders(res);
    const csp = directives(res.headers['content-security-policy']);
    const hashes = (tag: string) =>
      [...res.text.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => `'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`);
    expect(hashes('script')).toHaveLength(2);
    expect(csp['script-src']).toEqual(["'self'", ...hashes('script')]);
    expect(csp['style-src']).toEqual(["'self'", ...hashes('style')]);
    expect(csp['connect-src']).toEqual(["'self'", new URL(TEST_BASE_URL).origin]);
    expect(csp['default-src']).toEqual(["'self'"]);
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(JSON.stringify(csp)).not.toContain('unsafe');
  });
});
