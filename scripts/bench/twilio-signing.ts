import { randomBytes } from 'node:crypto';
import twilio from 'twilio';

/**
 * Twilio webhooks as Twilio sends them: form-encoded, signed with the account's auth token over the
 * URL Twilio was given (the service's PUBLIC_BASE_URL plus the path) and the sorted POST fields.
 */
export const ACCOUNT_SID = `AC${'0'.repeat(32)}`;

const runTag = randomBytes(4).toString('hex');
let sidCounter = 0;

/** Unique across requests and runs: CA + 32 hex digits, like Twilio's. */
export const newCallSid = (): string => `CA${runTag}${(sidCounter++).toString(16).padStart(24, '0')}`;

export interface SignedForm {
  headers: Record<string, string>;
  body: string;
}

/** The body and headers of one webhook delivery to `signedUrl` (the public URL, whatever host receives it). */
export function signedForm(authToken: string, signedUrl: string, params: Record<string, string>): SignedForm {
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, signedUrl, params) },
    body: new URLSearchParams(params).toString(),
  };
}
