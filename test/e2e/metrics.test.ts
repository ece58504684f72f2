import request from 'supertest';
import { BACKENDS, createTrackedSite, expectProblem, FORWARD_TO, placeCall, registerVisit, SITE_NUMBER, twilioFixture, visitWithNumber, WEBHOOKS } from '../support/fixtures';
import { startTestApp, type Backend, type TestApp } from '../support/test-app';
import { FIXTURE_CALLER, sendSignedWebhook } from '../support/twilio-webhooks';
import { parsePrometheus, sampleValue, type Sample } from '../support/prometheus-text';
import { metricsListenerApp } from '../../src/metrics/metrics-routes';

const TOKEN = 'metrics-scraper-token-0123456789abcdef';

/** Starts the app once per describe block with the given extra environment, closing it afterwards. */
function useApp(backend: Backend, available: boolean, env: Record<string, string>): () => TestApp {
  let t: TestApp | undefined;
  beforeAll(async () => {
    if (available) t = await startTestApp(backend, env);
  });
  afterAll(async () => {
    await t?.close();
  });
  return () => {
    if (!t) throw new Error('the test app did not start');
    return t;
  };
}

async function scrape(t: TestApp): Promise<Sample[]> {
  const res = await request(t.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(res.text);
}

const heartbeat = (t: TestApp, siteKey: string, visitId: string, leaseToken: string) =>
  request(t.app).post(`/t/${siteKey}/visits/${visitId}/heartbeat`).set('Origin', 'https://shop.example').send({ leaseToken });

describe.each(BACKENDS)('GET /metrics with METRICS_TOKEN (%s backend)', (backend, available) => {
  const maybe = available ? it : it.skip;
  const app = useApp(backend, available, { METRICS_TOKEN: TOKEN });

  maybe('when a visit leases a number, keeps it and the number is called, then every counter, histogram and gauge moves by exactly that', async () => {
    const t = app();
    const site = await createTrackedSite(t);
    const before = await scrape(t);

    const visit = await visitWithNumber(t, site.siteKey);
    await heartbeat(t, site.siteKey, visit.visitId, visit.leaseToken).expect(200);
    const { callSid } = await placeCall(t, visit.number.e164);
    const completed = { ...twilioFixture('call-status-completed'), CallSid: callSid, To: visit.number.e164, Called: visit.number.e164 };
    await sendSignedWebhook(t.app, WEBHOOKS.status, completed).expect(204);
    await request(t.app).post(WEBHOOKS.status).type('form').send(completed).expect(403);
    const after = await scrape(t);

    const moved = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(moved('ct_leases_total', { outcome: 'granted' })).toBe(1);
    expect(moved('ct_leases_total', { outcome: 'error' })).toBe(0);
    expect(moved('ct_heartbeats_total', { outcome: 'renewed' })).toBe(1);
    expect(moved('ct_heartbeats_total', { outcome: 'lost' })).toBe(0);
    expect(moved('ct_call_webhooks_total', { kind: 'voice', outcome: 'stored' })).toBe(1);
    expect(moved('ct_call_webhooks_total', { kind: 'status', outcome: 'stored' })).toBe(1);
    expect(moved('ct_call_webhooks_total', { kind: 'status', outcome: 'rejected' })).toBe(1);
    expect(moved('ct_call_attributions_total', { method: 'lease' })).toBe(1);
    const requests = (method: string, route: string, status: string) => moved('ct_http_request_duration_seconds_count', { method, route, status });
    expect(requests('POST', '/t/:siteKey/visits', '200')).toBe(1);
    expect(requests('POST', '/t/:siteKey/visits/:visitId/heartbeat', '200')).toBe(1);
    expect(requests('POST', '/webhooks/twilio/voice', '200')).toBe(1);
    expect(requests('POST', '/webhooks/twilio/status', '204')).toBe(1);
    expect(requests('POST', '/webhooks/twilio/status', '403')).toBe(1);
    expect(sampleValue(after, 'ct_pool_numbers', { pool_id: site.poolId as string, state: 'leased' })).toBe(1);
    expect(sampleValue(after, 'ct_pool_numbers', { pool_id: site.poolId as string, state: 'available' })).toBe(0);
    expect(sampleValue(after, 'ct_pool_utilisation_ratio', { pool_id: site.poolId as string })).toBe(1);
    expect(sampleValue(after, 'ct_metrics_source_up', { source: 'pools' })).toBe(1);
    expect(sampleValue(after, 'ct_metrics_source_up', { source: 'call_queue' })).toBe(1);
  });

  maybe('when every number is leased, then the next visit counts as exhausted for its pool', async () => {
    const t = app();
    const site = await createTrackedSite(t);
    await visitWithNumber(t, site.siteKey);
    const before = await scrape(t);

    const second = await registerVisit(t, site.siteKey, { url: 'https://shop.example/' }).expect(200);
    const after = await scrape(t);

    expect(second.body.number).toBeNull();
    expect(sampleValue(after, 'ct_leases_total', { outcome: 'exhausted' }) - sampleValue(before, 'ct_leases_total', { outcome: 'exhausted' })).toBe(1);
    expect(sampleValue(after, 'ct_pool_exhausted_total', { pool_id: site.poolId as string }) - sampleValue(before, 'ct_pool_exhausted_total', { pool_id: site.poolId as string })).toBe(1);
  });

  maybe('when requests carried site keys, visit ids, phone numbers and addresses, then no label value holds any of them', async () => {
    const t = app();
    const site = await createTrackedSite(t);
    const registered = await registerVisit(t, site.siteKey, { url: 'https://shop.example/?utm_source=news' }).set('X-Forwarded-For', '203.0.113.77').expect(200);
    const visit = registered.body as { visitId: string; visitorId: string; leaseToken: string; number: { e164: string } };
    await heartbeat(t, site.siteKey, visit.visitId, visit.leaseToken).expect(200);
    const { callSid } = await placeCall(t, visit.number.e164);
    await request(t.app).get(`/no/such/${visit.visitId}/${encodeURIComponent(FIXTURE_CALLER)}`).expect(404);

    const labelValues = (await scrape(t)).flatMap((s) => Object.entries(s.labels).filter(([key]) => key !== 'pool_id').map(([, value]) => value));

    const secrets = [site.siteKey, visit.visitId, visit.visitorId, callSid, TOKEN, FIXTURE_CALLER, FORWARD_TO, SITE_NUMBER, ...site.numbers, '203.0.113.77', '127.0.0.1'];
    for (const value of labelValues) {
      for (const secret of secrets) expect(value).not.toContain(secret);
      expect(value).not.toMatch(/\d{7,}/);
      expect(value).not.toMatch(/\b\d{1,3}(\.\d{1,3}){3}\b|::/);
    }
    const routes = new Set((await scrape(t)).filter((s) => s.name === 'ct_http_request_duration_seconds_count').map((s) => s.labels.route));
    expect(routes).toContain('unmatched');
    expect(routes).toContain('/v1/pools/:poolId/numbers');
    for (const route of routes) expect(route).toMatch(/^(unmatched|(\/[A-Za-z0-9._-]*|\/:[A-Za-z]+(\.js)?)+)$/);
  });

  maybe('when the scraper sends no token or a wrong one, then it gets a 401 problem and no metrics', async () => {
    const t = app();

    const missing = await request(t.app).get('/metrics');
    const wrong = await request(t.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}x`);
    const basic = await request(t.app).get('/metrics').set('Authorization', `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`);

    for (const res of [missing, wrong, basic]) {
      expectProblem(res, 401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.text).not.toContain('ct_leases_total');
    }
  });

  maybe('when the private METRICS_PORT listener is asked, then it serves the same metrics without a token', async () => {
    const t = app();

    const res = await request(metricsListenerApp(t.container.metrics)).get('/metrics').expect(200);

    expect(sampleValue(parsePrometheus(res.text), 'ct_leases_total', { outcome: 'granted' })).toBeGreaterThan(0);
    await request(metricsListenerApp(t.container.metrics)).get('/v1/pools').expect(404);
  });
});

// Whether /metrics is mounted depends on configuration only, not on the backends.
describe('GET /metrics without METRICS_TOKEN', () => {
  const app = useApp('embedded', true, {});

  it('when no token is configured, then the main port has no /metrics at all', async () => {
    const res = await request(app().app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);

    expectProblem(res, 404);
  });
});
