import { z } from 'zod';
import type { CallRecord } from '../../calls/call-store';
import { buildGa4Payload, type Ga4CallFacts } from './ga4-event';
import { DEFAULT_GA4_EVENT_NAME, ga4EventNameProblem } from './ga4-rules';

/*
 * The Measurement Protocol body as Google documents it (gtag.js / web streams), written from the docs
 * rather than from our code, so a payload that drifts from the protocol fails here:
 * - reference: client_id required; user_id, timestamp_micros (backdated at most 72 h), non_personalized_ads
 *   optional; events[] required, at most 25, each { name, params };
 *   https://developers.google.com/analytics/devguides/collection/protocol/ga4/reference
 * - sending events: session_id and engagement_time_msec in params for the event to show in reports;
 *   https://developers.google.com/analytics/devguides/collection/protocol/ga4/sending-events
 * - naming rules and reserved names: https://support.google.com/analytics/answer/13316687
 * - collection limits (name 40, 25 params, values 100): https://support.google.com/analytics/answer/9267744
 */
const DOCUMENTED_RESERVED_EVENT_NAMES = ['app_remove', 'click', 'error', 'file_download', 'first_open', 'first_visit', 'form_start', 'page_view', 'scroll', 'session_start', 'user_engagement'];
const RESERVED_PREFIX = /^(_|firebase_|ga_|google_|gtag\.)/;
const DOCUMENTED_NAME = z
  .string()
  .max(40)
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/)
  .refine((n) => !RESERVED_PREFIX.test(n), 'reserved prefix');
const NOW = new Date('2026-11-30T12:00:00Z');

const measurementProtocolBody = z.strictObject({
  client_id: z.string().min(1),
  user_id: z.string().optional(),
  timestamp_micros: z
    .number()
    .int()
    .refine((t) => t <= NOW.getTime() * 1000 && t >= (NOW.getTime() - 72 * 3600_000) * 1000, 'within the past 72 hours'),
  non_personalized_ads: z.boolean().optional(),
  events: z
    .array(
      z.strictObject({
        name: DOCUMENTED_NAME.refine((n) => !DOCUMENTED_RESERVED_EVENT_NAMES.includes(n), 'reserved event name'),
        params: z
          .record(DOCUMENTED_NAME, z.union([z.string().max(100), z.number()]))
          .refine((p) => Object.keys(p).length <= 25, 'at most 25 parameters')
          .refine((p) => 'session_id' in p && typeof p.engagement_time_msec === 'number' && p.engagement_time_msec >= 1, 'session_id and engagement_time_msec'),
      }),
    )
    .min(1)
    .max(25),
});

/** Nothing that identifies the caller may appear anywhere in what is sent to Google. */
const CALLER = { from: '+442079460123', name: 'JANE SMITH', city: 'LONDON', zip: 'SW1A' };

function call(over: Partial<CallRecord> = {}): Ga4CallFacts & Pick<CallRecord, 'from' | 'caller'> {
  return {
    id: '7d9c2f3e-1b4a-4c5d-8e6f-0a1b2c3d4e5f',
    from: CALLER.from,
    caller: { name: CALLER.name, forwardedFrom: null, city: CALLER.city, state: null, zip: CALLER.zip, country: 'GB', stirVerstat: null },
    durationSeconds: 95,
    talkSeconds: 80,
    dialStatus: 'completed',
    startedAt: new Date('2026-11-30T11:00:00Z'),
    endedAt: new Date('2026-11-30T11:01:35Z'),
    attribution: 'lease',
    visit: { source: 'google', medium: 'cpc', campaign: 'winter', term: 'boiler repair', content: null, referrer: 'https://www.google.com/', landingPage: 'https://shop.example/boilers', gclid: 'abc123' },
    savedSource: null,
    staticSource: null,
    ...over,
  };
}

const GA = { clientId: '1234567890.1700000000', sessionId: '1764500000' };

describe('buildGa4Payload', () => {
  it('when an answered call of a Google Ads visit completes, then the body has the documented shape, joined to the GA session', () => {
    const payload = buildGa4Payload({ call: call(), ga: GA, eventName: DEFAULT_GA4_EVENT_NAME, now: NOW });

    expect(measurementProtocolBody.parse(payload)).toEqual({
      client_id: '1234567890.1700000000',
      timestamp_micros: Date.parse('2026-11-30T11:01:35Z') * 1000,
      non_personalized_ads: true,
      events: [
        {
          name: 'phone_call',
          params: {
            session_id: 1764500000,
            engagement_time_msec: 1,
            call_id: '7d9c2f3e-1b4a-4c5d-8e6f-0a1b2c3d4e5f',
            call_answered: 'yes',
            call_duration_seconds: 95,
            talk_time_seconds: 80,
            call_source: 'google',
            call_medium: 'cpc',
            call_campaign: 'winter',
            attribution_method: 'lease',
          },
        },
      ],
    });
  });

  it('when the forwarded call was not picked up, then it is sent as not answered with no talk time', () => {
    const payload = buildGa4Payload({ call: call({ dialStatus: 'no-answer', talkSeconds: null, durationSeconds: 31 }), ga: GA, eventName: 'phone_call', now: NOW });

    const params = measurementProtocolBody.parse(payload).events[0].params;
    expect(params).toMatchObject({ call_answered: 'no', talk_time_seconds: 0, call_duration_seconds: 31 });
  });

  it('when nothing about the caller is known to GA, then nothing about the caller is sent', () => {
    const body = JSON.stringify(buildGa4Payload({ call: call(), ga: GA, eventName: 'phone_call', now: NOW }));

    for (const personal of [CALLER.from, CALLER.from.slice(-6), CALLER.name, CALLER.city, CALLER.zip, 'abc123', 'boiler repair']) expect(body).not.toContain(personal);
  });

  it('when the visit has no GA client id, then nothing is sent (we never invent one)', () => {
    expect(buildGa4Payload({ call: call(), ga: { clientId: null, sessionId: '1764500000' }, eventName: 'phone_call', now: NOW })).toEqual({ skip: expect.stringMatching(/client id/) });
  });

  it('when the visit has a client id but no session id, then the event is sent without session_id (GA shows it as not set)', () => {
    const payload = buildGa4Payload({ call: call(), ga: { clientId: GA.clientId, sessionId: null }, eventName: 'phone_call', now: NOW });

    expect(payload).toMatchObject({ events: [{ params: expect.not.objectContaining({ session_id: expect.anything() }) }] });
  });

  it('when the call ended more than 72 hours ago, then nothing is sent (GA4 would drop it)', () => {
    const ended = new Date(NOW.getTime() - 72 * 3600_000 - 1000);

    expect(buildGa4Payload({ call: call({ endedAt: ended }), ga: GA, eventName: 'phone_call', now: NOW })).toEqual({ skip: expect.stringMatching(/72 hours/) });
  });

  it('when the call ended just inside 72 hours, then it is sent with its own end time', () => {
    const ended = new Date(NOW.getTime() - 71 * 3600_000);

    expect(measurementProtocolBody.parse(buildGa4Payload({ call: call({ endedAt: ended }), ga: GA, eventName: 'phone_call', now: NOW })).timestamp_micros).toBe(ended.getTime() * 1000);
  });

  it('when the call ended after our clock says now (clock skew), then it is dated now, never in the future', () => {
    const payload = buildGa4Payload({ call: call({ endedAt: new Date(NOW.getTime() + 5000) }), ga: GA, eventName: 'phone_call', now: NOW });

    expect(measurementProtocolBody.parse(payload).timestamp_micros).toBe(NOW.getTime() * 1000);
  });

  it('when the campaign name is longer than GA4 takes, then it is cut to 100 characters rather than lost', () => {
    const campaign = `spring-sale-${'x'.repeat(200)}`;
    const visit = { ...call().visit!, campaign };

    const params = measurementProtocolBody.parse(buildGa4Payload({ call: call({ visit }), ga: GA, eventName: 'phone_call', now: NOW })).events[0].params;

    expect(params.call_campaign).toBe(campaign.slice(0, 100));
  });

  it('when the call came from a static number, then its static source is sent and empty values are left out', () => {
    const payload = buildGa4Payload({ call: call({ visit: null, staticSource: 'yellow-pages', attribution: 'static' }), ga: GA, eventName: 'phone_call', now: NOW });

    const params = measurementProtocolBody.parse(payload).events[0].params;
    expect(params).toMatchObject({ call_source: 'yellow-pages', call_medium: 'static', attribution_method: 'static' });
    expect(params).not.toHaveProperty('call_campaign');
  });

  it('when a GA session id is too large to be an exact number, then it is sent as text', () => {
    const payload = buildGa4Payload({ call: call(), ga: { clientId: GA.clientId, sessionId: '99999999999999999999' }, eventName: 'phone_call', now: NOW });

    expect(measurementProtocolBody.parse(payload).events[0].params.session_id).toBe('99999999999999999999');
  });

  it.each(['session_start', 'page_view', 'first_visit', 'user_engagement', 'ga_call', 'google_call', 'firebase_call', '_call', '1call', 'phone call', 'x'.repeat(41), ''])(
    'when the event name is %j, then it is refused (reserved or invalid)',
    (name) => {
      expect(ga4EventNameProblem(name)).toEqual(expect.any(String));
      expect(buildGa4Payload({ call: call(), ga: GA, eventName: name, now: NOW })).toEqual({ skip: expect.stringMatching(/event name/) });
    },
  );

  it.each(['phone_call', 'generate_lead', 'CallCompleted', 'x'.repeat(40)])('when the event name is %j, then it is accepted', (name) => {
    expect(ga4EventNameProblem(name)).toBeNull();
    expect(measurementProtocolBody.parse(buildGa4Payload({ call: call(), ga: GA, eventName: name, now: NOW })).events[0].name).toBe(name);
  });
});
