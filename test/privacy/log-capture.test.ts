import request from 'supertest';
import { formatInternational, formatNational } from '../../src/shared/phone';
import { captureLogs, type LogCapture } from '../support/log-capture';
import { startTestApp, TEST_ADMIN_KEY, TEST_AUTH_TOKEN, type TestApp } from '../support/test-app';
import { FIXTURE_CALLER, newCallSid, sendSignedWebhook } from '../support/twilio-webhooks';
import { BROWSER_USER_AGENT } from '../support/user-agents';
import { TEST_PERSONAL_DATA_ENV } from '../support/personal-data';

const FORWARD_TO = '+441134960999';
const SWAP_TARGET = '+441134960000';
const UNKNOWN_TRACKING_NUMBER = '+441134960555';
const VISITOR_IP = '203.0.113.57';

/** Every way a number could appear in a log line in clear: E.164, bare digits, national and international display forms. */
function clearForms(e164: string): string[] {
  const digits = e164.slice(1);
  const national = formatNational(e164);
  return [e164, digits, digits.slice(2), national, national.replace(/\s/g, ''), formatInternational(e164)];
}

/**
 * What an operator's log shows after a whole call: every request of the flow runs with debug logging
 * through the production redaction, and not one phone number, IP or secret may be readable.
 */
describe('logs written during a whole call flow', () => {
  let t: TestApp;
  let capture: LogCapture;
  let trackingNumber: string;
  let visitorId: string;
  let visitId: string;

  beforeAll(async () => {
    t = await startTestApp('embedded');
    capture = captureLogs('debug');
    const admin = {
      post: (path: string, body: object) => request(t.app).post(path).set('Authorization', `Bearer ${TEST_ADMIN_KEY}`).send(body),
      get: (path: string) => request(t.app).get(path).set('Authorization', `Bearer ${TEST_ADMIN_KEY}`),
    };

    const client = await admin.post('/v1/clients', { name: 'Privacy Plumbing' }).expect(201);
    const site = await admin.post('/v1/sites', { clientId: client.body.id, name: 'Privacy', domains: ['shop.example'], trackingEnabled: true, swapTargets: [SWAP_TARGET] }).expect(201);
    const pool = await admin.post('/v1/pools', { siteId: site.body.id, name: 'Main', forwardTo: FORWARD_TO }).expect(201);
    await admin.post(`/v1/pools/${pool.body.id}/numbers`, { count: 2, country: 'GB' }).expect(201);
    const visit = await request(t.app)
      .post(`/t/${site.body.siteKey}/visits`)
      .set('X-Forwarded-For', VISITOR_IP)
      .set('User-Agent', BROWSER_USER_AGENT)
      .send({ url: 'https://shop.example/?utm_source=google&utm_medium=cpc', referrer: 'https://www.google.com/' })
      .expect(200);
    trackingNumber = visit.body.number.e164;
    visitorId = visit.body.visitorId;
    visitId = visit.body.visitId;
    // The visit id travels in request paths: the access log must not show it.
    await request(t.app).post(`/t/${site.body.siteKey}/visits/${visitId}/heartbeat`).send({ leaseToken: visit.body.leaseToken }).expect(200);
    await request(t.app).post(`/t/${site.body.siteKey}/visits/${visitId}/pageviews`).send({ url: 'https://shop.example/boilers' }).expect(204);

    t.clock.advance(30_000);
    const common = { AccountSid: `AC${'0'.repeat(32)}`, CallSid: newCallSid(), From: FIXTURE_CALLER, To: trackingNumber, Direction: 'inbound' };
    await sendSignedWebhook(t.app, '/webhooks/twilio/voice', { ...common, CallStatus: 'ringing' }).expect(200);
    await sendSignedWebhook(t.app, '/webhooks/twilio/dial', { ...common, DialCallStatus: 'completed', DialCallDuration: '41', DialCallSid: newCallSid() }).expect(200);
    await sendSignedWebhook(t.app, '/webhooks/twilio/status', { ...common, CallStatus: 'completed', CallDuration: '45', SequenceNumber: '0' }).expect(204);
    // A call to a number we do not route, which the service logs (with the number masked).
    await sendSignedWebhook(t.app, '/webhooks/twilio/voice', { ...common, CallSid: newCallSid(), To: UNKNOWN_TRACKING_NUMBER, CallStatus: 'ringing' }).expect(200);
    // A request whose path carries a number, as a scanner or a mistyped client might send.
    await admin.get(`/v1/numbers/${encodeURIComponent(FIXTURE_CALLER)}`).expect(404);
    // Data-subject requests name the person: by phone number and by cookie id.
    const access = await admin.post('/v1/privacy/requests', { clientId: client.body.id, type: 'access', subject: { phone: FIXTURE_CALLER } }).expect(201);
    await admin.get(`/v1/privacy/requests/${access.body.id}/export?format=json`).expect(200);
    await admin.post('/v1/privacy/requests', { clientId: client.body.id, type: 'access', subject: { visitorId } }).expect(201);
    await admin.post('/v1/privacy/requests', { clientId: client.body.id, type: 'access', subject: { phone: 'not a number' } }).expect(400);
    const calls = await admin.get(`/v1/calls?siteId=${site.body.id}`).expect(200);
    expect(calls.body.data).toEqual([expect.objectContaining({ from: FIXTURE_CALLER, to: trackingNumber, forwardedTo: FORWARD_TO, attribution: 'lease' })]);
  });

  afterAll(async () => {
    capture?.restore();
    await t?.close();
  });

  it('when the flow has run, then the log recorded it (routing decisions and request ids included)', () => {
    const entries = capture.entries();

    expect(entries.filter((e) => e.module === 'access').length).toBeGreaterThanOrEqual(10);
    expect(entries.every((e) => e.module !== 'access' || typeof e.requestId === 'string')).toBe(true);
    expect(entries).toContainEqual(expect.objectContaining({ message: 'call routed', attribution: 'lease', requestId: expect.any(String) }));
    expect(entries).toContainEqual(expect.objectContaining({ message: 'call to a number with no route', to: expect.stringMatching(/^\+44\*+0555$/) }));
  });

  it.each([
    ['the caller number', () => FIXTURE_CALLER],
    ['the tracking number', () => trackingNumber],
    ['the forwarding number', () => FORWARD_TO],
    ['the unrouted tracking number', () => UNKNOWN_TRACKING_NUMBER],
  ])('when the flow has run, then %s appears in no form in clear', (_label, number) => {
    const log = capture.lines.join('\n');

    for (const form of clearForms(number())) expect(log).not.toContain(form);
  });

  it('when the flow has run, then neither the admin key, the Twilio auth token nor the visitor IP appears', () => {
    const log = capture.lines.join('\n');

    expect(log).not.toContain(TEST_ADMIN_KEY);
    expect(log).not.toContain(TEST_AUTH_TOKEN);
    expect(log).not.toContain(VISITOR_IP);
  });

  it('when the flow has run, then neither cookie id (visitor, visit) nor a personal-data key appears', () => {
    const log = capture.lines.join('\n');

    expect(log).not.toContain(visitorId);
    expect(log).not.toContain(visitId);
    for (const key of Object.values(TEST_PERSONAL_DATA_ENV)) expect(log).not.toContain(key.replace(/^test1:/, ''));
    expect(capture.entries()).toContainEqual(expect.objectContaining({ message: 'privacy request carried out', type: 'access' }));
  });
});
