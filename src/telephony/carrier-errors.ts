import { AppError } from '../shared/errors';

/**
 * The carrier refused to sell a number until the client supplies a regulatory document (Twilio 21649:
 * a bundle is required; 21631: an address is required). Every further purchase would fail the same
 * way, so provisioning stops and the operator is told exactly what to add.
 */
export class CarrierRequirementError extends AppError {
  readonly statusCode = 422;
  readonly title = 'Regulatory requirement missing';

  constructor(
    readonly missing: 'bundle' | 'address',
    extensions: { carrierCode: number; moreInfo?: string; country?: string },
  ) {
    super(
      missing === 'bundle'
        ? `The carrier sells numbers in ${extensions.country ?? 'this country'} only with an approved regulatory bundle. Create one in the Twilio console and set it on the client: PATCH /v1/clients/{id} {"twilioBundleSid": "BU..."}.`
        : `The carrier sells numbers in ${extensions.country ?? 'this country'} only with a registered address. Create one in the Twilio console and set it on the client: PATCH /v1/clients/{id} {"twilioAddressSid": "AD..."}.`,
      { missing: missing === 'bundle' ? 'twilioBundleSid' : 'twilioAddressSid', ...extensions },
    );
  }
}

/** The carrier could not be used at all (bad credentials, outage, rate limit that did not clear). */
export class CarrierUnavailableError extends AppError {
  readonly statusCode = 503;
  readonly title = 'Carrier unavailable';
}

/** One number could not be bought (taken meanwhile, not available): try the next candidate. */
export class NumberNotPurchasedError extends Error {
  constructor(
    message: string,
    readonly carrierCode?: number,
  ) {
    super(message);
    this.name = 'NumberNotPurchasedError';
  }
}
