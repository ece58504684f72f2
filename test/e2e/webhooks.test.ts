import request from 'supertest';
import { newCallSid, sendSignedWebhook, twilioSignature } from '../support/twilio-webhooks';
import { TEST_BASE_URL } from '../support/test-app';
import {
  BACKENDS,
  FORWARD_TO,
  UNKNOWN_NUMBER,
  WEBHOOKS,
  adminApi,
  callBySid,
  createTrackedSite,
  expectProblem,
  forwardsTo,
  inboundCall,
  storedCall,
  twilioFixture,
  useTestApp,
  visitWithNumber,
} from '../support/fixtures';

/** The number's status callback for `callSid`, as recorded from Twilio, with some fields changed. */
const statusEvent = (callSid: string, to: string, fields: Record<string, string>): Record<string, string> => ({ ...twilioFixture('call-status-completed'), CallSid: callSid, To: to, Called: to, ...fields });

describe.each(BACKENDS)('Twilio webhooks on %s backends', (backend, available) => {
  const maybe = available ? it : it.skip;
  const app = useTestApp(backend, available);

  describe('signature checks', () => {
    maybe.each(Object.values(WEBHOOKS))('when %s is posted without X-Twilio-Signature, then 403 problem and nothing is stored', async (path) => {
      // Arrange
      const t = app();
      const { numbers } = await createTrackedSite(t);
      const params = inboundCall(numbers[0]);

      // Act
      const res = await request(t.app).post(path).type('form').send(params);

      // Assert
      expectProblem(res, 403);
      expect(await storedCall(t, params.CallSid)).toEqual({ calls: 0, events: 0 });
    });

    maybe('when the signature was made with another auth token, then 403 problem and nothing is stored', async () => {
      // Arrange
      const t = app();
      const { numbers } = await createTrackedSite(t);
      const params = inboundCall(numbers[0]);

      // Act
      const res = await sendSignedWebhook(t.app, WEBHOOKS.voice, params, { authToken: 'not-the-configured-auth-token' });

      // Assert
      expectProblem(res, 403);
      expect(await storedCall(t, params.CallSid)).toEqual({ calls: 0, events: 0 });
    });

    maybe('when a signed field is changed after signing, then 403 problem and nothing is stored', async () => {
      // Arrange
      const t = app();
      const { numbers } = await createTrackedSite(t);
      const params = statusEvent(newCallSid(), numbers[0], {});
      const signed = sendSignedWebhook(t.app, WEBHOOKS.status, params);

      // Act: the same signature, but the duration has been tampered with.
      const res = await signed.send({ CallDuration: '9999' });

      // Assert
      expectProblem(res, 403);
      expect(await storedCall(t, params.CallSid)).toEqual({ calls: 0, events: 0 });
    });

    maybe.each([
      ['the URL Express sees behind the proxy', 'http://127.0.0.1'],
      ['the public host over plain http', TEST_BASE_URL.replace('https://', 'http://')],
      ['another host', 'https://calls.example.org'],
    ])('when the signature covers %s instead of PUBLIC_BASE_URL, then 403 problem and nothing is stored', async (_label, baseUrl) => {
      // Arrange
      const t = app();
      const { numbers } = await createTrackedSite(t);
      const params = inboundCall(numbers[0]);

      // Act
      const res = await sendSignedWebhook(t.app, WEBHOOKS.voice, params, { baseUrl });

      // Assert
      expectProblem(res, 403);
      expect(await storedCall(t, params.CallSid)).toEqual({ calls: 0, events: 0 });
    });
  });

  describe('voice webhook', () => {
    maybe('when Twilio posts its recorded voice webhook with all its extra fields to a provisioned number, then the caller is forwarded and the call stored', async () => {
      // Arrange
      const t = app();
      const { siteId, numbers } = await createTrackedSite(t);
      const params: Record<string, string> = { ...twilioFixture('voice-inbound'), To: numbers[0], Called: numbers[0] };

      // Act
      const res = await sendSignedWebhook(t.app, WEBHOOKS.voice, params);

      // Assert
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/xml/);
      expect(res.text).toMatch(forwardsTo(FORWARD_TO));
      expect(res.text).toContain(`action="${TEST_BASE_URL}${WEBHOOKS.dial}"`);
      const call = await callBySid(t, siteId, params.CallSid);
      expect(call).toMatchObject({ from: params.From, to: numbers[0], direction: 'inbound', status: 'ringing', forwardedTo: FORWARD_TO, attribution: 'none', visitId: null });
    });

    maybe('when a call comes in for a number we do not own, then 200 TwiML that says so and hangs up, and nothing is stored', async () => {
      // Arrange
      const t = app();
      const params = inboundCall(UNKNOWN_NUMBER);

      // Act
      const res = await sendSignedWebhook(t.app, WEBHOOKS.voice, params);

      // Assert
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/xml/);
      expect(res.text).toMatch(/<Say[^>]*>[^<]+<\/Say>/);
      expect(res.text).toContain('<Hangup/>');
      expect(res.text).not.toContain('<Dial');
      expect(await storedCall(t, params.CallSid)).toEqual({ calls: 0, events: 0 });
    });

    maybe('when Twilio retries the voice webhook after the number has moved to another visit, then the call keeps its first attribution', async () => {
      // Arrange: one number, a 60 s lease and no rest, so it moves to the next visitor at once.
      const t = app();
      const { siteId, siteKey, numbers } = await createTrackedSite(t, { numbers: 1, pool: { leaseSeconds: 60, graceSeconds: 0, cooldownSeconds: 0 } });
      const first = await visitWithNumber(t, siteKey);
      const params = inboundCall(numbers[0]);
      await sendSignedWebhook(t.app, WEBHOOKS.voice, params).expect(200);
      t.clock.advance(61_000);
      const second = await visitWithNumber(t, siteKey);
      expect(second.number.e164).toBe(numbers[0]);

      // Act
      const retry = await sendSignedWebhook(t.app, WEBHOOKS.voice, params);

      // Assert: still forwarded, still credited to the first visit; a new call now goes to the second.
      expect(retry.status).toBe(200);
      expect(retry.text).toMatch(forwardsTo(FORWARD_TO));
      expect(await callBySid(t, siteId, params.CallSid)).toMatchObject({ attribution: 'lease', visitId: first.visitId });
      expect(await storedCall(t, params.CallSid)).toEqual({ calls: 1, events: 0 });
      const fresh = inboundCall(numbers[0]);
      await sendSignedWebhook(t.app, WEBHOOKS.voice, fresh).expect(200);
      expect(await callBySid(t, siteId, fresh.CallSid)).toMatchObject({ attribution: 'lease', visitId: second.visitId });
    });
  });

  describe('status callbacks', () => {
    maybe('when "completed" arrives before late "ringing" and "in-progress", then the call stays completed with its duration', async () => {
      // Arrange
      const t = app();
      const { siteId, numbers } = await createTrackedSite(t);
      const { CallSid } = inboundCall(numbers[0]);
      await sendSignedWebhook(t.app, WEBHOOKS.voice, inboundCall(numbers[0], CallSid)).expect(200);
      const ringing = statusEvent(CallSid, numbers[0], { CallStatus: 'ringing', SequenceNumber: '0', Timestamp: 'Mon, 30 Nov 2026 10:00:01 +0000' });
      const inProgress = statusEvent(CallSid, numbers[0], { CallStatus: 'in-progress', SequenceNumber: '1', Timestamp: 'Mon, 30 Nov 2026 10:00:09 +0000' });
      const completed = statusEvent(CallSid, numbers[0], { CallStatus: 'completed', SequenceNumber: '2', Timestamp: 'Mon, 30 Nov 2026 10:00:57 +0000', CallDuration: '56' });
      delete ringing.CallDuration;
      delete inProgress.CallDuration;

      // Act: delivered out of order.
      for (const event of [completed, ringing, inProgress]) await sendSignedWebhook(t.app, WEBHOOKS.status, event).expect(204);

      // Assert
      const call = await callBySid(t, siteId, CallSid);
      expect(call).toMatchObject({ status: 'completed', durationSeconds: 56, endedAt: '2026-11-30T10:00:57.000Z' });
      expect(await storedCall(t, CallSid)).toEqual({ calls: 1, events: 3 });
    });

    maybe.each(['-010000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z'])('when a status callback carries a Timestamp (%s) the database cannot store, then it is applied at the time received', async (timestamp) => {
      // Arrange
      const t = app();
      const { siteId, numbers } = await createTrackedSite(t);
      const voice = inboundCall(numbers[0]);
      const callSid = voice.CallSid;
      await sendSignedWebhook(t.app, WEBHOOKS.voice, voice).expect(200);
      t.clock.advance(30_000);

      // Act
      const res = await sendSignedWebhook(t.app, WEBHOOKS.status, statusEvent(callSid, numbers[0], { Timestamp: timestamp }));

      // Assert
      expect(res.status).toBe(204);
      expect(await callBySid(t, siteId, callSid)).toMatchObject({ status: 'completed', durationSeconds: 56, endedAt: new Date(t.clock.now()).toISOString() });
    });

    maybe('when Twilio delivers the same voice, dial and status webhooks several times, then each is counted once', async () => {
      // Arrange
      const t = app();
      const { siteId, numbers } = await createTrackedSite(t);
      const voice = inboundCall(numbers[0]);
      const dial = { ...twilioFixture('dial-action'), CallSid: voice.CallSid, To: numbers[0], Called: numbers[0] };
      const completed = statusEvent(voice.CallSid, numbers[0], {});

      // Act
      for (let i = 0; i < 2; i += 1) await sendSignedWebhook(t.app, WEBHOOKS.voice, voice).expect(200);
      for (let i = 0; i < 2; i += 1) await sendSignedWebhook(t.app, WEBHOOKS.dial, dial).expect(200);
      for (let i = 0; i < 3; i += 1) await sendSignedWebhook(t.app, WEBHOOKS.status, completed).expect(204);

      // Assert: one call, one dial outcome, one status event.
      expect(await storedCall(t, voice.CallSid)).toEqual({ calls: 1, events: 2 });
      const calls = await adminApi(t).get(`/v1/calls?siteId=${siteId}`).expect(200);
      expect(calls.body.data.filter((c: { callSid: string }) => c.callSid === voice.CallSid)).toHaveLength(1);
      expect(await callBySid(t, siteId, voice.CallSid)).toMatchObject({ status: 'completed', durationSeconds: 56, talkSeconds: 47, dialStatus: 'completed' });
    });

    maybe('when the status callback arrives before the voice webhook, then one call row ends up attributed and completed', async () => {
      // Arrange: a visit holds the number.
      const t = app();
      const { siteId, siteKey, numbers } = await createTrackedSite(t);
      const visit = await visitWithNumber(t, siteKey);
      const voice = inboundCall(numbers[0]);

      // Act
      await sendSignedWebhook(t.app, WEBHOOKS.status, statusEvent(voice.CallSid, numbers[0], {})).expect(204);
      const res = await sendSignedWebhook(t.app, WEBHOOKS.voice, voice);

      // Assert
      expect(res.status).toBe(200);
      expect(res.text).toMatch(forwardsTo(FORWARD_TO));
      expect(await storedCall(t, voice.CallSid)).toEqual({ calls: 1, events: 1 });
      expect(await callBySid(t, siteId, voice.CallSid)).toMatchObject({
        status: 'completed',
        durationSeconds: 56,
        siteId,
        to: numbers[0],
        forwardedTo: FORWARD_TO,
        attribution: 'lease',
        visitId: visit.visitId,
      });
    });
  });

  describe('malformed webhooks', () => {
    maybe.each(Object.values(WEBHOOKS))('when %s is signed correctly but its CallSid is malformed, then 400 problem and nothing is stored', async (path) => {
      // Arrange
      const t = app();
      const { numbers } = await createTrackedSite(t);
      const params = { ...statusEvent('CA123', numbers[0], {}), DialCallStatus: 'completed' };

      // Act
      const res = await sendSignedWebhook(t.app, path, params);

      // Assert
      expectProblem(res, 400);
      expect(res.body.detail).toMatch(/CallSid/);
      expect(await storedCall(t, 'CA123')).toEqual({ calls: 0, events: 0 });
    });

    maybe.each([
      ['the voice webhook without To', WEBHOOKS.voice, { To: undefined }],
      ['a status callback without CallStatus', WEBHOOKS.status, { CallStatus: undefined }],
      ['a status callback with a non-numeric SequenceNumber', WEBHOOKS.status, { SequenceNumber: 'first' }],
    ])('when %s is signed correctly, then 400 problem, never 500', async (_label, path, change) => {
      // Arrange
      const t = app();
      const { numbers } = await createTrackedSite(t);
      const params = Object.fromEntries(Object.entries({ ...inboundCall(numbers[0]), ...change }).filter(([, v]) => v !== undefined)) as Record<string, string>;

      // Act
      const res = await sendSignedWebhook(t.app, path, params);

      // Assert
      expectProblem(res, 400);
      expect(await storedCall(t, params.CallSid)).toEqual({ calls: 0, events: 0 });
    });

    maybe('when CallSid is sent twice in one correctly signed body, then 400 problem, never 500', async () => {
      // Arrange: "CallSid=a&CallSid=b" parses to an array, which the CallSid field does not accept.
      const t = app();
      const { numbers } = await createTrackedSite(t);
      const params = inboundCall(numbers[0]);
      const second = newCallSid();
      const body = `${new URLSearchParams(params).toString()}&CallSid=${second}`;
      const signature = twilioSignature(WEBHOOKS.voice, { ...params, CallSid: [params.CallSid, second] });

      // Act
      const res = await request(t.app).post(WEBHOOKS.voice).type('form').set('X-Twilio-Signature', signature).send(body);

      // Assert
      expectProblem(res, 400);
      expect(await storedCall(t, params.CallSid)).toEqual({ calls: 0, events: 0 });
      expect(await storedCall(t, second)).toEqual({ calls: 0, events: 0 });
    });
  });
});
