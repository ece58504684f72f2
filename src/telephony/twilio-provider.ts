import twilio from 'twilio';
import { getLogger } from '../shared/logging/logger';
import { countryOf } from '../shared/phone';
import { CarrierRequirementError, CarrierUnavailableError, NumberNotPurchasedError } from './carrier-errors';
import type { CarrierNumber, NumberSearch, NumberWebhooks, PurchasedNumber, PurchaseOptions, TelephonyProvider } from './telephony-provider';

const log = getLogger('twilio');

export interface RetryPolicy {
  /** Attempts after the first when Twilio answers 429 (error 20429). */
  maxRetries: number;
  /** Backoff before retry n is random in [0, min(maxDelayMs, baseDelayMs * 2^n)] (full jitter). */
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface TwilioProviderOptions {
  accountSid: string;
  authToken: string;
  /** The webhooks every number gets (and that reconciliation restores). */
  webhooks: NumberWebhooks;
  /** For tests: a twilio RequestClient pointed at a local fake of the API. */
  httpClient?: twilio.RequestClient;
  retry?: Partial<RetryPolicy>;
}

const DEFAULT_RETRY: RetryPolicy = { maxRetries: 4, baseDelayMs: 500, maxDelayMs: 8000 };
/** Calling codes for the `contains` pattern outside North America. */
const CALLING_CODE: Record<string, string> = { GB: '44' };

/** Twilio error codes we act on (https://www.twilio.com/docs/api/errors). */
const TOO_MANY_REQUESTS = 20429;
const NOT_FOUND = 20404;
const BUNDLE_REQUIRED = 21649;
const ADDRESS_REQUIRED = new Set([21631, 21615]);

/** Searches, buys, reconfigures and releases numbers through Twilio's REST API (twilio package). */
export class TwilioProvider implements TelephonyProvider {
  readonly name = 'twilio' as const;
  private readonly client: twilio.Twilio;
  private readonly retry: RetryPolicy;

  constructor(private readonly opts: TwilioProviderOptions) {
    this.client = twilio(opts.accountSid, opts.authToken, opts.httpClient ? { httpClient: opts.httpClient } : {});
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
  }

  async searchAvailable(search: NumberSearch): Promise<string[]> {
    const country = this.client.availablePhoneNumbers(search.country);
    const query = { voiceEnabled: true, limit: Math.min(search.limit, 50), ...areaFilter(search) };
    type Offered = { phoneNumber: string; capabilities?: unknown };
    const found = await this.call<Offered[]>('search', () =>
      search.type === 'tollFree' ? country.tollFree.list(query) : search.type === 'mobile' ? country.mobile.list(query) : country.local.list(query),
    );
    // voiceEnabled filters on Twilio's side already; a number that still says no voice is never offered.
    return found.filter((n) => (n.capabilities as { voice?: boolean } | undefined)?.voice !== false).map((n) => n.phoneNumber);
  }

  async purchase(e164: string, options: PurchaseOptions): Promise<PurchasedNumber> {
    const w = this.opts.webhooks;
    const params = {
      phoneNumber: e164,
      friendlyName: options.friendlyName.slice(0, 64),
      voiceUrl: w.voiceUrl ?? undefined,
      voiceMethod: w.voiceMethod ?? undefined,
      voiceFallbackUrl: w.voiceFallbackUrl ?? undefined,
      voiceFallbackMethod: w.voiceFallbackMethod ?? undefined,
      statusCallback: w.statusCallback ?? undefined,
      statusCallbackMethod: w.statusCallbackMethod ?? undefined,
      // Regulated countries (GB) sell numbers only with the client's bundle and address.
      ...(options.bundleSid ? { bundleSid: options.bundleSid } : {}),
      ...(options.addressSid ? { addressSid: options.addressSid } : {}),
    };
    const bought = await this.call('purchase', () => this.client.incomingPhoneNumbers.create(params), countryOf(e164) ?? undefined);
    return { e164: bought.phoneNumber, providerSid: bought.sid };
  }

  async release(providerSid: string): Promise<void> {
    try {
      await this.call('release', () => this.client.incomingPhoneNumbers(providerSid).remove());
    } catch (err) {
      // Already gone from the account (released by hand in the console): that is what we wanted.
      if (err instanceof NumberNotPurchasedError && err.carrierCode === NOT_FOUND) return;
      throw err;
    }
  }

  async listOwned(): Promise<CarrierNumber[]> {
    const numbers = await this.call('list', () => this.client.incomingPhoneNumbers.list({ pageSize: 1000 }));
    return numbers.map((n) => ({
      providerSid: n.sid,
      e164: n.phoneNumber,
      friendlyName: n.friendlyName ?? null,
      webhooks: {
        voiceUrl: n.voiceUrl ?? null,
        voiceMethod: n.voiceMethod ?? null,
        voiceFallbackUrl: n.voiceFallbackUrl ?? null,
        voiceFallbackMethod: n.voiceFallbackMethod ?? null,
        statusCallback: n.statusCallback ?? null,
        statusCallbackMethod: n.statusCallbackMethod ?? null,
      },
    }));
  }

  expectedWebhooks(): NumberWebhooks {
    return { ...this.opts.webhooks };
  }

  async setWebhooks(providerSid: string, w: NumberWebhooks): Promise<void> {
    await this.call('update', () =>
      this.client.incomingPhoneNumbers(providerSid).update({
        voiceUrl: w.voiceUrl ?? '',
        voiceMethod: w.voiceMethod ?? 'POST',
        voiceFallbackUrl: w.voiceFallbackUrl ?? '',
        voiceFallbackMethod: w.voiceFallbackMethod ?? 'POST',
        statusCallback: w.statusCallback ?? '',
        statusCallbackMethod: w.statusCallbackMethod ?? 'POST',
      }),
    );
  }

  /** Runs one API request, retrying rate limits with backoff, and turns Twilio's errors into ours. */
  private async call<T>(operation: string, request: () => Promise<T>, country?: string): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await request();
      } catch (err) {
        const e = err as { status?: number; code?: number; moreInfo?: string; message?: string };
        const rateLimited = e.status === 429 || e.code === TOO_MANY_REQUESTS;
        if (rateLimited && attempt < this.retry.maxRetries) {
          const delay = Math.floor(Math.random() * Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt));
          log.warn('twilio rate limited; backing off', { operation, attempt: attempt + 1, delayMs: delay });
          await new Promise((resolve) => setTimeout(resolve, delay));
          continue;
        }
        throw translate(operation, err, rateLimited, country);
      }
    }
  }
}

function areaFilter(search: NumberSearch): { areaCode?: number; contains?: string } {
  if (!search.areaCode) return {};
  // Area codes are a North American idea; elsewhere the number must start with the national prefix.
  if (search.country === 'US' || search.country === 'CA') return { areaCode: Number(search.areaCode) };
  return { contains: `+${CALLING_CODE[search.country] ?? ''}${search.areaCode.replace(/^0/, '')}%` };
}

/** RestException (and the newer TwilioServiceException) carry the HTTP status and Twilio's error code. */
function translate(operation: string, err: unknown, rateLimited: boolean, country?: string): Error {
  const e = err as { status?: unknown; code?: unknown; moreInfo?: string; message?: string };
  if (!e || typeof e.status !== 'number') {
    log.error('twilio request failed', { operation, error: err });
    return new CarrierUnavailableError('Twilio could not be reached; please retry.');
  }
  const status = e.status;
  const code = typeof e.code === 'number' ? e.code : undefined;
  if (code === BUNDLE_REQUIRED) return new CarrierRequirementError('bundle', { carrierCode: code, moreInfo: e.moreInfo, country });
  if (code !== undefined && ADDRESS_REQUIRED.has(code)) return new CarrierRequirementError('address', { carrierCode: code, moreInfo: e.moreInfo, country });
  if (rateLimited) return new CarrierUnavailableError('Twilio kept answering "too many requests"; please retry in a minute.');
  if (status === 401 || status === 403) {
    log.error('twilio refused our credentials', { operation, status, code });
    return new CarrierUnavailableError(`Twilio refused the request (HTTP ${status}${code ? `, error ${code}` : ''}); check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.`);
  }
  if (status >= 500) {
    log.error('twilio failed', { operation, status, code });
    return new CarrierUnavailableError(`Twilio failed (HTTP ${status}); please retry.`);
  }
  return new NumberNotPurchasedError(`Twilio error ${code ?? status}: ${e.message ?? 'request refused'}`, code ?? (status === 404 ? NOT_FOUND : undefined));
}
