import twilio from 'twilio';
import type express from 'express';
import request from 'supertest';
import { TEST_AUTH_TOKEN, TEST_BASE_URL } from './test-app';

export interface SigningOptions {
  authToken?: string;
  baseUrl?: string;
}

/** The X-Twilio-Signature Twilio would send for these form fields posted to `path` (a repeated field is an array). */
export function twilioSignature(path: string, params: Record<string, string | string[]>, opts: SigningOptions = {}): string {
  return twilio.getExpectedTwilioSignature(opts.authToken ?? TEST_AUTH_TOKEN, `${opts.baseUrl ?? TEST_BASE_URL}${path}`, params);
}

/** Sends a webhook exactly as Twilio would: form-encoded, signed with twilio's own function over the public URL. */
export function sendSignedWebhook(app: express.Express, path: string, params: Record<string, string>, opts: SigningOptions = {}) {
  return request(app).post(path).type('form').set('X-Twilio-Signature', twilioSignature(path, params, opts)).send(params);
}

export const FIXTURE_CALLER = '+447700900123';

let counter = 0;
/** A unique, well-formed CallSid per test call. */
export function newCallSid(): string {
  counter += 1;
  return `CA${Date.now().toString(16).padStart(16, '0')}${counter.toString(16).padStart(16, '0')}`.slice(0, 34);
}
