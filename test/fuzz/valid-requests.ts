import { twilioFixture } from '../support/fixtures';
import { FUZZ_CALLER, type FuzzWorld } from './fuzz-world';

/** Inputs a real caller would send to a route, which the fuzzer then breaks one piece at a time. */
export interface ValidInput {
  body?: Record<string, unknown>;
  form?: Record<string, string>;
  query?: Record<string, string>;
}

const RECORDING_SID = `RE${'0123456789abcdef'.repeat(2)}`;
const LEG_SID = `CA${'fedcba9876543210'.repeat(2)}`;

/**
 * What a real caller sends to each route, aimed at the seeded data; keyed as listRoutes names routes. A
 * route without an entry (a new one, say) is fuzzed with generic hostile input only.
 */
export function validInputs(w: FuzzWorld): Record<string, ValidInput> {
  const inbound = { ...twilioFixture('voice-inbound'), CallSid: `CA${'1'.repeat(31)}f`, To: w.numbers[1], Called: w.numbers[1], From: FUZZ_CALLER, Caller: FUZZ_CALLER };
  const status = { ...twilioFixture('call-status-completed'), CallSid: w.callSid, To: w.numbers[0], Called: w.numbers[0], From: FUZZ_CALLER, Caller: FUZZ_CALLER };
  return {
    'POST /v1/clients': { body: { name: 'Fuzz Plumbing Ltd' } },
    'PATCH /v1/clients/:clientId': { body: { name: 'Acme Plumbing' } },
    'POST /v1/clients/:clientId/api-keys': { body: { role: 'analyst' } },
    'POST /v1/sites': { body: { clientId: w.clientId, name: 'Fuzz', domains: ['fuzz.example'], trackingEnabled: true, swapTargets: ['+442079460000'] } },
    'PATCH /v1/sites/:siteId': { body: { honorDnt: true } },
    'POST /v1/pools': { body: { siteId: w.siteId, name: 'Fuzz pool', forwardTo: '+442079460999', leaseSeconds: 600 } },
    'PATCH /v1/pools/:poolId': { body: { name: 'Main', whisper: true } },
    'POST /v1/pools/:poolId/numbers': { body: { count: 1, country: 'GB' } },
    'PATCH /v1/numbers/:numberId': { body: { record: false, fallback: 'none' } },
    'POST /v1/privacy/requests': { body: { clientId: w.clientId, type: 'access', subject: { phone: FUZZ_CALLER } } },
    'GET /v1/pools/:poolId/health': { query: { from: '2026-11-29T00:00:00Z', to: '2026-11-30T00:00:00Z', targetBlocking: '0.02' } },
    'GET /v1/calls': { query: { siteId: w.siteId, limit: '5', from: '2026-11-01T00:00:00Z' } },
    'GET /v1/calls.csv': { query: { siteId: w.siteId, from: '2026-11-01T00:00:00Z', timeZone: 'Europe/London' } },
    'GET /v1/reports/calls': { query: { siteId: w.siteId, groupBy: 'day,source', timeZone: 'Europe/London' } },
    'GET /v1/numbers': { query: { e164: w.numbers[0] } },
    'GET /v1/sites': { query: { clientId: w.clientId } },
    'GET /v1/pools': { query: { siteId: w.siteId } },
    'GET /v1/privacy/requests': { query: { clientId: w.clientId, limit: '10' } },
    'GET /v1/audit-log': { query: { clientId: w.clientId, limit: '10' } },
    'POST /v1/webhooks': { body: { clientId: w.clientId, url: 'https://hooks.example.test/calls?token=fuzz', events: ['call.started', 'call.completed'], description: 'Fuzz CRM' } },
    'GET /v1/webhooks': { query: { clientId: w.clientId } },
    'PATCH /v1/webhooks/:webhookId': { body: { url: 'https://hooks.example.test/other', events: ['call.attributed'], description: null, active: false } },
    'GET /v1/webhooks/:webhookId/deliveries': { query: { status: 'failed', limit: '10' } },
    'GET /v1/privacy/requests/:requestId/export': { query: { format: 'csv' } },
    'POST /t/:siteKey/visits': {
      body: { url: `${w.origin}/pricing?utm_source=fuzz`, referrer: 'https://www.google.com/', visitorId: w.visitorId, title: 'Pricing', gaClientId: '1234567890.1700000000', pageView: true },
    },
    'POST /t/:siteKey/visits/:visitId/heartbeat': { body: { leaseToken: w.leaseToken } },
    'POST /t/:siteKey/visits/:visitId/pageviews': { body: { url: `${w.origin}/contact`, title: 'Contact', kind: 'view' } },
    'POST /t/:siteKey/consent': { body: { visitorId: w.visitorId, state: 'given' } },
    'POST /webhooks/twilio/voice': { form: inbound },
    'POST /webhooks/twilio/fallback': { form: { ...inbound, ErrorCode: '11200' } },
    'POST /webhooks/twilio/status': { form: status },
    'POST /webhooks/twilio/dial': { form: { ...twilioFixture('dial-action'), CallSid: w.callSid, To: w.numbers[0], Called: w.numbers[0], From: FUZZ_CALLER, Caller: FUZZ_CALLER }, query: { attempt: 'fallback' } },
    'POST /webhooks/twilio/number-status': { form: { ...status, CallSid: LEG_SID, ParentCallSid: w.callSid, To: '+442079460999', CallStatus: 'ringing' } },
    'POST /webhooks/twilio/recording': {
      form: { CallSid: w.callSid, RecordingSid: RECORDING_SID, RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/${RECORDING_SID}`, RecordingStatus: 'completed', RecordingDuration: '12' },
      query: { kind: 'voicemail' },
    },
    'POST /webhooks/twilio/whisper': { form: {}, query: { callSid: w.callSid } },
  };
}
