import request from 'supertest';
import type { TestApp } from './test-app';
import { FORWARD_TO, WEBHOOKS, adminApi, inboundCall, twilioFixture, type TrackedSite } from './fixtures';
import { newCallSid, sendSignedWebhook } from './twilio-webhooks';
import { BROWSER_USER_AGENT } from './user-agents';

/**
 * Arrange steps for the data-subject request suites: a person who calls (from a number of their own)
 * and browses (from an IP of their own) the sites of one or more clients.
 */

export const ORIGIN = 'https://shop.example';
/** Documentation range (RFC 5737), never a real visitor. */
export const VISITOR_IP = '203.0.113.57';
export const CALLER_NAME = 'Jane Example';
export const GOOGLE_ADS_VISIT = { url: 'https://shop.example/boilers?utm_source=google&utm_medium=cpc', referrer: 'https://www.google.com/' };
const NUMBER_STATUS = '/webhooks/twilio/number-status';

export interface PlacedCall {
  callSid: string;
  /** calls.id, as the admin API names the call. */
  id: string;
  /** CallSid of the forwarded leg. */
  legSid: string;
  /** The TwiML answer to the voice webhook. */
  twiml: string;
}

/**
 * A call from `from` to the tracking number `to`, as Twilio reports it: the voice webhook (with the
 * caller's name and city), the forwarded leg's progress, the dial outcome and the final status.
 * The call lasts 56 s, 47 s of them talking.
 */
export async function answeredCall(t: TestApp, to: string, from: string, extra: Record<string, string> = {}): Promise<PlacedCall> {
  const voice: Record<string, string> = { ...inboundCall(to), From: from, Caller: from, CallerName: CALLER_NAME, FromCity: 'London', ...extra };
  const routed = await sendSignedWebhook(t.app, WEBHOOKS.voice, voice).expect(200);
  const legSid = newCallSid();
  const leg = { AccountSid: voice.AccountSid, CallSid: legSid, ParentCallSid: voice.CallSid, Direction: 'outbound-dial', From: from, To: FORWARD_TO };
  for (const [seq, status] of ['ringing', 'in-progress', 'completed'].entries()) {
    const duration: Record<string, string> = status === 'completed' ? { CallDuration: '47' } : {};
    await sendSignedWebhook(t.app, NUMBER_STATUS, { ...leg, CallStatus: status, SequenceNumber: String(seq), ...duration }).expect(204);
  }
  const caller = { CallSid: voice.CallSid, To: to, Called: to, From: from, Caller: from };
  await sendSignedWebhook(t.app, WEBHOOKS.dial, { ...twilioFixture('dial-action'), ...caller, DialCallSid: legSid, DialCallStatus: 'completed', DialCallDuration: '47' }).expect(200);
  // The recorded Timestamp is left out: the status is dated by the test clock, as the call was.
  const completed: Record<string, string> = { ...twilioFixture('call-status-completed'), ...caller, CallDuration: '56' };
  delete completed.Timestamp;
  await sendSignedWebhook(t.app, WEBHOOKS.status, completed).expect(204);
  return { callSid: voice.CallSid, id: await callIdOf(t, voice.CallSid), legSid, twiml: routed.text };
}

export async function callIdOf(t: TestApp, callSid: string): Promise<string> {
  const { rows } = await t.container.db.query<{ id: string }>('SELECT id FROM calls WHERE call_sid = $1', [callSid]);
  expect(rows).toHaveLength(1);
  return rows[0].id;
}

export interface TrackedVisitor {
  visitorId: string;
  visitId: string;
  number: { e164: string };
  leaseToken: string;
}

/**
 * A visitor from Google Ads (at VISITOR_IP unless told otherwise) who is shown a number and reads a
 * second page; with `visitorId`, the same browser coming back (or the same cookie id seen at another
 * client's site).
 */
export async function trackedVisitor(t: TestApp, site: TrackedSite, opts: { visitorId?: string; ip?: string } = {}): Promise<TrackedVisitor> {
  const res = await request(t.app)
    .post(`/t/${site.siteKey}/visits`)
    .set('Origin', ORIGIN)
    .set('User-Agent', BROWSER_USER_AGENT)
    .set('X-Forwarded-For', opts.ip ?? VISITOR_IP)
    .send({ ...GOOGLE_ADS_VISIT, ...(opts.visitorId ? { visitorId: opts.visitorId } : {}) })
    .expect(200);
  expect(res.body.number).not.toBeNull();
  await request(t.app)
    .post(`/t/${site.siteKey}/visits/${res.body.visitId}/pageviews`)
    .set('Origin', ORIGIN)
    .type('text/plain')
    .send(JSON.stringify({ url: 'https://shop.example/contact' }))
    .expect(204);
  return res.body as TrackedVisitor;
}

/** The script keeping its number while the page stays open: the answer's status (200 kept, 409 lost). */
export async function heartbeat(t: TestApp, site: TrackedSite, visitor: TrackedVisitor): Promise<number> {
  const res = await request(t.app).post(`/t/${site.siteKey}/visits/${visitor.visitId}/heartbeat`).set('Origin', ORIGIN).type('text/plain').send(JSON.stringify({ leaseToken: visitor.leaseToken }));
  return res.status;
}

/** The consent banner's answer, as the tracking script reports it. */
export async function recordConsent(t: TestApp, site: TrackedSite, visitorId: string, state: 'given' | 'withdrawn'): Promise<void> {
  await request(t.app).post(`/t/${site.siteKey}/consent`).set('Origin', ORIGIN).type('text/plain').send(JSON.stringify({ visitorId, state })).expect(204);
}

/** What Postgres holds for one visit, once everything on its way there has arrived. */
export async function rowsOfVisit(t: TestApp, visitId: string): Promise<{ visits: number; pageViews: number; leases: number }> {
  await Promise.all([t.container.leaseHistory.flush(), t.container.pageViews.flush()]);
  const count = async (table: string) => (await t.container.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${table === 'visits' ? 'id' : 'visit_id'} = $1`, [visitId])).rows[0].n;
  return { visits: await count('visits'), pageViews: await count('page_views'), leases: await count('leases') };
}

export const privacyApi = (t: TestApp) => ({
  submit: (body: unknown) => adminApi(t).post('/v1/privacy/requests', body),
  exportOf: (requestId: string, format: 'json' | 'csv' = 'json') => adminApi(t).get(`/v1/privacy/requests/${requestId}/export?format=${format}`),
});

/** A request the service must accept; its view as answered. */
export async function carriedOut(t: TestApp, body: Record<string, unknown>): Promise<{ id: string; [field: string]: unknown }> {
  return (await privacyApi(t).submit(body).expect(201)).body as { id: string };
}
