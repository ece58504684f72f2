import twilio from 'twilio';
import type { NumberSearch, PurchasedNumber, PurchaseOptions, TelephonyProvider } from './telephony-provider';

export interface TwilioProviderOptions {
  accountSid: string;
  authToken: string;
  /** Where Twilio will send the number's webhooks. */
  voiceUrl: string;
  statusCallbackUrl: string;
  /** For tests: a twilio RequestClient pointed at a local fake of the API. */
  httpClient?: ConstructorParameters<typeof twilio.Twilio>[2] extends infer O ? (O extends { httpClient?: infer H } ? H : never) : never;
}

/** Searches and buys voice-enabled local numbers through Twilio's REST API, wiring their webhooks to us. */
export class TwilioProvider implements TelephonyProvider {
  readonly name = 'twilio' as const;
  private readonly client: twilio.Twilio;

  constructor(private readonly opts: TwilioProviderOptions) {
    this.client = twilio(opts.accountSid, opts.authToken, opts.httpClient ? { httpClient: opts.httpClient } : {});
  }

  async searchAvailable(search: NumberSearch): Promise<string[]> {
    const local = this.client.availablePhoneNumbers(search.country).local;
    const found = await local.list({
      voiceEnabled: true,
      limit: Math.min(search.limit, 50),
      // Area codes are a North American idea; elsewhere Twilio matches a pattern.
      ...(search.areaCode ? (search.country === 'US' ? { areaCode: Number(search.areaCode) } : { contains: `+44${search.areaCode.replace(/^0/, '')}*` }) : {}),
    });
    return found.map((n) => n.phoneNumber);
  }

  async purchase(e164: string, options: PurchaseOptions): Promise<PurchasedNumber> {
    const bought = await this.client.incomingPhoneNumbers.create({
      phoneNumber: e164,
      friendlyName: options.friendlyName.slice(0, 64),
      voiceUrl: this.opts.voiceUrl,
      voiceMethod: 'POST',
      statusCallback: this.opts.statusCallbackUrl,
      statusCallbackMethod: 'POST',
    });
    return { e164: bought.phoneNumber, providerSid: bought.sid };
  }
}
