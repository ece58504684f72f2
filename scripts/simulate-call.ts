/**
 * Places a pretend inbound call against a running service, sending the same signed webhooks Twilio
 * would: the voice webhook (ringing), the <Dial action> when the forwarded leg ends, and the number's
 * status callback (completed, with a duration). With no --to, it first opens a visit on the demo site
 * (as if from a Google Ads click) and calls the number that visit was shown.
 *
 *   npm run simulate-call -- [--base-url http://localhost:3000] [--to +442079460001] [--from +447700900123]
 *                            [--site-key sk_demo_localhost] [--outcome answered|busy|no-answer] [--talk 42]
 *                            [--admin-key KEY]
 */
import { parseArgs } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import twilio from 'twilio';
import { SIMULATED_AUTH_TOKEN } from '../config';
import { DEMO_SITE_KEY } from '../src/demo/seed-demo';

const { values: args } = parseArgs({
  options: {
    'base-url': { type: 'string', default: process.env.PUBLIC_BASE_URL ?? `http://localhost:${process.env.PORT ?? 3000}` },
    to: { type: 'string' },
    from: { type: 'string', default: '+447700900123' },
    'site-key': { type: 'string', default: DEMO_SITE_KEY },
    outcome: { type: 'string', default: 'answered' },
    talk: { type: 'string', default: '42' },
    'auth-token': { type: 'string', default: process.env.TWILIO_AUTH_TOKEN ?? SIMULATED_AUTH_TOKEN },
    'admin-key': { type: 'string', default: process.env.ADMIN_API_KEY },
    'data-dir': { type: 'string', default: process.env.EMBEDDED_DATA_DIR ?? './data' },
  },
});

const baseUrl = (args['base-url'] as string).replace(/\/+$/, '');
const authToken = args['auth-token'] as string;
const accountSid = `AC${'0'.repeat(32)}`;
const callSid = `CA${randomBytes(16).toString('hex')}`;

async function post(pathname: string, params: Record<string, string>): Promise<{ status: number; body: string }> {
  const url = `${baseUrl}${pathname}`;
  const signature = twilio.getExpectedTwilioSignature(authToken, url, params);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: await res.text() };
}

async function openVisit(): Promise<string> {
  const res = await fetch(`${baseUrl}/t/${args['site-key']}/visits`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: 'https://localhost/offers?utm_source=google&utm_medium=cpc&utm_campaign=simulated-call&gclid=sim123', referrer: 'https://www.google.com/', title: 'Offers' }),
  });
  const body = (await res.json()) as { visitId?: string; number?: { e164: string; display: string } | null; detail?: string };
  if (!res.ok) throw new Error(`visit not registered (${res.status}): ${body.detail ?? JSON.stringify(body)}`);
  if (!body.number) throw new Error('the site gave this visit no tracking number (tracking disabled or pool exhausted)');
  console.log(`visit ${body.visitId} was shown ${body.number.display} (${body.number.e164})`);
  return body.number.e164;
}

function adminKey(): string | undefined {
  if (args['admin-key']) return args['admin-key'];
  const file = path.join(args['data-dir'] as string, 'admin-api-key');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

async function main(): Promise<void> {
  const to = args.to ?? (await openVisit());
  const from = args.from as string;
  const talk = String(Number(args.talk) || 0);
  const outcome = args.outcome as string;
  const common = { AccountSid: accountSid, ApiVersion: '2010-04-01', CallSid: callSid, From: from, Caller: from, To: to, Called: to, Direction: 'inbound' };

  const voice = await post('/webhooks/twilio/voice', { ...common, CallStatus: 'ringing', FromCountry: 'GB', ToCountry: 'GB' });
  console.log(`voice webhook -> ${voice.status}\n${voice.body}`);
  if (voice.status !== 200) process.exit(1);

  const dialStatus = outcome === 'answered' ? 'completed' : outcome;
  const dial = await post('/webhooks/twilio/dial', { ...common, CallStatus: 'in-progress', DialCallSid: `CA${randomBytes(16).toString('hex')}`, DialCallStatus: dialStatus, DialCallDuration: outcome === 'answered' ? talk : '0' });
  console.log(`dial action (${dialStatus}) -> ${dial.status}`);

  const duration = String(Number(talk) + 9);
  const status = await post('/webhooks/twilio/status', { ...common, CallStatus: 'completed', CallDuration: outcome === 'answered' ? duration : '9', SequenceNumber: '0', Timestamp: new Date().toUTCString() });
  console.log(`status callback (completed) -> ${status.status}`);

  const key = adminKey();
  if (!key) return console.log('No admin key found (--admin-key or ADMIN_API_KEY); skipping the read-back.');
  const res = await fetch(`${baseUrl}/v1/calls?limit=20`, { headers: { authorization: `Bearer ${key}` } });
  const page = (await res.json()) as { data?: { callSid: string }[] };
  const call = page.data?.find((c) => c.callSid === callSid);
  console.log(call ? `recorded call:\n${JSON.stringify(call, null, 2)}` : `call not found in GET /v1/calls (${res.status})`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
