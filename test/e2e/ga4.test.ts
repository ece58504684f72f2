import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { adminApi, BACKENDS, createTrackedSite, expectProblem, inboundCall, WEBHOOKS } from '../support/fixtures';
import { startTestApp, type TestApp } from '../support/test-app';
import { testCipher } from '../support/personal-data';
import { newCallSid, sendSignedWebhook, FIXTURE_CALLER } from '../support/twilio-webhooks';
import { BROWSER_USER_AGENT } from '../support/user-agents';
import { PersonalDataCipher } from '../../src/privacy/personal-data-cipher';

/** What GA4's collect endpoint would have received. */
interface Received {
  url: URL;
  contentType: string | undefined;
  body: unknown;
}

/** A stand-in for www.google-analytics.com/mp/collect on 127.0.0.1: records each request, answers 204 like Google. */
async function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ url: new URL(req.url ?? '/', 'http://receiver'), contentType: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mp/collect`, received };
}

const MEASUREMENT_ID = 'G-CALLS12345';
const API_SECRET = 'aBcDeFgHiJkLmNoPqRsTuV';
const GA_CLIENT_ID = '1234567890.1764496000';
const GA_SESSION_ID = '1764496800';

describe.each(BACKENDS)('Google Analytics 4 on %s backends', (backend, available) => {
  const maybe = available ? it : it.skip;
  let t: TestApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    if (!available) return;
    receiver = await startReceiver();
    t = await startTestApp(backend, { GA4_ENDPOINT: receiver.url });
  });
  afterEach(() => {
    receiver?.received.splice(0);
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((resolve) => receiver?.server.close(resolve));
  });

  async function sealedSecretOf(siteId: string): Promise<string | null> {
    const { rows } = await t.container.db.query<{ s: string | null }>('SELECT ga4_api_secret_sealed AS s FROM sites WHERE id = $1', [siteId]);
    return rows[0].s;
  }

  describe('site settings', () => {
    maybe('when GA4 is set on a site, then the site shows it without the secret, which is stored sealed', async () => {
      const { siteId } = await createTrackedSite(t);

      const res = await adminApi(t).patch(`/v1/sites/${siteId}`, { ga4: { measurementId: MEASUREMENT_ID, apiSecret: API_SECRET } }).expect(200);

      expect(res.body.ga4).toEqual({ measurementId: MEASUREMENT_ID, eventName: 'phone_call', enabled: true, apiSecretSet: true });
      const read = await adminApi(t).get(`/v1/sites/${siteId}`).expect(200);
      expect(read.body).toEqual(res.body);
      expect(JSON.stringify(read.body)).not.toContain(API_SECRET);
      const sealed = (await sealedSecretOf(siteId)) as string;
      expect(PersonalDataCipher.isSealed(sealed)).toBe(true);
      expect(testCipher().open(sealed)).toBe(API_SECRET);
    });

    maybe('when a site is created with GA4, then it has it from the start', async () => {
      const owner = await adminApi(t).post('/v1/clients', { name: 'Acme' }).expect(201);

      const res = await adminApi(t)
        .post('/v1/sites', { clientId: owner.body.id, name: 'Acme', domains: ['shop.example'], ga4: { measurementId: MEASUREMENT_ID, apiSecret: API_SECRET, eventName: 'generate_lead', enabled: false } })
        .expect(201);

      expect(res.body.ga4).toEqual({ measurementId: MEASUREMENT_ID, eventName: 'generate_lead', enabled: false, apiSecretSet: true });
    });

    maybe('when GA4 is switched off without giving the secret again, then the secret and event name are kept', async () => {
      const { siteId } = await createTrackedSite(t);
      await adminApi(t).patch(`/v1/sites/${siteId}`, { ga4: { measurementId: MEASUREMENT_ID, apiSecret: API_SECRET, eventName: 'call_completed' } }).expect(200);
      const sealedBefore = await sealedSecretOf(siteId);

      const res = await adminApi(t).patch(`/v1/sites/${siteId}`, { ga4: { measurementId: MEASUREMENT_ID, enabled: false } }).expect(200);

      expect(res.body.ga4).toEqual({ measurementId: MEASUREMENT_ID, eventName: 'call_completed', enabled: false, apiSecretSet: true });
      expect(await sealedSecretOf(siteId)).toBe(sealedBefore);
    });

    maybe('when GA4 is set to null, then the measurement id and secret are forgotten', async () => {
      const { siteId } = await createTrackedSite(t);
      await adminApi(t).patch(`/v1/sites/${siteId}`, { ga4: { measurementId: MEASUREMENT_ID, apiSecret: API_SECRET } }).expect(200);

      const res = await adminApi(t).patch(`/v1/sites/${siteId}`, { ga4: null }).expect(200);

      expect(res.body.ga4).toBeNull();
      expect(await sealedSecretOf(siteId)).toBeNull();
    });

    maybe.each([
      ['a measurement id that is not G-…', { measurementId: 'UA-12345-1', apiSecret: API_SECRET }],
      ['a lower-case measurement id', { measurementId: 'g-calls12345', apiSecret: API_SECRET }],
      ['an API secret with a character that needs escaping', { measurementId: MEASUREMENT_ID, apiSecret: 'abc&def=ghijkl' }],
      ['a reserved event name', { measurementId: MEASUREMENT_ID, apiSecret: API_SECRET, eventName: 'session_start' }],
      ['an event name with a reserved prefix', { measurementId: MEASUREMENT_ID, apiSecret: API_SECRET, eventName: 'google_call' }],
      ['an event name with a space', { measurementId: MEASUREMENT_ID, apiSecret: API_SECRET, eventName: 'phone call' }],
      ['an event name over 40 characters', { measurementId: MEASUREMENT_ID, apiSecret: API_SECRET, eventName: `call_${'x'.repeat(40)}` }],
      ['an unknown field', { measurementId: MEASUREMENT_ID, apiSecret: API_SECRET, propertyId: '123' }],
      ['a new measurement id without its secret', { measurementId: 'G-OTHER98765' }],
      ['a string for enabled', { measurementId: MEASUREMENT_ID, apiSecret: API_SECRET, enabled: 'yes' }],
    ])('when the GA4 settings have %s, then 400 problem and nothing changes', async (_label, ga4) => {
      const { siteId } = await createTrackedSite(t);
      await adminApi(t).patch(`/v1/sites/${siteId}`, { ga4: { measurementId: MEASUREMENT_ID, apiSecret: API_SECRET } }).expect(200);
      const before = (await adminApi(t).get(`/v1/sites/${siteId}`).expect(200)).body;
      const sealedBefore = await sealedSecretOf(siteId);

      expectProblem(await adminApi(t).patch(`/v1/sites/${siteId}`, { ga4 }), 400);

      expect((await adminApi(t).get(`/v1/sites/${siteId}`).expect(200)).body).toEqual(before);
      expect(await sealedSecretOf(siteId)).toBe(sealedBefore);
    });

    maybe('when GA4 is first set up without a secret, then 400 problem', async () => {
      const { siteId } = await createTrackedSite(t);

      expectProblem(await adminApi(t).patch(`/v1/sites/${siteId}`, { ga4: { measurementId: MEASUREMENT_ID } }), 400);
      expect((await adminApi(t).get(`/v1/sites/${siteId}`).expect(200)).body.ga4).toBeNull();
    });
  });

  describe('completed calls', () => {
    /** A visit from a Google Ads click whose page had GA cookies, a call to the number it was shown, answered, then completed. */
    async function answeredCallFromGaVisit(siteKey: string, ga: { gaClientId?: string; gaSessionId?: string }) {
      const visit = await request(t.app)
        .post(`/t/${siteKey}/visits`)
        .set('Origin', 'https://shop.example')
        .set('User-Agent', BROWSER_USER_AGENT)
        .send({ url: 'https://shop.example/boilers?utm_source=google&utm_medium=cpc&utm_campaign=winter&gclid=abc123', ...ga })
        .expect(200);
      await t.container.leaseHistory.flush();
      t.clock.advance(60_000);
      const callSid = newCallSid();
      const shown = visit.body.number.e164 as string;
      await sendSignedWebhook(t.app, WEBHOOKS.voice, inboundCall(shown, callSid)).expect(200);
      const common = { AccountSid: `AC${'0'.repeat(32)}`, CallSid: callSid, From: FIXTURE_CALLER, To: shown, Direction: 'inbound', ApiVersion: '2010-04-01' };
      await sendSignedWebhook(t.app, WEBHOOKS.dial, { ...common, CallStatus: 'in-progress', DialCallStatus: 'completed', DialCallDuration: '47', DialCallSid: newCallSid() }).expect(200);
      const endedAt = new Date(t.clock.now() + 56_000);
      t.clock.advance(56_000);
      await sendSignedWebhook(t.app, WEBHOOKS.status, { ...common, CallStatus: 'completed', CallDuration: '56', SequenceNumber: '0', Timestamp: endedAt.toUTCString() }).expect(204);
      return { visitId: visit.body.visitId as string, callSid, endedAt };
    }

    async function callIdOf(siteId: string, callSid: string): Promise<string> {
      const calls = await adminApi(t).get(`/v1/calls?siteId=${siteId}`).expect(200);
      return (calls.body.data as { id: string; callSid: string }[]).find((c) => c.callSid === callSid)!.id;
    }

    maybe('when a call from a visit with GA cookies completes, then GA4 receives one documented Measurement Protocol event in that GA session, and nothing about the caller', async () => {
      // Arrange
      const { siteId, siteKey } = await createTrackedSite(t);
      await adminApi(t).patch(`/v1/sites/${siteId}`, { ga4: { measurementId: MEASUREMENT_ID, apiSecret: API_SECRET } }).expect(200);

      // Act
      const { callSid, endedAt } = await answeredCallFromGaVisit(siteKey, { gaClientId: GA_CLIENT_ID, gaSessionId: GA_SESSION_ID });
      await t.container.integrations.runNow();

      // Assert
      expect(receiver.received).toHaveLength(1);
      const [hit] = receiver.received;
      expect(hit.url.pathname).toBe('/mp/collect');
      expect(Object.fromEntries(hit.url.searchParams)).toEqual({ measurement_id: MEASUREMENT_ID, api_secret: API_SECRET });
      expect(hit.contentType).toBe('application/json');
      expect(hit.body).toEqual({
        client_id: GA_CLIENT_ID,
        timestamp_micros: endedAt.getTime() * 1000,
        non_personalized_ads: true,
        events: [
          {
            name: 'phone_call',
            params: {
              session_id: Number(GA_SESSION_ID),
              engagement_time_msec: 1,
              call_id: await callIdOf(siteId, callSid),
              call_answered: 'yes',
              call_duration_seconds: 56,
              talk_time_seconds: 47,
              call_source: 'google',
              call_medium: 'cpc',
              call_campaign: 'winter',
              attribution_method: 'lease',
            },
          },
        ],
      });
      expect(JSON.stringify(hit.body)).not.toContain(FIXTURE_CALLER.slice(1));

      // The sender ran again: a delivered event is not sent twice.
      await t.container.integrations.runNow();
      expect(receiver.received).toHaveLength(1);
    });

    maybe('when the visit had no GA cookie, then nothing is sent to GA4', async () => {
      const { siteId, siteKey } = await createTrackedSite(t);
      await adminApi(t).patch(`/v1/sites/${siteId}`, { ga4: { measurementId: MEASUREMENT_ID, apiSecret: API_SECRET } }).expect(200);

      await answeredCallFromGaVisit(siteKey, {});
      await t.container.integrations.runNow();

      expect(receiver.received).toEqual([]);
    });

    maybe('when the visitor asks for restriction after the call was planned for GA4 but before it was sent, then nothing is sent to GA4', async () => {
      // Arrange: the GA4 delivery is planned (dispatched), then the visitor is restricted (as setRestricted does).
      const { siteId, siteKey } = await createTrackedSite(t);
      await adminApi(t).patch(`/v1/sites/${siteId}`, { ga4: { measurementId: MEASUREMENT_ID, apiSecret: API_SECRET } }).expect(200);
      const { visitId } = await answeredCallFromGaVisit(siteKey, { gaClientId: GA_CLIENT_ID, gaSessionId: GA_SESSION_ID });
      await t.container.integrations.dispatcher.run();
      await t.container.db.query('UPDATE visits SET restricted = true WHERE id = $1', [visitId]);

      // Act
      await t.container.integrations.sender.run();

      // Assert
      expect(receiver.received).toEqual([]);
      const { rows } = await t.container.db.query<{ status: string }>("SELECT status FROM deliveries WHERE target = 'ga4' AND target_id = $1", [siteId]);
      expect(rows.map((r) => r.status)).toEqual(['skipped']);
    });

    maybe('when GA4 is switched off for the site, then nothing is sent to GA4', async () => {
      const { siteId, siteKey } = await createTrackedSite(t);
      await adminApi(t).patch(`/v1/sites/${siteId}`, { ga4: { measurementId: MEASUREMENT_ID, apiSecret: API_SECRET, enabled: false } }).expect(200);

      await answeredCallFromGaVisit(siteKey, { gaClientId: GA_CLIENT_ID, gaSessionId: GA_SESSION_ID });
      await t.container.integrations.runNow();

      expect(receiver.received).toEqual([]);
    });
  });
});
