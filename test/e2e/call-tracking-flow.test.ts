import request from 'supertest';
import { startTestApp, TEST_ADMIN_KEY, type Backend, type TestApp } from '../support/test-app';
import { FIXTURE_CALLER, newCallSid, sendSignedWebhook } from '../support/twilio-webhooks';
import { hasPostgres, hasRedis } from '../support/test-env';
import { BROWSER_USER_AGENT } from '../support/user-agents';

const admin = (t: TestApp) => ({
  post: (path: string, body: object) => request(t.app).post(path).set('Authorization', `Bearer ${TEST_ADMIN_KEY}`).send(body),
  get: (path: string) => request(t.app).get(path).set('Authorization', `Bearer ${TEST_ADMIN_KEY}`),
});

const backends: [Backend, boolean][] = [
  ['real', hasPostgres() && hasRedis()],
  ['embedded', true],
];

describe.each(backends)('the whole call-tracking path on %s backends', (backend, available) => {
  const maybe = available ? it : it.skip;
  let t: TestApp;

  beforeAll(async () => {
    if (available) t = await startTestApp(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  maybe('when a visitor from a Google Ads click calls the number they were shown, then the call is forwarded and attributed with its duration and source', async () => {
    const api = admin(t);
    // Arrange: client, site with tracking on, pool with three numbers.
    const client = await api.post('/v1/clients', { name: 'Acme Plumbing' }).expect(201);
    const site = await api
      .post('/v1/sites', { clientId: client.body.id, name: 'Acme', domains: ['shop.example'], trackingEnabled: true, swapTargets: ['+442079460000'] })
      .expect(201);
    expect(site.body.scriptUrl).toBe(`https://calls.example.test/t/${site.body.siteKey}.js`);
    const pool = await api.post('/v1/pools', { siteId: site.body.id, name: 'Main', forwardTo: '+442079460999' }).expect(201);
    const provisioned = await api.post(`/v1/pools/${pool.body.id}/numbers`, { count: 3, country: 'GB' }).expect(201);
    expect(provisioned.body.numbers).toHaveLength(3);

    // Act 1: a visit from a paid Google click leases a number.
    const visit = await request(t.app)
      .post(`/t/${site.body.siteKey}/visits`)
      .set('Origin', 'https://shop.example')
      .set('User-Agent', BROWSER_USER_AGENT)
      .send({ url: 'https://shop.example/boilers?utm_source=google&utm_medium=cpc&utm_campaign=winter&gclid=abc123', referrer: 'https://www.google.com/' })
      .expect(200);
    expect(visit.headers['access-control-allow-origin']).toBe('https://shop.example');
    const shown = visit.body.number.e164 as string;
    expect(provisioned.body.numbers.map((n: { e164: string }) => n.e164)).toContain(shown);

    // The same visit asking again keeps its number.
    const again = await request(t.app).post(`/t/${site.body.siteKey}/visits`).set('User-Agent', BROWSER_USER_AGENT).send({ visitorId: visit.body.visitorId, visitId: visit.body.visitId, url: 'https://shop.example/contact' }).expect(200);
    expect(again.body.visitId).toBe(visit.body.visitId);
    expect(again.body.number.e164).toBe(shown);
    expect(again.body.leaseToken).toBe(visit.body.leaseToken);

    // Act 2: the visitor dials; Twilio sends the voice webhook, the dial outcome and the status callback.
    t.clock.advance(60_000);
    const callSid = newCallSid();
    const common = { AccountSid: `AC${'0'.repeat(32)}`, CallSid: callSid, From: FIXTURE_CALLER, To: shown, Direction: 'inbound', ApiVersion: '2010-04-01' };
    const voice = await sendSignedWebhook(t.app, '/webhooks/twilio/voice', { ...common, CallStatus: 'ringing' }).expect(200);
    expect(voice.headers['content-type']).toMatch(/text\/xml/);
    expect(voice.text).toMatch(/<Number[^>]*>\+442079460999<\/Number>/);
    expect(voice.text).toContain(`callerId="${FIXTURE_CALLER}"`);
    expect(voice.text).toContain('action="https://calls.example.test/webhooks/twilio/dial"');

    await sendSignedWebhook(t.app, '/webhooks/twilio/dial', { ...common, CallStatus: 'in-progress', DialCallStatus: 'completed', DialCallDuration: '47', DialCallSid: newCallSid() }).expect(200);
    const completed = { ...common, CallStatus: 'completed', CallDuration: '56', SequenceNumber: '0', Timestamp: 'Mon, 30 Nov 2026 10:02:00 +0000' };
    await sendSignedWebhook(t.app, '/webhooks/twilio/status', completed).expect(204);
    // A retried delivery of the same event changes nothing.
    await sendSignedWebhook(t.app, '/webhooks/twilio/status', completed).expect(204);

    // Assert: the call reads back attributed, with duration and the visit's marketing source.
    const calls = await api.get(`/v1/calls?siteId=${site.body.id}`).expect(200);
    expect(calls.body.data).toHaveLength(1);
    expect(calls.body.nextCursor).toBeNull();
    const call = calls.body.data[0];
    expect(call).toMatchObject({
      callSid,
      from: FIXTURE_CALLER,
      to: shown,
      status: 'completed',
      durationSeconds: 56,
      talkSeconds: 47,
      dialStatus: 'completed',
      forwardedTo: '+442079460999',
      visitId: visit.body.visitId,
      attribution: 'lease',
      source: 'google',
      medium: 'cpc',
      campaign: 'winter',
      gclid: 'abc123',
      referrer: 'https://www.google.com/',
    });
    expect(call.endedAt).toBe('2026-11-30T10:02:00.000Z');
    const one = await api.get(`/v1/calls/${call.id}`).expect(200);
    // The call as listed, plus the visitor's journey (test/e2e/call-journey.test.ts checks it in depth).
    expect(one.body).toEqual({ ...call, journey: expect.any(Array) });
    expect(one.body.journey.map((v: { visitId: string }) => v.visitId)).toEqual([visit.body.visitId]);

    // The lease reached the lease history.
    await t.container.leaseHistory.flush();
    const history = await t.container.db.query<{ visit_id: string }>('SELECT visit_id FROM leases WHERE pool_id = $1', [pool.body.id]);
    expect(history.rows.map((r) => r.visit_id)).toEqual([visit.body.visitId]);
  });
});
