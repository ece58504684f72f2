import { FakeTwilioApi } from '../support/fake-twilio-api';
import { startTestApp, TEST_BASE_URL, type TestApp } from '../support/test-app';
import { sendSignedWebhook } from '../support/twilio-webhooks';
import { BACKENDS, FORWARD_TO, WEBHOOKS, adminApi, callBySid, createTrackedSite, expectProblem, forwardsTo, inboundCall } from '../support/fixtures';
import { TwilioProvider } from '../../src/telephony/twilio-provider';
import { numberWebhooks } from '../../src/container';

const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const BUNDLE = `BU${'a'.repeat(32)}`;
const ADDRESS = `AD${'b'.repeat(32)}`;
const DAY_MS = 86_400_000;
// Ofcom's drama range: never a real line.
const LONDON = Array.from({ length: 60 }, (_, i) => `+44207946${String(7000 + i)}`);
const EXTRA = '+442079468999';
const EXPECTED_WEBHOOKS = {
  VoiceUrl: `${TEST_BASE_URL}/webhooks/twilio/voice`,
  VoiceMethod: 'POST',
  VoiceFallbackUrl: `${TEST_BASE_URL}/webhooks/twilio/fallback`,
  VoiceFallbackMethod: 'POST',
  StatusCallback: `${TEST_BASE_URL}/webhooks/twilio/status`,
  StatusCallbackMethod: 'POST',
};

describe.each(BACKENDS)('Twilio provisioning and number lifecycle on %s backends', (backend, available) => {
  const maybe = available ? it : it.skip;
  let api: FakeTwilioApi;
  let t: TestApp;

  // One service and one fake account for the file; each test starts with no recorded requests or rules.
  beforeAll(async () => {
    if (!available) return;
    api = await FakeTwilioApi.start();
    api.offer('GB', LONDON);
    t = await startTestApp(backend, { TELEPHONY_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: ACCOUNT_SID }, {
      provider: (config) =>
        new TwilioProvider({ accountSid: ACCOUNT_SID, authToken: config.telephony.authToken, webhooks: numberWebhooks(config), httpClient: api.httpClient(), retry: { baseDelayMs: 5, maxDelayMs: 20 } }),
    });
  });
  beforeEach(() => api?.reset());
  afterAll(async () => {
    await t?.close();
    await api?.close();
  });

  const e164s = (res: { body: { numbers: { e164: string }[] } }) => res.body.numbers.map((n) => n.e164);

  /** Client, site and pool, no numbers yet. */
  async function emptyPool() {
    const site = await createTrackedSite(t, { numbers: 0 });
    const pool = await adminApi(t).post('/v1/pools', { siteId: site.siteId, name: 'Spring campaign', forwardTo: FORWARD_TO }).expect(201);
    return { ...site, poolId: pool.body.id as string };
  }

  describe('buying numbers', () => {
    maybe('when N numbers are bought through Twilio, then each purchase wires the webhooks to PUBLIC_BASE_URL and names the pool, and a 429 is retried', async () => {
      // Arrange
      const { poolId } = await emptyPool();
      api.rateLimitNext(1);

      // Act
      const res = await adminApi(t).post(`/v1/pools/${poolId}/numbers`, { count: 3, country: 'GB', areaCode: '20' });

      // Assert
      expect(res.status).toBe(201);
      expect(e164s(res)).toHaveLength(3);
      expect(res.body.failed).toEqual([]);
      const search = api.requestsTo('GET', /AvailablePhoneNumbers\/GB\/Local\.json$/);
      expect(search).toHaveLength(2);
      expect(search[1].query).toMatchObject({ VoiceEnabled: 'true', Contains: '+4420%' });
      const purchases = api.requestsTo('POST', /IncomingPhoneNumbers\.json$/);
      expect(purchases.map((r) => r.form)).toEqual(e164s(res).map((e164) => ({ PhoneNumber: e164, FriendlyName: 'ct pool Spring campaign', ...EXPECTED_WEBHOOKS })));
      expect(purchases.every((r) => r.accountSid === ACCOUNT_SID)).toBe(true);
      const listed = await adminApi(t).get(`/v1/pools/${poolId}/numbers`).expect(200);
      expect(listed.body.data.map((n: { provider: string; providerSid: string; status: string }) => [n.provider, n.providerSid.slice(0, 2), n.status])).toEqual([
        ['twilio', 'PN', 'active'],
        ['twilio', 'PN', 'active'],
        ['twilio', 'PN', 'active'],
      ]);
    });

    maybe('when some numbers cannot be bought, then the answer says which were bought and which failed and why', async () => {
      // Arrange
      const { poolId } = await emptyPool();
      const free = LONDON.filter((n) => ![...api.owned.values()].some((o) => o.phone_number === n));
      api.refuse(free[1], 21422, 'PhoneNumber is not available');

      // Act
      const res = await adminApi(t).post(`/v1/pools/${poolId}/numbers`, { count: 3, country: 'GB' });

      // Assert
      expect(res.status).toBe(201);
      expect(e164s(res)).toEqual([free[0], free[2], free[3]]);
      expect(res.body.failed).toEqual([{ e164: free[1], code: 21422, reason: expect.stringContaining('not available') }]);
    });

    maybe('when no offered number can be bought, then 409 problem lists every number tried and why, and nothing is recorded', async () => {
      const { poolId } = await emptyPool();
      for (const n of LONDON) api.refuse(n, 21422, 'PhoneNumber is not available');

      const res = await adminApi(t).post(`/v1/pools/${poolId}/numbers`, { count: 2, country: 'GB' });

      expectProblem(res, 409);
      expect(res.body.failed.length).toBeGreaterThanOrEqual(2);
      expect(res.body.failed.every((f: { code: number }) => f.code === 21422)).toBe(true);
      expect((await adminApi(t).get(`/v1/pools/${poolId}/numbers`).expect(200)).body.data).toEqual([]);
    });

    maybe('when GB requires a bundle the client has not given (21649), then 422 problem+json says what to set, and nothing is bought', async () => {
      // Arrange
      const { poolId } = await emptyPool();
      api.regulate('GB', { bundle: true, address: true });

      // Act
      const res = await adminApi(t).post(`/v1/pools/${poolId}/numbers`, { count: 2, country: 'GB' });

      // Assert
      expectProblem(res, 422);
      expect(res.body).toMatchObject({ title: 'Regulatory requirement missing', missing: 'twilioBundleSid', carrierCode: 21649, country: 'GB' });
      expect(res.body.detail).toMatch(/PATCH \/v1\/clients/);
      expect(api.requestsTo('POST', /IncomingPhoneNumbers\.json$/)).toHaveLength(1);
      expect((await adminApi(t).get(`/v1/pools/${poolId}/numbers`).expect(200)).body.data).toEqual([]);
    });

    maybe('when the client has its bundle and address, then every purchase sends them', async () => {
      // Arrange
      const { clientId, poolId } = await emptyPool();
      api.regulate('GB', { bundle: true, address: true });
      const patched = await adminApi(t).patch(`/v1/clients/${clientId}`, { twilioBundleSid: BUNDLE, twilioAddressSid: ADDRESS }).expect(200);

      // Act
      const res = await adminApi(t).post(`/v1/pools/${poolId}/numbers`, { count: 2, country: 'GB' });

      // Assert
      expect(patched.body).toMatchObject({ id: clientId, twilioBundleSid: BUNDLE, twilioAddressSid: ADDRESS });
      expect(res.status).toBe(201);
      expect(api.requestsTo('POST', /IncomingPhoneNumbers\.json$/).map((r) => [r.form.BundleSid, r.form.AddressSid])).toEqual([
        [BUNDLE, ADDRESS],
        [BUNDLE, ADDRESS],
      ]);
    });

    maybe('when only the address is missing (21631), then the problem names twilioAddressSid', async () => {
      const { clientId, poolId } = await emptyPool();
      api.regulate('GB', { bundle: true, address: true });
      await adminApi(t).patch(`/v1/clients/${clientId}`, { twilioBundleSid: BUNDLE }).expect(200);

      const res = await adminApi(t).post(`/v1/pools/${poolId}/numbers`, { count: 1, country: 'GB' });

      expectProblem(res, 422);
      expect(res.body).toMatchObject({ missing: 'twilioAddressSid', carrierCode: 21631 });
    });

    maybe.each([
      ['a bundle SID of the wrong shape', { twilioBundleSid: 'BU123' }],
      ['an address SID of the wrong shape', { twilioAddressSid: `BU${'a'.repeat(32)}` }],
      ['an unknown field', { bundle: BUNDLE }],
      ['nothing to change', {}],
    ])('when PATCH /v1/clients has %s, then 400 problem', async (_label, body) => {
      const { clientId } = await emptyPool();

      expectProblem(await adminApi(t).patch(`/v1/clients/${clientId}`, body), 400);
    });
  });

  describe('quarantine before release', () => {
    maybe('when a number is deleted, then it leaves the rotation at once, its calls are still forwarded as released-number, and it is released at Twilio after the quarantine', async () => {
      // Arrange
      const { siteId, poolId } = await emptyPool();
      const bought = await adminApi(t).post(`/v1/pools/${poolId}/numbers`, { count: 2, country: 'GB' }).expect(201);
      const [gone, kept] = bought.body.numbers as { id: string; e164: string }[];
      const sid = [...api.owned.values()].find((n) => n.phone_number === gone.e164)?.sid;

      // Act
      const deleted = await adminApi(t).delete(`/v1/numbers/${gone.id}`).expect(200);
      const again = await adminApi(t).delete(`/v1/numbers/${gone.id}`).expect(200);
      const call = inboundCall(gone.e164);
      const twiml = await sendSignedWebhook(t.app, WEBHOOKS.voice, call).expect(200);

      // Assert: quarantined for 30 days, still routed, no longer leased.
      const releaseAfter = new Date(t.clock.now() + 30 * DAY_MS).toISOString();
      expect(deleted.body).toMatchObject({ id: gone.id, status: 'quarantined', releaseAfter });
      expect(again.body).toMatchObject({ status: 'quarantined', releaseAfter });
      expect(twiml.text).toMatch(forwardsTo(FORWARD_TO));
      expect(await callBySid(t, siteId, call.CallSid)).toMatchObject({ attribution: 'released-number', visitId: null, needsReattribution: false });
      expect((await adminApi(t).get(`/v1/pools/${poolId}`).expect(200)).body.stats).toMatchObject({ total: 1 });

      // Not due yet: nothing is released.
      t.clock.advance(29 * DAY_MS);
      expect(await t.container.numberLifecycle.releaseDue(t.clock.now())).toEqual({ released: [], failed: [] });
      expect(api.requestsTo('DELETE', /IncomingPhoneNumbers/)).toHaveLength(0);

      // Due: released at Twilio, and calls to it are no longer forwarded.
      t.clock.advance(DAY_MS);
      expect(await t.container.numberLifecycle.releaseDue(t.clock.now())).toEqual({ released: [gone.id], failed: [] });
      expect(api.requestsTo('DELETE', /IncomingPhoneNumbers/).map((r) => r.path)).toEqual([`/2010-04-01/Accounts/${ACCOUNT_SID}/IncomingPhoneNumbers/${sid}.json`]);
      expect((await adminApi(t).get(`/v1/numbers/${gone.id}`).expect(200)).body).toMatchObject({ status: 'released', releasedAt: new Date(t.clock.now()).toISOString() });
      const late = await sendSignedWebhook(t.app, WEBHOOKS.voice, inboundCall(gone.e164)).expect(200);
      expect(late.text).not.toContain('<Dial');
      expect((await sendSignedWebhook(t.app, WEBHOOKS.voice, inboundCall(kept.e164)).expect(200)).text).toMatch(forwardsTo(FORWARD_TO));
    });

    maybe('when Twilio rate-limits the release, then it is retried with backoff and the number released', async () => {
      const { poolId } = await emptyPool();
      const [n] = (await adminApi(t).post(`/v1/pools/${poolId}/numbers`, { count: 1, country: 'GB' }).expect(201)).body.numbers;
      await adminApi(t).delete(`/v1/numbers/${n.id}`).expect(200);
      t.clock.advance(30 * DAY_MS);
      api.rateLimitNext(2);

      expect(await t.container.numberLifecycle.releaseDue(t.clock.now())).toEqual({ released: [n.id], failed: [] });
      expect([...api.owned.values()].some((o) => o.phone_number === n.e164)).toBe(false);
    });

    maybe.each([
      ['not a number id', 'n-1', 404],
      ['unknown', '00000000-0000-4000-8000-000000000000', 404],
    ])('when DELETE /v1/numbers names a number that is %s, then %i problem', async (_label, id, status) => {
      expectProblem(await adminApi(t).delete(`/v1/numbers/${id}`), status);
    });
  });

  describe('reconciliation', () => {
    maybe('when webhook URLs drifted and numbers exist on one side only, then the URLs are repaired and both kinds reported', async () => {
      // Arrange: three bought; one's voice URL edited in the console, one released by hand, one extra bought by hand.
      const { poolId } = await emptyPool();
      const bought = (await adminApi(t).post(`/v1/pools/${poolId}/numbers`, { count: 3, country: 'GB' }).expect(201)).body.numbers as { id: string; e164: string }[];
      const sidOf = (e164: string) => [...api.owned.values()].find((n) => n.phone_number === e164)?.sid as string;
      const drifted = sidOf(bought[0].e164);
      (api.owned.get(drifted) as { voice_url: string | null }).voice_url = 'https://old-host.example.test/voice';
      api.owned.delete(sidOf(bought[1].e164));
      const extra = api.addOwned({ phone_number: EXTRA, voice_url: 'https://elsewhere.example.test/voice' });

      // Act
      const res = await adminApi(t).post('/v1/numbers/reconcile', {}).expect(200);

      // Assert
      // Numbers of earlier tests are in step on both sides, so they only add to `matched`.
      expect(res.body).toEqual({
        matched: expect.any(Number),
        repaired: [{ numberId: bought[0].id, providerSid: drifted, drifted: ['voiceUrl'] }],
        repairFailed: [],
        onlyAtCarrier: [{ providerSid: extra.sid, e164: EXTRA }],
        onlyInDatabase: [{ numberId: bought[1].id, e164: bought[1].e164 }],
      });
      expect(api.owned.get(drifted)?.voice_url).toBe(EXPECTED_WEBHOOKS.VoiceUrl);
      expect(api.requestsTo('POST', new RegExp(`IncomingPhoneNumbers/${drifted}\\.json$`))[0].form).toEqual(EXPECTED_WEBHOOKS);
      expect(api.owned.get(extra.sid)?.voice_url).toBe('https://elsewhere.example.test/voice');

      // A second run finds nothing left to repair.
      expect((await adminApi(t).post('/v1/numbers/reconcile', {}).expect(200)).body.repaired).toEqual([]);
      api.owned.delete(extra.sid);
    });
  });
});
