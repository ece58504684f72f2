/**
 * What the server tells the browser script. Shared by the script (bundled for browsers) and the server
 * code that builds it, so both sides agree on the shapes.
 */

/**
 * A phone number taken apart by the server (libphonenumber-js), so the script can recognise and write
 * numbers without carrying libphonenumber's metadata to the browser (see swap-numbers.ts).
 */
export interface NumberShape {
  e164: string;
  /** '44' */
  countryCode: string;
  /** National significant number: '2079460000'. */
  nationalNumber: string;
  /** The trunk prefix written before it in national format: '0' in the UK, '' in the US. */
  nationalPrefix: string;
  /** Digit groups of the national significant number in its standard national format: [2, 4, 4]. */
  groups: number[];
  /** Standard international format ('+44 20 7946 0000'), written where the page's own format cannot be used. */
  international: string;
}

/** A tracking number as the visit and heartbeat endpoints answer it. */
export interface ShownNumber extends NumberShape {
  /** National format for people: '020 7946 0000'. */
  display: string;
}

export interface ScriptConfig {
  siteKey: string;
  /** Base URL of the tracking API when the script cannot tell where it was loaded from. */
  api: string;
  /** False when the site has tracking switched off: the script loads and leaves the page alone. */
  enabled: boolean;
  consent: 'required' | 'not-required';
  honorDnt: boolean;
  honorGpc: boolean;
  /** Until the visit answer says otherwise. */
  heartbeatSeconds: number;
  /** The site's own numbers, which the tracking number replaces. */
  targets: NumberShape[];
}

export interface VisitAnswer {
  visitorId: string | null;
  visitId: string | null;
  number: ShownNumber | null;
  leaseToken: string | null;
  heartbeatSeconds: number;
}
