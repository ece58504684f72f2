import { z } from 'zod';
import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { consentBody, heartbeatBody, pageViewBody, registerVisitBody } from '../../tracking/tracking-routes';
import type { ShownNumber, VisitResponse, VisitService } from '../../tracking/visit-service';
import { json, problems } from '../components';

const ShownNumberSchema = z
  .object({
    e164: z.string(),
    countryCode: z.string(),
    nationalNumber: z.string(),
    nationalPrefix: z.string(),
    groups: z.array(z.number().int()).meta({ description: 'Digit groups of the national number in its national format, e.g. [2, 4, 4].' }),
    international: z.string(),
    display: z.string().meta({ description: "National format for people, e.g. '020 7946 0000'." }),
  })
  .meta({ id: 'ShownNumber', description: 'The tracking number to show, taken apart so the script can find and rewrite numbers on the page.' });

const Visit = z
  .object({
    visitorId: z.string().nullable(),
    visitId: z.string().nullable(),
    number: ShownNumberSchema.nullable().meta({ description: "null: show the site's own number." }),
    leaseToken: z.string().nullable(),
    leaseExpiresAt: z.iso.datetime().nullable(),
    heartbeatSeconds: z.number().int(),
  })
  .meta({ id: 'Visit', description: 'All null but heartbeatSeconds when the visitor is not tracked (consent, DNT, GPC, tracking off).' });

const Heartbeat = z.object({ number: ShownNumberSchema, leaseExpiresAt: z.iso.datetime() });

/** The tracking script posts JSON as text/plain, to avoid a CORS preflight; both are read as JSON. */
const scriptBody = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema }, 'text/plain': { schema } } });

const siteKey = z.object({ siteKey: z.string().meta({ description: "The site's public key." }) });
const visit = siteKey.extend({ visitId: z.string().meta({ description: 'The visitId the registration returned.' }) });
const refused = problems(400, [403, "The request's Origin is not one of the site's domains."], 404, 413, 429, 503);

/** The public tracking API, called by the tracking script from the site's pages (CORS: the site's own domains). */
export const trackingOperations: RouteConfig[] = [
  {
    method: 'get',
    path: '/t/{siteKey}.js',
    tags: ['Tracking'],
    summary: "The site's tracking script",
    description: 'Loaded by a <script> tag; cached for 5 minutes (ETag, If-None-Match), gzipped when accepted.',
    request: { params: siteKey },
    responses: { 200: { description: 'The script.', content: { 'application/javascript': { schema: { type: 'string' } } } }, 304: { description: 'Not modified.' }, ...problems(404, 429, 503) },
  },
  {
    method: 'post',
    path: '/t/{siteKey}/visits',
    tags: ['Tracking'],
    summary: 'Start or resume a visit and lease it a tracking number',
    request: { params: siteKey, body: scriptBody(registerVisitBody) },
    responses: { 200: json(Visit, 'The number to show and how to keep it (Cache-Control: no-store).'), ...refused },
  },
  {
    method: 'post',
    path: '/t/{siteKey}/visits/{visitId}/heartbeat',
    tags: ['Tracking'],
    summary: "Renew the visit's lease while the page is open",
    request: { params: visit, body: scriptBody(heartbeatBody) },
    responses: { 200: json(Heartbeat, 'The lease, renewed.'), ...refused, ...problems([409, 'The lease was lost (expired and taken): register the visit again.']) },
  },
  {
    method: 'post',
    path: '/t/{siteKey}/visits/{visitId}/pageviews',
    tags: ['Tracking'],
    summary: 'Record a page view (or exit) of the visit',
    request: { params: visit, body: scriptBody(pageViewBody) },
    responses: { 204: { description: 'Recorded.' }, ...refused },
  },
  {
    method: 'post',
    path: '/t/{siteKey}/consent',
    tags: ['Tracking'],
    summary: "Record the visitor's consent choice",
    request: { params: siteKey, body: scriptBody(consentBody) },
    responses: { 204: { description: 'Recorded.' }, ...refused },
  },
];

type SameShape<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
/** Compile-time only: tsc fails here when what the service answers and what is documented part ways. */
export type TrackingSchemasMatch = [
  Assert<SameShape<z.output<typeof ShownNumberSchema>, ShownNumber>>,
  Assert<SameShape<z.output<typeof Visit>, VisitResponse>>,
  Assert<SameShape<z.output<typeof Heartbeat>, Awaited<ReturnType<VisitService['heartbeat']>>>>,
];
