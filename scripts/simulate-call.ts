/**
 * Places a pretend inbound call against a running service, sending the same signed webhooks Twilio
 * would, in the order Twilio sends them: the voice webhook, the whisper fetch and the forwarded leg's
 * <Number> status events, the <Dial action> (and, when the forward is not answered, the pool's
 * fallback: a second number or voicemail), the recording callback, and the call's final status. With
 * no --to, it first opens a visit on the demo site (as if from a Google Ads click) and calls the number
 * that visit was shown.
 *
 *   npm run simulate-call -- [--base-url http://localhost:3000] [--to +442079460001] [--from +447700900123]
 *                            [--site-key sk_demo_localhost] [--outcome answered|busy|no-answer|failed] [--talk 42]
 *                            [--fallback +441134960998|voicemail] [--fallback-outcome answered|busy|no-answer|failed]
 *                            [--record] [--whisper] [--admin-key KEY]
 *
 * --fallback, --record and --whisper set the called number's own routing (PATCH /v1/numbers/{id}, so
 * they need the admin key) for this call and put it back afterwards.
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
    fallback: { type: 'string' },
    'fallback-outcome': { type: 'string', default: 'answered' },
    record: { type: 'boolean', default: false },
    whisper: { type: 'boolean', default: false },
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
    // As a browser would: the tracking API shows scripts and bots (fetch's own 'node' agent) no tracking number.
    headers: { 'content-type': 'application/json', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 (simulate-call)' },
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

type Outcome = 'answered' | 'busy' | 'no-answer' | 'failed';
const OUTCOMES: readonly string[] = ['answered', 'busy', 'no-answer', 'failed'];

function outcomeArg(name: 'outcome' | 'fallback-outcome'): Outcome {
  const value = args[name] as string;
  if (!OUTCOMES.includes(value)) throw new Error(`--${name} must be one of ${OUTCOMES.join(', ')}`);
  return value as Outcome;
}

/** The value of `attr` on the first <tag> of a TwiML document, unescaped. */
function twimlAttr(xml: string, tag: string, attr: string): string | undefined {
  const element = new RegExp(`<${tag}\\s[^>]*>`).exec(xml)?.[0];
  const value = element && new RegExp(`\\s${attr}="([^"]*)"`).exec(element)?.[1];
  return value?.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

/** A URL from our own TwiML, as the path (and query) to post to on --base-url. */
const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

async function adminRequest(method: string, pathname: string, body?: unknown): Promise<unknown> {
  const key = adminKey();
  if (!key) throw new Error('--fallback, --record and --whisper change the number through the admin API: pass --admin-key or set ADMIN_API_KEY');
  const res = await fetch(`${baseUrl}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as unknown;
  if (!res.ok) throw new Error(`${method} ${pathname} -> ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

/** Sets the called number's own routing for this call; returns how to put it back. */
async function overrideRouting(to: string): Promise<() => Promise<void>> {
  const changes: Record<string, unknown> = {};
  if (args.fallback) changes.fallback = args.fallback;
  if (args.record) changes.record = true;
  if (args.whisper) changes.whisper = true;
  if (!Object.keys(changes).length) return async () => undefined;
  const found = (await adminRequest('GET', `/v1/numbers?e164=${encodeURIComponent(to)}`)) as { data: { id: string; overrides: Record<string, unknown> }[] };
  const number = found.data[0];
  if (!number) throw new Error(`${to} is not one of the service's numbers`);
  const before = Object.fromEntries(Object.keys(changes).map((k) => [k, number.overrides[k] ?? null]));
  await adminRequest('PATCH', `/v1/numbers/${number.id}`, changes);
  console.log(`number routing for this call: ${JSON.stringify(changes)}`);
  return async () => {
    await adminRequest('PATCH', `/v1/numbers/${number.id}`, before);
  };
}

/**
 * One forwarded leg as Twilio reports it: the whisper fetch when the agent answers, the <Number>
 * status events, then the <Dial action>. Returns the TwiML the action answered.
 */
async function forwardedLeg(twiml: string, common: Record<string, string>, outcome: Outcome, talk: string, label: string): Promise<string> {
  const legSid = `CA${randomBytes(16).toString('hex')}`;
  const forwardTo = /<Number[^>]*>([^<]+)<\/Number>/.exec(twiml)?.[1] ?? '';
  const leg = { AccountSid: accountSid, ApiVersion: '2010-04-01', CallSid: legSid, ParentCallSid: callSid, From: common.From, To: forwardTo, Direction: 'outbound-dial', CallbackSource: 'call-progress-events' };
  const statusUrl = twimlAttr(twiml, 'Number', 'statusCallback');
  let seq = 0;
  const legStatus = async (status: string, extra: Record<string, string> = {}) => {
    if (!statusUrl) return;
    const res = await post(pathOf(statusUrl), { ...leg, CallStatus: status, SequenceNumber: String(seq++), Timestamp: new Date().toUTCString(), ...extra });
    console.log(`  ${label} leg ${status} -> ${res.status}`);
  };
  await legStatus('initiated');
  await legStatus('ringing');
  if (outcome === 'answered') {
    const whisperUrl = twimlAttr(twiml, 'Number', 'url');
    if (whisperUrl) {
      const whisper = await post(pathOf(whisperUrl), { ...leg, CallStatus: 'in-progress' });
      console.log(`  the agent hears: ${/<Say[^>]*>([^<]*)<\/Say>/.exec(whisper.body)?.[1] ?? whisper.body}`);
    }
    await legStatus('in-progress');
    await legStatus('completed', { CallDuration: talk });
  } else {
    await legStatus(outcome);
  }
  const action = twimlAttr(twiml, 'Dial', 'action') ?? `${baseUrl}/webhooks/twilio/dial`;
  const dialStatus = outcome === 'answered' ? 'completed' : outcome;
  const dial = await post(pathOf(action), { ...common, CallStatus: 'in-progress', DialCallSid: legSid, DialCallStatus: dialStatus, DialCallDuration: outcome === 'answered' ? talk : '0' });
  console.log(`  ${label} dial action (${dialStatus}) -> ${dial.status}`);
  return dial.body;
}

async function main(): Promise<void> {
  const outcome = outcomeArg('outcome');
  const fallbackOutcome = outcomeArg('fallback-outcome');
  const to = args.to ?? (await openVisit());
  const from = args.from as string;
  const talk = String(Number(args.talk) || 0);
  const common = { AccountSid: accountSid, ApiVersion: '2010-04-01', CallSid: callSid, From: from, Caller: from, To: to, Called: to, Direction: 'inbound' };
  const restoreRouting = await overrideRouting(to);
  try {
    const voice = await post('/webhooks/twilio/voice', { ...common, CallStatus: 'ringing', FromCountry: 'GB', ToCountry: 'GB', StirVerstat: 'TN-Validation-Passed-A' });
    console.log(`voice webhook -> ${voice.status}\n${voice.body}`);
    if (voice.status !== 200) process.exit(1);
    if (!voice.body.includes('<Dial')) return console.log('the number is not in service: the caller hears so and the call ends');

    let answered = outcome === 'answered';
    let next = await forwardedLeg(voice.body, common, outcome, talk, 'forwarded');
    if (next.includes('<Dial')) {
      console.log(`not answered: the pool falls back to another number\n${next}`);
      answered = fallbackOutcome === 'answered';
      next = await forwardedLeg(next, common, fallbackOutcome, talk, 'fallback');
    }
    const recordAction = twimlAttr(next, 'Record', 'action');
    if (recordAction) {
      console.log(`not answered: the pool falls back to voicemail\n${next}`);
      const recordingSid = `RE${randomBytes(16).toString('hex')}`;
      const recording = { ...common, RecordingSid: recordingSid, RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${accountSid}/Recordings/${recordingSid}`, RecordingDuration: '11' };
      console.log(`  voicemail <Record action> -> ${(await post(pathOf(recordAction), { ...recording, CallStatus: 'completed' })).status}`);
      const callback = twimlAttr(next, 'Record', 'recordingStatusCallback');
      if (callback) console.log(`  voicemail recording callback -> ${(await post(pathOf(callback), { ...recording, RecordingStatus: 'completed', RecordingSource: 'RecordVerb', RecordingChannels: '1' })).status}`);
    }
    const recordingCallback = twimlAttr(voice.body, 'Dial', 'recordingStatusCallback');
    if (recordingCallback && answered) {
      const recordingSid = `RE${randomBytes(16).toString('hex')}`;
      const res = await post(pathOf(recordingCallback), {
        ...common,
        RecordingSid: recordingSid,
        RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${accountSid}/Recordings/${recordingSid}`,
        RecordingStatus: 'completed',
        RecordingDuration: talk,
        RecordingChannels: '2',
        RecordingSource: 'DialVerb',
      });
      console.log(`call recording callback -> ${res.status}`);
    }

    const duration = String(Number(talk) + 9);
    const status = await post('/webhooks/twilio/status', { ...common, CallStatus: 'completed', CallDuration: answered ? duration : '9', SequenceNumber: '0', Timestamp: new Date().toUTCString() });
    console.log(`status callback (completed) -> ${status.status}`);
  } finally {
    await restoreRouting();
  }

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
