/**
 * The carrier as the rest of the service sees it. `simulated` works offline with fictional numbers;
 * the Twilio implementation buys real ones. Webhook handling does not depend on this interface: both
 * deliver Twilio-shaped, signed webhooks.
 */
export type ProvisionCountry = 'GB' | 'US';

export interface NumberSearch {
  country: ProvisionCountry;
  areaCode?: string;
  limit: number;
}

export interface PurchasedNumber {
  e164: string;
  providerSid: string;
}

export interface PurchaseOptions {
  /** Shown in the carrier's console, e.g. the pool's name. */
  friendlyName: string;
}

export interface TelephonyProvider {
  readonly name: 'simulated' | 'twilio';
  /** Numbers the carrier offers now; may include numbers we already own (the caller filters). */
  searchAvailable(search: NumberSearch): Promise<string[]>;
  purchase(e164: string, options: PurchaseOptions): Promise<PurchasedNumber>;
}
