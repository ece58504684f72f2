import twilio from 'twilio';
import type express from 'express';
import request from 'supertest';
import { TEST_AUTH_TOKEN, TEST_BASE_URL } from './test-app';

/** Sends a webhook exactly as Twilio would: form-encoded, signed with twilio's own function over the public URL. */
export function sendSignedWebhook(app: express.Express, path: string, params: Record<string, string>, opts: { authToken?: string; baseUrl?: string } = {}) {
  const signature = twilio.getExpectedTwilioSignature(opts.authToken ?? TEST_AUTH_TOKEN, `${opts.baseUrl ?? TEST_BASE_URL}${path}`, params);
  return request(app).post(path).type('form').set('X-Twilio-Signature', signature).send(params);
}

export const FIXTURE_CALLER = '+447700900123';

let counter = 0;
/** A unique, well-formed CallSid per test call. */
export function newCallSid(): string {
  counter += 1;
  return `CA${Date.now().toString(16).padStart(16, '0')}${counter.toString(16).padStart(16, '0')}`.slice(0, 34);
}
