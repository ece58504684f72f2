import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How receivers know a webhook came from us (docs/webhooks.md), in the style of Stripe's scheme:
 *
 *   Calltracking-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
 *
 * The timestamp is signed with the body, so a captured request cannot be replayed later than the
 * receiver's tolerance. The key is the whole secret string as shown at registration (whsec_...).
 * Several v1 entries may appear (one per secret, should we ever sign with two); any match is enough.
 */
export const SIGNATURE_HEADER = 'Calltracking-Signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The hex HMAC-SHA256 of "<timestamp>.<body>" under `secret`. */
export function webhookSignature(secret: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex');
}

/** The Calltracking-Signature header for `body` sent at `now`. */
export function signatureHeader(secret: string, body: string, now: Date): string {
  const t = Math.floor(now.getTime() / 1000);
  return `t=${t},v1=${webhookSignature(secret, t, body)}`;
}

/**
 * For receivers (and our tests): true when `header` signs exactly `body` (the raw bytes received,
 * before any JSON parsing) with `secret`, at a time within `toleranceSeconds` of `now`.
 */
export function verifyWebhookSignature(secret: string, header: string | undefined, body: string, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS, now: Date = new Date()): boolean {
  if (!header) return false;
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestamp === undefined || !signatures.length) return false;
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(webhookSignature(secret, timestamp, body), 'hex');
  // Constant time per comparison: how much of a guess matched must not show in the response time.
  return signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
}
