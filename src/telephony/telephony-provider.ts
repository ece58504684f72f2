/**
 * The carrier as the rest of the service sees it. `simulated` works offline with fictional numbers;
 * the Twilio implementation buys real ones. Webhook handling does not depend on this interface: both
 * deliver Twilio-shaped, signed webhooks.
 */
export type ProvisionCountry = 'GB' | 'US' | 'CA';
export type NumberType = 'local' | 'tollFree' | 'mobile';

export interface NumberSearch {
  country: ProvisionCountry;
  /** Default 'local'. */
  type?: NumberType;
  /** US/CA: the area code (NPA); elsewhere the national prefix the number starts with (e.g. 20 for London). */
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
  /** Regulatory bundle and address of the client, required to buy numbers in some countries (GB). */
  bundleSid?: string | null;
  addressSid?: string | null;
}

/** A number as the carrier account holds it, with the webhooks it will call. */
export interface CarrierNumber {
  providerSid: string;
  e164: string;
  friendlyName: string | null;
  webhooks: NumberWebhooks;
}

/** Where the carrier sends a number's calls; what reconciliation keeps from drifting. */
export interface NumberWebhooks {
  voiceUrl: string | null;
  voiceMethod: string | null;
  voiceFallbackUrl: string | null;
  voiceFallbackMethod: string | null;
  statusCallback: string | null;
  statusCallbackMethod: string | null;
}

export interface TelephonyProvider {
  readonly name: 'simulated' | 'twilio';
  /** Numbers the carrier offers now; may include numbers we already own (the caller filters). */
  searchAvailable(search: NumberSearch): Promise<string[]>;
  purchase(e164: string, options: PurchaseOptions): Promise<PurchasedNumber>;
  /** Gives a number back to the carrier; one the carrier no longer has counts as released. */
  release(providerSid: string): Promise<void>;
  /** Every number of the account. */
  listOwned(): Promise<CarrierNumber[]>;
  /** The webhooks this service wants every number to have. */
  expectedWebhooks(): NumberWebhooks;
  setWebhooks(providerSid: string, webhooks: NumberWebhooks): Promise<void>;
}
