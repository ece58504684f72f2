import request from 'supertest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { newCallSid, sendSignedWebhook, twilioSignature } from '../support/twilio-webhooks';
import { TEST_BASE_URL, type TestApp } from '../support/test-app';
import {
  BACKENDS,
  FORWARD_TO,
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

const PATHS = {
  ...WEBHOOKS,
  fallback: '/webhooks/twilio/fallback',
  numberStatus: '/webhooks/twilio/number-status',
  recording: '/webhooks/twilio/recording',
  whisper: '/webhooks/twilio/whisper',
};
const FALLBACK_LINE = '+441134960998';
const GOOGLE_ADS_VISIT = { url: 'https://shop.example/boilers?utm_source=google&utm_medium=cpc&gclid=abc', referrer: 'https://www.google.com/' };

const legEvents = JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'twilio', 'number-status-events.json'), 'utf8')) as Record<string, string>[];

/** The <Dial action> Twilio posts when the forwarded leg ends with `DialCallStatus`. */
const dialOutcome = (voice: Record<string, string>, dialStatus: string, extra: Record<string, string> = {}) => ({
  ...twilioFixture('dial-action'),
  CallSid: voice.CallSid,
  To: voice.To,
  Called: voice.To,
  DialCallSid: newCallSid(),
  DialCallStatus: dialStatus,
  DialCallDuration: dialStatus === 'completed' ? '47' : '0',
  ...extra,
});

const recordingEvent = (callSid: string, fields: Record<string, string> = {}) => ({
  AccountSid: 'AC00000000000000000000000000000000',
  CallSid: callSid,
  RecordingSid: `RE${'3'.repeat(32)}`,
  RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000000/Recordings/RE${'3'.repeat(32)}`,
  RecordingStatus: 'completed',
  RecordingDuration: '42',
  RecordingChannels: '2',
  RecordingSource: 'DialVerb',
  ...fields,
});

/** The recorded <Number> status events of a forwarded leg, re-parented to `parent`. */
const legEvent = (parent: string, leg: string, index: number) => ({ ...legEvents[index], ParentCallSid: parent, CallSid: leg });

describe.each(BACKENDS)('call routing on %s backends', (backend, available) => {
  const maybe = available ? it : it.skip;
  const app = useTestApp(backend, available);

  async function siteWithRouting(t: TestApp, routing: Record<string, unknown>) {
    const site = await createTrackedSite(t);
    await adminApi(t).patch(`/v1/pools/${site.poolId}`, routing).expect(200);
    return site;
  }

  describe('the <Dial>', () => {
    maybe('when a call is forwarded, then the <Number> reports ringing/answered/completed to us and rings for the pool timeout', async () => {
      // Arrange
      const t = app();
      const { numbers } = await siteWithRouting(t, { dialTimeoutSeconds: 20 });

      // Act
      const res = await sendSignedWebhook(t.app, WEBHOOKS.voice, inboundCall(numbers[0])).expect(200);

      // Assert
      expect(res.text).toMatch(forwardsTo(FORWARD_TO));
      expect(res.text).toContain(`statusCallback="${TEST_BASE_URL}${PATHS.numberStatus}"`);
      expect(res.text).toContain('statusCallbackEvent="initiated ringing answered completed"');
      expect(res.text).toContain('timeout="20"');
      expect(res.text).toContain('answerOnBridge="true"');
      expect(res.text).not.toContain('record=');
      expect(res.text).not.toContain(' url=');
    });

    maybe('when Twilio sends its caller details, then every one is kept on the call', async () => {
      // Arrange
      const t = app();
      const { siteId, numbers } = await createTrackedSite(t);
      const voice: Record<string, string> = { ...inboundCall(numbers[0]), CallerName: 'J SMITH', ForwardedFrom: '+442079460555', FromCity: 'LEEDS', FromState: 'West Yorkshire', FromZip: 'LS1', FromCountry: 'GB' };

      // Act
      await sendSignedWebhook(t.app, WEBHOOKS.voice, voice).expect(200);

      // Assert
      expect(await callBySid(t, siteId, voice.CallSid)).toMatchObject({
        callSid: voice.CallSid,
        from: voice.From,
        to: numbers[0],
        direction: 'inbound',
        status: 'ringing',
        callerName: 'J SMITH',
        forwardedFrom: '+442079460555',
        fromCity: 'LEEDS',
        fromState: 'West Yorkshire',
        fromZip: 'LS1',
        fromCountry: 'GB',
        stirVerstat: 'TN-Validation-Passed-A',
      });
    });
  });

  describe('whisper', () => {
    maybe('when the pool whispers, then the agent hears the visit source before being connected', async () => {
      // Arrange
      const t = app();
      const { siteKey, numbers } = await siteWithRouting(t, { whisper: true });
      const visit = await visitWithNumber(t, siteKey, GOOGLE_ADS_VISIT);
      const voice = inboundCall(visit.number.e164);
      const twiml = (await sendSignedWebhook(t.app, WEBHOOKS.voice, voice).expect(200)).text;
      const whisperUrl = `${PATHS.whisper}?callSid=${voice.CallSid}`;
      expect(numbers).toContain(visit.number.e164);
      expect(twiml).toContain(`url="${TEST_BASE_URL}${whisperUrl}"`);

      // Act: Twilio fetches the <Number url> for the agent's leg.
      const res = await sendSignedWebhook(t.app, whisperUrl, { ...legEvent(voice.CallSid, newCallSid(), 2), CallStatus: 'in-progress' });

      // Assert
      expect(res.status).toBe(200);
      expect(res.text).toMatch(/<Response><Say [^>]*>Call from Google Ads<\/Say><\/Response>$/);
    });

    maybe('when the pool has its own whisper template, then it is used; an unknown source is "your website"', async () => {
      // Arrange: no visit holds the number.
      const t = app();
      const { numbers } = await siteWithRouting(t, { whisper: 'Sales enquiry via {source}' });
      const voice = inboundCall(numbers[0]);
      await sendSignedWebhook(t.app, WEBHOOKS.voice, voice).expect(200);

      // Act
      const res = await sendSignedWebhook(t.app, `${PATHS.whisper}?callSid=${voice.CallSid}`, {});

      // Assert
      expect(res.text).toContain('>Sales enquiry via your website</Say>');
    });

    maybe('when the whisper request is not signed for its query string, then 403', async () => {
      const t = app();
      const callSid = newCallSid();
      const signedFor = `${PATHS.whisper}?callSid=${callSid}`;
      const res = await request(t.app)
        .post(`${PATHS.whisper}?callSid=${newCallSid()}`)
        .type('form')
        .set('X-Twilio-Signature', twilioSignature(signedFor, {}))
        .send({});

      expectProblem(res, 403);
    });
  });

  describe('recording', () => {
    maybe('when the pool records, then the caller is told, both legs are recorded, and the recording is kept on the call', async () => {
      // Arrange
      const t = app();
      const { siteId, numbers } = await siteWithRouting(t, { record: true, recordAnnouncement: 'Calls are recorded for training.' });
      const voice = inboundCall(numbers[0]);

      // Act
      const twiml = (await sendSignedWebhook(t.app, WEBHOOKS.voice, voice).expect(200)).text;
      for (let i = 0; i < 2; i += 1) await sendSignedWebhook(t.app, PATHS.recording, recordingEvent(voice.CallSid)).expect(204);

      // Assert
      expect(twiml).toMatch(/<Response><Say [^>]*>Calls are recorded for training\.<\/Say><Dial /);
      expect(twiml).toContain('record="record-from-answer-dual"');
      expect(twiml).toContain(`recordingStatusCallback="${TEST_BASE_URL}${PATHS.recording}"`);
      const call = await callBySid(t, siteId, voice.CallSid);
      expect(call.recording).toEqual({ sid: `RE${'3'.repeat(32)}`, url: recordingEvent(voice.CallSid).RecordingUrl, durationSeconds: 42, kind: 'call' });
      expect(await storedCall(t, voice.CallSid)).toEqual({ calls: 1, events: 1 });
    });

    maybe('when a recording event is not "completed", then nothing is stored', async () => {
      const t = app();
      const { siteId, numbers } = await siteWithRouting(t, { record: true });
      const voice = inboundCall(numbers[0]);
      await sendSignedWebhook(t.app, WEBHOOKS.voice, voice).expect(200);

      await sendSignedWebhook(t.app, PATHS.recording, recordingEvent(voice.CallSid, { RecordingStatus: 'absent' })).expect(204);

      expect((await callBySid(t, siteId, voice.CallSid)).recording).toBeNull();
    });
  });

  describe('no-answer fallback', () => {
    maybe.each(['busy', 'no-answer', 'failed'])('when the client line is %s and the pool falls back to a number, then it is dialled, once', async (dialStatus) => {
      // Arrange
      const t = app();
      const { siteId, numbers } = await siteWithRouting(t, { fallback: FALLBACK_LINE, whisper: true });
      const voice = inboundCall(numbers[0]);
      await sendSignedWebhook(t.app, WEBHOOKS.voice, voice).expect(200);

      // Act
      const first = await sendSignedWebhook(t.app, WEBHOOKS.dial, dialOutcome(voice, dialStatus)).expect(200);
      const second = await sendSignedWebhook(t.app, `${WEBHOOKS.dial}?attempt=fallback`, dialOutcome(voice, 'no-answer')).expect(200);

      // Assert
      expect(first.text).toMatch(forwardsTo(FALLBACK_LINE));
      expect(first.text).toContain(`action="${TEST_BASE_URL}${WEBHOOKS.dial}?attempt=fallback"`);
      expect(first.text).toContain(`url="${TEST_BASE_URL}${PATHS.whisper}?callSid=${voice.CallSid}"`);
      expect(second.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
      expect(await callBySid(t, siteId, voice.CallSid)).toMatchObject({ fallback: 'number', dialStatus: 'no-answer' });
      expect(await storedCall(t, voice.CallSid)).toEqual({ calls: 1, events: 2 });
    });

    maybe('when the client line does not answer and the pool falls back to voicemail, then the caller can leave a message that is kept', async () => {
      // Arrange
      const t = app();
      const { siteId, numbers } = await siteWithRouting(t, { fallback: 'voicemail' });
      const voice = inboundCall(numbers[0]);
      await sendSignedWebhook(t.app, WEBHOOKS.voice, voice).expect(200);

      // Act
      const res = await sendSignedWebhook(t.app, WEBHOOKS.dial, dialOutcome(voice, 'no-answer')).expect(200);
      const after = await sendSignedWebhook(t.app, `${WEBHOOKS.dial}?attempt=voicemail`, { ...voice, CallStatus: 'completed', RecordingUrl: 'https://api.twilio.com/x' }).expect(200);
      await sendSignedWebhook(t.app, `${PATHS.recording}?kind=voicemail`, recordingEvent(voice.CallSid, { RecordingSource: 'RecordVerb', RecordingDuration: '12' })).expect(204);

      // Assert
      expect(res.text).toMatch(/<Say [^>]*>[^<]*message[^<]*<\/Say><Record /);
      expect(res.text).toContain(`recordingStatusCallback="${TEST_BASE_URL}${PATHS.recording}?kind=voicemail"`);
      expect(after.text).not.toContain('<Dial');
      expect(await callBySid(t, siteId, voice.CallSid)).toMatchObject({ fallback: 'voicemail', dialStatus: 'no-answer', recording: { kind: 'voicemail', durationSeconds: 12 } });
    });

    maybe('when the call was answered, then the fallback is not used', async () => {
      const t = app();
      const { numbers } = await siteWithRouting(t, { fallback: FALLBACK_LINE });
      const voice = inboundCall(numbers[0]);
      await sendSignedWebhook(t.app, WEBHOOKS.voice, voice).expect(200);

      const res = await sendSignedWebhook(t.app, WEBHOOKS.dial, dialOutcome(voice, 'completed')).expect(200);

      expect(res.text).not.toContain('<Dial');
    });

    maybe('when one number of the pool overrides the fallback to none, then its calls simply end', async () => {
      const t = app();
      const { poolId, numbers } = await siteWithRouting(t, { fallback: FALLBACK_LINE });
      const listed = await adminApi(t).get(`/v1/pools/${poolId}/numbers`).expect(200);
      await adminApi(t).patch(`/v1/numbers/${listed.body.data[0].id}`, { fallback: 'none' }).expect(200);
      const voice = inboundCall(numbers[0]);
      await sendSignedWebhook(t.app, WEBHOOKS.voice, voice).expect(200);

      const res = await sendSignedWebhook(t.app, WEBHOOKS.dial, dialOutcome(voice, 'busy')).expect(200);

      expect(res.text).not.toContain('<Dial');
    });
  });

  describe('forwarded leg status events', () => {
    maybe('when the <Number> events arrive out of order and twice, then each is stored once and the leg ends completed', async () => {
      // Arrange
      const t = app();
      const { siteId, numbers } = await createTrackedSite(t);
      const voice = inboundCall(numbers[0]);
      await sendSignedWebhook(t.app, WEBHOOKS.voice, voice).expect(200);
      const leg = newCallSid();
      const order = [3, 0, 1, 3, 2, 1];

      // Act
      for (const i of order) await sendSignedWebhook(t.app, PATHS.numberStatus, legEvent(voice.CallSid, leg, i)).expect(204);

      // Assert
      const call = await callBySid(t, siteId, voice.CallSid);
      const legs = await adminApi(t).get(`/v1/calls/${call.id}/legs`).expect(200);
      expect(legs.body.data).toEqual([
        { callSid: leg, to: legEvents[0].To, status: 'completed', durationSeconds: 47, startedAt: '2026-11-30T10:00:01.000Z', answeredAt: '2026-11-30T10:00:09.000Z', endedAt: '2026-11-30T10:00:56.000Z' },
      ]);
      expect(await storedCall(t, leg)).toEqual({ calls: 0, events: 4 });
    });

    maybe('when a leg event has no ParentCallSid, then 400 problem and nothing is stored', async () => {
      const t = app();
      const leg = newCallSid();
      const event: Record<string, string> = { ...legEvent(newCallSid(), leg, 0) };
      delete event.ParentCallSid;

      expectProblem(await sendSignedWebhook(t.app, PATHS.numberStatus, event), 400);
      expect(await storedCall(t, leg)).toEqual({ calls: 0, events: 0 });
    });
  });

  describe('Voice Fallback URL', () => {
    maybe('when Twilio falls back after the voice webhook failed, then the caller is put through at once and the call marked for re-attribution', async () => {
      // Arrange
      const t = app();
      const { siteId, siteKey } = await createTrackedSite(t);
      const visit = await visitWithNumber(t, siteKey, GOOGLE_ADS_VISIT);
      const voice: Record<string, string> = { ...inboundCall(visit.number.e164), ErrorCode: '11205', ErrorUrl: `${TEST_BASE_URL}${WEBHOOKS.voice}` };

      // Act
      const res = await sendSignedWebhook(t.app, PATHS.fallback, voice);

      // Assert
      expect(res.status).toBe(200);
      expect(res.text).toMatch(forwardsTo(FORWARD_TO));
      expect(await callBySid(t, siteId, voice.CallSid)).toMatchObject({ attribution: 'none', needsReattribution: true });

      // And the re-attribution job credits it from the lease history.
      await t.container.leaseHistory.flush();
      await t.container.reattribution.run();
      expect(await callBySid(t, siteId, voice.CallSid)).toMatchObject({ attribution: 'lease', visitId: visit.visitId, needsReattribution: false, source: 'google', medium: 'cpc' });
    });

    maybe('when the fallback request is not signed, then 403', async () => {
      const t = app();
      const { numbers } = await createTrackedSite(t);
      expectProblem(await request(t.app).post(PATHS.fallback).type('form').send(inboundCall(numbers[0])), 403);
    });
  });

  describe('pool routing settings', () => {
    maybe('when a pool is created with routing, then it is shown and PATCH changes only what it names', async () => {
      // Arrange
      const t = app();
      const site = await createTrackedSite(t, { numbers: 0 });
      const created = await adminApi(t)
        .post('/v1/pools', { siteId: site.siteId, name: 'Routed', forwardTo: FORWARD_TO, dialTimeoutSeconds: 25, whisper: 'Call from {source}', record: true, fallback: 'voicemail' })
        .expect(201);

      // Act
      const patched = await adminApi(t).patch(`/v1/pools/${created.body.id}`, { record: false, fallback: null }).expect(200);

      // Assert
      expect(created.body).toMatchObject({ dialTimeoutSeconds: 25, whisper: 'Call from {source}', record: true, recordAnnouncement: null, fallback: 'voicemail' });
      expect(patched.body).toMatchObject({ name: 'Routed', dialTimeoutSeconds: 25, whisper: 'Call from {source}', record: false, fallback: null });
      expect((await adminApi(t).get(`/v1/pools/${created.body.id}`).expect(200)).body).toMatchObject({ record: false, fallback: null });
    });

    maybe.each([
      ['an unknown field', { ring: 10 }],
      ['a timeout too short', { dialTimeoutSeconds: 2 }],
      ['a fallback that is not a number', { fallback: '0113 496 0998' }],
      ['an empty body', {}],
      ['a whisper that is not text or a flag', { whisper: 42 }],
    ])('when PATCH /v1/pools has %s, then 400 problem and the pool is unchanged', async (_label, body) => {
      const t = app();
      const { poolId } = await createTrackedSite(t);

      expectProblem(await adminApi(t).patch(`/v1/pools/${poolId}`, body), 400);
      expect((await adminApi(t).get(`/v1/pools/${poolId}`).expect(200)).body).toMatchObject({ dialTimeoutSeconds: 30, whisper: null, record: false, fallback: null });
    });

    maybe('when a number is looked up by its E.164, then it is found with its routing overrides; an unknown one is not', async () => {
      const t = app();
      const { poolId, numbers } = await createTrackedSite(t);

      const found = await adminApi(t).get(`/v1/numbers?e164=${encodeURIComponent(numbers[0])}`).expect(200);
      const patched = await adminApi(t).patch(`/v1/numbers/${found.body.data[0].id}`, { whisper: false, record: true, fallback: 'voicemail' }).expect(200);

      expect(found.body.data).toEqual([expect.objectContaining({ e164: numbers[0], poolId, status: 'active', overrides: { whisper: null, record: null, fallback: null } })]);
      expect(patched.body.overrides).toEqual({ whisper: false, record: true, fallback: 'voicemail' });
      expect((await adminApi(t).get('/v1/numbers?e164=%2B12125550199').expect(200)).body.data).toEqual([]);
      expectProblem(await adminApi(t).get('/v1/numbers?e164=0113'), 400);
      expectProblem(await adminApi(t).patch(`/v1/numbers/${found.body.data[0].id}`, { fallback: 'the office' }), 400);
      expectProblem(await adminApi(t).patch(`/v1/numbers/${found.body.data[0].id}`, { colour: 'red' }), 400);
    });

    maybe('when PATCH names a pool that does not exist, then 404 problem', async () => {
      const t = app();
      expectProblem(await adminApi(t).patch('/v1/pools/00000000-0000-4000-8000-000000000000', { record: true }), 404);
    });
  });
});
