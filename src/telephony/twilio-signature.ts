import type { RequestHandler } from 'express';
import twilio from 'twilio';
import { ForbiddenError } from '../shared/errors';

export interface SignatureOptions {
  /** Signs (HMAC-SHA1) every webhook of the account. */
  authToken: string;
  /** Secret of a Twilio SharedKey, for webhooks signed with it (they name the algorithm in a header). */
  sharedKey?: string;
  /** The URL Twilio was given: webhooks are verified against it, never against what Express sees. */
  publicBaseUrl: string;
}

const ALGORITHMS = new Set([twilio.HMAC_SHA1, twilio.HMAC_SHA256]);

/**
 * Only the carrier may drive our call records. Twilio signs the URL it called plus every POST field;
 * behind a TLS-terminating proxy Express sees another URL, so we verify against the public base URL
 * we gave Twilio. A webhook signed with a SharedKey carries X-Twilio-Webhooks-Signature-Settings
 * (`key=...,algorithm=HMAC_SHA256`) and is checked with that key instead of the auth token. Checked in
 * simulated mode too, so the offline demo exercises the real path.
 */
export function verifyTwilioSignature(opts: SignatureOptions): RequestHandler {
  return (req, _res, next) => {
    const signature = req.header(twilio.SIGNATURE_HEADER);
    if (!signature) return next(new ForbiddenError('Missing X-Twilio-Signature header.'));
    const settings = req.header(twilio.SIGNATURE_SETTINGS_HEADER);
    const algorithm = twilio.getSignatureAlgorithm(settings);
    if (!ALGORITHMS.has(algorithm)) return next(new ForbiddenError('The webhook names a signature algorithm this service does not accept.'));
    const secret = settings ? opts.sharedKey : opts.authToken;
    if (!secret) return next(new ForbiddenError('The webhook is signed with a SharedKey, but TWILIO_WEBHOOK_SHARED_KEY is not configured.'));
    const url = `${opts.publicBaseUrl}${req.originalUrl}`;
    const params = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, string>;
    if (!twilio.validateRequest(secret, signature, url, params, algorithm)) return next(new ForbiddenError('The X-Twilio-Signature does not match this request.'));
    next();
  };
}
