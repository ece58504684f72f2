import { readFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import type { Response } from 'supertest';
import { startTestApp, TEST_ADMIN_KEY, type Backend, type TestApp } from './test-app';
import { hasPostgres, hasRedis } from './test-env';
import { newCallSid, sendSignedWebhook } from './twilio-webhooks';
import { BROWSER_USER_AGENT } from './user-agents';

/**
 * Shared Arrange steps for the e2e suites: the backends to run on, the admin API, a tracked site
 * with a pool of fictional numbers, visits and calls. Numbers are from ranges reserved for drama.
 */

/** 'real' = this machine's Postgres and Redis (only when both answer); 'embedded' = PGlite + in-process pool. */
export const BACKENDS: [Backend, boolean][] = [
  ['real', hasPostgres() && hasRedis()],
  ['embedded', true],
];

/** The client's own line that calls are forwarded to (0113 496 0999). */
export const FORWARD_TO = '+441134960999';
/** The number printed on the client's site, which the script swaps (0113 496 0000). */
export const SITE_NUMBER = '+441134960000';
/** A number this service never provisions (US 555-0199). */
export const UNKNOWN_NUMBER = '+12125550199';

export const WEBHOOKS = { voice: '/webhooks/twilio/voice', status: '/webhooks/twilio/status', dial: '/webhooks/twilio/dial' } as const;

/**
 * Starts the app once per describe block on the given backend and closes it afterwards. Every test
 * fails if any request it made was answered with a 5xx: no input may crash a handler.
 */
export function useTestApp(backend: Backend, available: boolean): () => TestApp {
  let t: TestApp | undefined;
  const serverErrors: string[] = [];
  beforeAll(async () => {
    if (!available) return;
    const started = await startTestApp(backend);
    const guarded = express();
    guarded.use((req, res, next) => {
      res.on('finish', () => {
        if (res.statusCode >= 500) serverErrors.push(`${req.method} ${req.originalUrl} -> ${res.statusCode}`);
      });
      next();
    });
    guarded.use(started.app);
    t = { ...started, app: guarded };
  });
  afterEach(() => {
    expect(serverErrors.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await t?.close();
  });
  return () => {
    if (!t) throw new Error('the test app did not start');
    return t;
  };
}

export function adminApi(t: TestApp) {
  const auth = `Bearer ${TEST_ADMIN_KEY}`;
  return {
    post: (url: string, body: unknown) => request(t.app).post(url).set('Authorization', auth).send(body as object),
    patch: (url: string, body: unknown) => request(t.app).patch(url).set('Authorization', auth).send(body as object),
    get: (url: string) => request(t.app).get(url).set('Authorization', auth),
    delete: (url: string) => request(t.app).delete(url).set('Authorization', auth),
  };
}

export interface PoolOptions {
  leaseSeconds?: number;
  graceSeconds?: number;
  cooldownSeconds?: number;
  exhaustionPolicy?: 'overflow' | 'recycle';
}

export interface TrackedSiteOptions {
  domains?: string[];
  trackingEnabled?: boolean;
  /** How many numbers to provision; 0 creates no pool at all. */
  numbers?: number;
  pool?: PoolOptions;
}

export interface TrackedSite {
  clientId: string;
  siteId: string;
  siteKey: string;
  poolId: string | null;
  /** Provisioned tracking numbers, E.164. */
  numbers: string[];
}

/** Client, site (tracking on, domain shop.example unless told otherwise), pool, provisioned numbers. */
export async function createTrackedSite(t: TestApp, opts: TrackedSiteOptions = {}): Promise<TrackedSite> {
  const api = adminApi(t);
  const client = await api.post('/v1/clients', { name: 'Acme Plumbing' }).expect(201);
  const site = await api
    .post('/v1/sites', {
      clientId: client.body.id,
      name: 'Acme',
      domains: opts.domains ?? ['shop.example'],
      trackingEnabled: opts.trackingEnabled ?? true,
      swapTargets: [SITE_NUMBER],
    })
    .expect(201);
  const count = opts.numbers ?? 1;
  if (count === 0) return { clientId: client.body.id, siteId: site.body.id, siteKey: site.body.siteKey, poolId: null, numbers: [] };
  const pool = await api.post('/v1/pools', { siteId: site.body.id, name: 'Main', forwardTo: FORWARD_TO, ...opts.pool }).expect(201);
  const provisioned = await api.post(`/v1/pools/${pool.body.id}/numbers`, { count, country: 'GB' }).expect(201);
  return {
    clientId: client.body.id,
    siteId: site.body.id,
    siteKey: site.body.siteKey,
    poolId: pool.body.id,
    numbers: provisioned.body.numbers.map((n: { e164: string }) => n.e164),
  };
}

export interface VisitBody {
  url: string;
  referrer?: string;
  visitorId?: string;
  visitId?: string;
  title?: string;
  pageView?: boolean;
}

/** What the tracking script sends when a page loads, from a browser on the site's own origin unless told otherwise. */
export function registerVisit(t: TestApp, siteKey: string, body: VisitBody, origin: string | null = 'https://shop.example') {
  const req = request(t.app).post(`/t/${siteKey}/visits`).set('User-Agent', BROWSER_USER_AGENT);
  if (origin) req.set('Origin', origin);
  return req.send(body);
}

/** A visit that must have been shown a number. */
export async function visitWithNumber(t: TestApp, siteKey: string, body: VisitBody = { url: 'https://shop.example/' }, origin = 'https://shop.example') {
  const res = await registerVisit(t, siteKey, body, origin).expect(200);
  expect(res.body.number).not.toBeNull();
  return res.body as { visitId: string; visitorId: string; number: { e164: string; display: string }; leaseToken: string; leaseExpiresAt: string };
}

/** Twilio's recorded requests (test/fixtures/twilio), form fields as strings. */
export function twilioFixture(name: 'voice-inbound' | 'call-status-completed' | 'dial-action'): Record<string, string> {
  return JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'twilio', `${name}.json`), 'utf8')) as Record<string, string>;
}

/** The recorded voice webhook for a new call to `to`: every field Twilio sends, with a fresh CallSid. */
export function inboundCall(to: string, callSid = newCallSid()): Record<string, string> {
  return { ...twilioFixture('voice-inbound'), CallSid: callSid, To: to, Called: to };
}

/** Matches TwiML that dials `e164` (the <Number> may carry status callback and whisper attributes). */
export function forwardsTo(e164: string): RegExp {
  return new RegExp(`<Dial [^>]*><Number(?: [^>]*)?>${e164.replace('+', '\\+')}</Number></Dial>`);
}

/** Twilio calls our voice URL for a new call to `to`; resolves once the TwiML answer is back. */
export async function placeCall(t: TestApp, to: string): Promise<{ callSid: string; twiml: string }> {
  const params = inboundCall(to);
  const res = await sendSignedWebhook(t.app, WEBHOOKS.voice, params).expect(200);
  return { callSid: params.CallSid, twiml: res.text };
}

export interface CallView {
  id: string;
  callSid: string;
  siteId: string | null;
  status: string;
  durationSeconds: number | null;
  visitId: string | null;
  attribution: string;
  attributionCandidates: { visitId: string; endedAt: string | null }[];
  startedAt: string;
  endedAt: string | null;
  source: string | null;
  medium: string | null;
  [field: string]: unknown;
}

/** The call as the admin API reports it. */
export async function callBySid(t: TestApp, siteId: string, callSid: string): Promise<CallView> {
  const res = await adminApi(t).get(`/v1/calls?siteId=${siteId}&limit=500`).expect(200);
  const found = (res.body.data as CallView[]).filter((c) => c.callSid === callSid);
  expect(found).toHaveLength(1);
  return found[0];
}

/** What the database holds for a CallSid: its call rows and accepted webhook deliveries. */
export async function storedCall(t: TestApp, callSid: string): Promise<{ calls: number; events: number }> {
  const calls = await t.container.db.query<{ n: number }>('SELECT count(*)::int AS n FROM calls WHERE call_sid = $1', [callSid]);
  const events = await t.container.db.query<{ n: number }>('SELECT count(*)::int AS n FROM call_events WHERE call_sid = $1', [callSid]);
  return { calls: calls.rows[0].n, events: events.rows[0].n };
}

/** Every error answer is an RFC 9457 problem document with the status it was sent with. */
export function expectProblem(res: Response, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
}
