import { z } from 'zod';
import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { METRICS_PATH } from '../../metrics/metrics-routes';
import { DEMO_PATH } from '../../demo/demo-routes';
import { json, problems } from '../components';

export const OPENAPI_PATH = '/openapi.json';

const Readiness = z.object({
  status: z.enum(['ready', 'not-ready']),
  mode: z.string().meta({ description: 'How the service runs, e.g. embedded or production.' }),
  checks: z.record(z.string(), z.enum(['ok', 'unavailable'])).meta({ description: 'Each backend: database, pool.' }),
});

/** Probes and this document: public, no authentication. */
export const serviceOperations: RouteConfig[] = [
  { method: 'get', path: '/healthz', tags: ['Operations'], summary: 'Liveness: the process serves requests', responses: { 200: json(z.object({ status: z.literal('ok') }), 'Alive.') } },
  {
    method: 'get',
    path: '/readyz',
    tags: ['Operations'],
    summary: 'Readiness: the database and pool store answer (for load balancers)',
    responses: { 200: json(Readiness, 'Ready.'), 503: json(Readiness, 'A backend did not answer within 2 s.') },
  },
  {
    method: 'get',
    path: OPENAPI_PATH,
    tags: ['Operations'],
    summary: 'This OpenAPI document',
    responses: { 200: { description: 'OpenAPI 3.1 (cacheable for 5 minutes; ETag).', content: { 'application/json': { schema: { type: 'object' } } } }, 304: { description: 'Not modified.' } },
  },
];

/** Only when METRICS_TOKEN is set (otherwise /metrics is served on METRICS_PORT only, if at all). */
export const metricsOperations: RouteConfig[] = [
  {
    method: 'get',
    path: METRICS_PATH,
    tags: ['Operations'],
    summary: 'Prometheus metrics',
    security: [{ metricsToken: [] }],
    responses: { 200: { description: 'Prometheus text exposition format (Cache-Control: no-store).', content: { 'text/plain': { schema: { type: 'string' } } } }, ...problems([401, 'No or the wrong METRICS_TOKEN.']) },
  },
];

/** Only when SEED_DEMO is on: the sample client website of the demo. */
export const demoOperations: RouteConfig[] = ['/demo', DEMO_PATH].map((path): RouteConfig => ({
  method: 'get',
  path,
  tags: ['Demo'],
  summary: "The demo's sample client website, its numbers swapped by the tracking script",
  responses: { 200: { description: 'An HTML page.', content: { 'text/html': { schema: { type: 'string' } } } } },
}));
