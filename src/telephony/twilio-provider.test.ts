import { FakeTwilioApi } from '../../test/support/fake-twilio-api';
import { CarrierRequirementError, CarrierUnavailableError, NumberNotPurchasedError } from './carrier-errors';
import type { NumberWebhooks } from './telephony-provider';
import { TwilioProvider } from './twilio-provider';

const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const BASE = 'https://calls.example.test';
const WEBHOOKS: NumberWebhooks = {
  voiceUrl: `${BASE}/webhooks/twilio/voice`,
  voiceMethod: 'POST',
  voiceFallbackUrl: `${BASE}/webhooks/twilio/fallback`,
  voiceFallbackMethod: 'POST',
  statusCallback: `${BASE}/webhooks/twilio/status`,
  statusCallbackMethod: 'POST',
};
const BUNDLE = `BU${'a'.repeat(32)}`;
const ADDRESS = `AD${'b'.repeat(32)}`;
// Ofcom drama numbers and NANP 555-01xx: never a real line.
const LONDON = ['+442079460101', '+442079460102', '+442079460103'];
const LEEDS = ['+441134960101'];

describe('TwilioProvider against a local fake of the Twilio API', () => {
  let api: FakeTwilioApi;
  let provider: TwilioProvider;

  beforeEach(async () => {
    api = await FakeTwilioApi.start();
    provider = new TwilioProvider({ accountSid: ACCOUNT_SID, authToken: 'test-auth-token', webhooks: WEBHOOKS, httpClient: api.httpClient(), retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetries: 3 } });
  });
  afterEach(async () => {
    await api.close();
  });

  describe('searching', () => {
    it('when searching GB local numbers by area code, then it asks for voice-enabled numbers starting with +44 and that code', async () => {
      api.offer('GB', [...LONDON, ...LEEDS]);

      const found = await provider.searchAvailable({ country: 'GB', areaCode: '020', limit: 10 });

      expect(found).toEqual(LONDON);
      const [req] = api.requestsTo('GET', /AvailablePhoneNumbers\/GB\/Local\.json$/);
      expect(req.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/AvailablePhoneNumbers/GB/Local.json`);
      expect(req.query).toMatchObject({ VoiceEnabled: 'true', Contains: '+4420%' });
      expect(req.query).not.toHaveProperty('AreaCode');
      expect(req.accountSid).toBe(ACCOUNT_SID);
    });

    it('when searching US numbers by area code, then AreaCode is sent and no pattern', async () => {
      api.offer('US', ['+12125550101', '+14155550101']);

      const found = await provider.searchAvailable({ country: 'US', areaCode: '212', limit: 5 });

      expect(found).toEqual(['+12125550101']);
      const [req] = api.requestsTo('GET', /AvailablePhoneNumbers\/US\/Local\.json$/);
      expect(req.query).toMatchObject({ VoiceEnabled: 'true', AreaCode: '212', PageSize: '5' });
      expect(req.query).not.toHaveProperty('Contains');
    });

    it.each([
      ['tollFree', 'TollFree'],
      ['mobile', 'Mobile'],
    ] as const)('when searching %s numbers, then the %s list is asked', async (type, kind) => {
      api.offer('GB', ['+448081570101'], kind);

      expect(await provider.searchAvailable({ country: 'GB', type, limit: 3 })).toEqual(['+448081570101']);
      expect(api.requestsTo('GET', new RegExp(`AvailablePhoneNumbers/GB/${kind}\\.json$`))).toHaveLength(1);
    });
  });

  describe('buying', () => {
    it('when a number is bought, then the exact form fields wire its webhooks to PUBLIC_BASE_URL and name the pool', async () => {
      const bought = await provider.purchase(LONDON[0], { friendlyName: 'ct pool Spring campaign' });

      expect(bought).toEqual({ e164: LONDON[0], providerSid: expect.stringMatching(/^PN[0-9a-f]{32}$/) });
      const [req] = api.requestsTo('POST', /IncomingPhoneNumbers\.json$/);
      expect(req.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/IncomingPhoneNumbers.json`);
      expect(req.form).toEqual({
        PhoneNumber: LONDON[0],
        FriendlyName: 'ct pool Spring campaign',
        VoiceUrl: `${BASE}/webhooks/twilio/voice`,
        VoiceMethod: 'POST',
        VoiceFallbackUrl: `${BASE}/webhooks/twilio/fallback`,
        VoiceFallbackMethod: 'POST',
        StatusCallback: `${BASE}/webhooks/twilio/status`,
        StatusCallbackMethod: 'POST',
      });
    });

    it('when the client has a bundle and an address, then both are sent with the purchase', async () => {
      api.regulate('GB', { bundle: true, address: true });

      await provider.purchase(LONDON[0], { friendlyName: 'ct pool Main', bundleSid: BUNDLE, addressSid: ADDRESS });

      expect(api.requestsTo('POST', /IncomingPhoneNumbers\.json$/)[0].form).toMatchObject({ BundleSid: BUNDLE, AddressSid: ADDRESS });
    });

    it('when the friendly name is longer than Twilio accepts, then it is cut to 64 characters', async () => {
      await provider.purchase(LONDON[0], { friendlyName: `ct pool ${'x'.repeat(100)}` });

      expect(api.requestsTo('POST', /IncomingPhoneNumbers\.json$/)[0].form.FriendlyName).toHaveLength(64);
    });

    it('when GB needs a bundle the client lacks (21649), then a CarrierRequirementError names twilioBundleSid', async () => {
      api.regulate('GB', { bundle: true });

      const err = await provider.purchase(LONDON[0], { friendlyName: 'ct pool Main' }).catch((e: unknown) => e);

      expect(err).toBeInstanceOf(CarrierRequirementError);
      expect((err as CarrierRequirementError).toProblem()).toMatchObject({ status: 422, missing: 'twilioBundleSid', carrierCode: 21649, country: 'GB', moreInfo: 'https://www.twilio.com/docs/errors/21649' });
      expect((err as Error).message).toMatch(/PATCH \/v1\/clients\/\{id\}.*twilioBundleSid/);
    });

    it('when an address is required (21631), then the error names twilioAddressSid', async () => {
      api.regulate('GB', { address: true });

      const err = await provider.purchase(LONDON[0], { friendlyName: 'ct pool Main', bundleSid: BUNDLE }).catch((e: unknown) => e);

      expect((err as CarrierRequirementError).toProblem()).toMatchObject({ missing: 'twilioAddressSid', carrierCode: 21631 });
    });

    it('when a number was taken meanwhile (21422), then a NumberNotPurchasedError carries the code', async () => {
      api.refuse(LONDON[0], 21422, 'PhoneNumber is not available');

      const err = await provider.purchase(LONDON[0], { friendlyName: 'ct pool Main' }).catch((e: unknown) => e);

      expect(err).toBeInstanceOf(NumberNotPurchasedError);
      expect(err).toMatchObject({ carrierCode: 21422, message: expect.stringContaining('21422') });
    });
  });

  describe('rate limits', () => {
    it('when Twilio answers 429 (20429) twice, then the request is retried with backoff and succeeds', async () => {
      api.rateLimitNext(2);

      const bought = await provider.purchase(LONDON[0], { friendlyName: 'ct pool Main' });

      expect(bought.e164).toBe(LONDON[0]);
      expect(api.requestsTo('POST', /IncomingPhoneNumbers\.json$/)).toHaveLength(3);
    });

    it('when Twilio keeps answering 429, then it gives up after the retries with CarrierUnavailableError', async () => {
      api.rateLimitNext(10);

      await expect(provider.purchase(LONDON[0], { friendlyName: 'ct pool Main' })).rejects.toBeInstanceOf(CarrierUnavailableError);
      expect(api.requests).toHaveLength(4);
      expect(api.owned.size).toBe(0);
    });
  });

  describe('account upkeep', () => {
    it('when the account is listed over several pages, then every number comes back with its webhooks', async () => {
      api.listPageSize = 2;
      for (const e164 of [...LONDON, ...LEEDS]) api.addOwned({ phone_number: e164, voice_url: `${BASE}/webhooks/twilio/voice` });

      const owned = await provider.listOwned();

      expect(owned.map((n) => n.e164).sort()).toEqual([...LEEDS, ...LONDON].sort());
      expect(owned[0].webhooks).toMatchObject({ voiceUrl: `${BASE}/webhooks/twilio/voice`, voiceMethod: 'POST' });
      expect(api.requestsTo('GET', /IncomingPhoneNumbers\.json$/).length).toBeGreaterThanOrEqual(2);
    });

    it('when webhooks are set, then every webhook field is sent to the number', async () => {
      const n = api.addOwned({ phone_number: LONDON[0], voice_url: 'https://old.example.test/voice' });

      await provider.setWebhooks(n.sid, WEBHOOKS);

      const [req] = api.requestsTo('POST', new RegExp(`IncomingPhoneNumbers/${n.sid}\\.json$`));
      expect(req.form).toEqual({
        VoiceUrl: WEBHOOKS.voiceUrl,
        VoiceMethod: 'POST',
        VoiceFallbackUrl: WEBHOOKS.voiceFallbackUrl,
        VoiceFallbackMethod: 'POST',
        StatusCallback: WEBHOOKS.statusCallback,
        StatusCallbackMethod: 'POST',
      });
      expect(api.owned.get(n.sid)?.voice_url).toBe(WEBHOOKS.voiceUrl);
    });

    it('when a number is released, then it is deleted from the account; releasing it again is not an error', async () => {
      const n = api.addOwned({ phone_number: LONDON[0] });

      await provider.release(n.sid);
      await provider.release(n.sid);

      expect(api.owned.has(n.sid)).toBe(false);
      expect(api.requestsTo('DELETE', /IncomingPhoneNumbers\/PN/)).toHaveLength(2);
    });

    it('when the credentials are wrong, then CarrierUnavailableError says to check them', async () => {
      api.rejectCredentials = true;

      const err = await provider.listOwned().catch((e: unknown) => e);

      expect(err).toBeInstanceOf(CarrierUnavailableError);
      expect((err as Error).message).toMatch(/HTTP 401.*TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/);
    });
  });
});
