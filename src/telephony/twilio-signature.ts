import type { RequestHandler } from 'express';
import twilio from 'twilio';
import { ForbiddenError } from '../shared/errors';

/**
 * Only the carrier may drive our call records. Twilio signs the URL it called plus every POST field;
 * behind a TLS-terminating proxy Express sees another URL, so we verify against the public base URL
 * we gave Twilio. Checked in simulated mode too, so the offline demo exercises the real path.
 */
export function verifyTwilioSignature(authToken: string, publicBaseUrl: string): RequestHandler {
  return (req, _res, next) => {
    const signature = req.header('x-twilio-signature');
    if (!signature) return next(new ForbiddenError('Missing X-Twilio-Signature header.'));
    const url = `${publicBaseUrl}${req.originalUrl}`;
    const params = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, string>;
    if (!twilio.validateRequest(authToken, signature, url, params)) return next(new ForbiddenError('The X-Twilio-Signature does not match this request.'));
    next();
  };
}
