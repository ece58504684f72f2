import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { ROLES, roleAllows } from '../access/roles';
import { SECURITY_SCHEMES } from './components';
import type { GuardInfo } from './route-guards';
import { clientOperations } from './operations/clients';
import { siteOperations } from './operations/sites';
import { poolOperations } from './operations/pools';
import { numberOperations } from './operations/numbers';
import { callOperations } from './operations/calls';
import { reportOperations } from './operations/reports';
import { privacyOperations } from './operations/privacy';
import { trackingOperations } from './operations/tracking';
import { webhookOperations } from './operations/webhooks';
import { integrationOperations } from './operations/integrations';
import { demoOperations, metricsOperations, serviceOperations } from './operations/service';
import { dashboardOperations } from './operations/dashboard';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

/** What this instance serves beyond the fixed routes, and where it is reached. */
export interface ServedSurface {
  publicBaseUrl: string;
  /** GET /metrics on this port (METRICS_TOKEN is set). */
  metrics: boolean;
  /** The demo page (SEED_DEMO). */
  demo: boolean;
}

const TAGS = [
  { name: 'Tracking', description: 'The public API the tracking script calls from a site\'s pages (CORS: the site\'s domains only; rate limited per address and site).' },
  { name: 'Twilio webhooks', description: 'Called by Twilio for calls to tracking numbers; each request must carry a valid X-Twilio-Signature.' },
  { name: 'Clients', description: 'Admin API: the businesses whose calls are tracked.' },
  { name: 'API keys', description: "Admin API: a client's keys and their roles." },
  { name: 'Sites', description: 'Admin API: websites and their tracking and privacy settings.' },
  { name: 'Pools', description: 'Admin API: number pools leased to visits, and call routing.' },
  { name: 'Numbers', description: 'Admin API: tracking numbers.' },
  { name: 'Calls', description: 'Admin API: calls and their attribution.' },
  { name: 'Reports', description: 'Admin API: calls counted by source, campaign, keyword, landing page, number, day or hour.' },
  { name: 'Privacy', description: 'Admin API: data subject requests and the audit trail.' },
  { name: 'Webhooks', description: 'Admin API: client webhooks for call events, signed and retried (docs/webhooks.md), and what was delivered.' },
  { name: 'Operations', description: 'Probes, metrics and this document.' },
  { name: 'Demo', description: 'The sample website of the offline demo.' },
  { name: 'Dashboard', description: 'The client dashboard: a static page reading the admin API with the key its user signs in with.' },
];

/**
 * The OpenAPI 3.1 description of the HTTP API. Request bodies, queries and webhook forms are the zod
 * schemas the routes validate with; the permission of each admin operation is the one its route's
 * guard checks (`guards`, read from the router by guardsOf).
 */
export function buildOpenApiDocument(surface: ServedSurface, guards: ReadonlyMap<string, GuardInfo>): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) registry.registerComponent('securitySchemes', name, scheme);
  const operations = [
    ...serviceOperations,
    ...(surface.metrics ? metricsOperations : []),
    ...(surface.demo ? demoOperations : []),
    ...dashboardOperations,
    ...trackingOperations,
    ...webhookOperations,
    ...clientOperations,
    ...siteOperations,
    ...poolOperations,
    ...numberOperations,
    ...callOperations,
    ...reportOperations,
    ...privacyOperations,
    ...integrationOperations,
  ];
  for (const op of operations) registry.registerPath(withPermission(op, guards.get(`${op.method} ${op.path}`)));
  return new OpenApiGeneratorV31(registry.definitions, { sortComponents: 'alphabetically' }).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Call tracking API',
      version: '1.0.0',
      description: 'Dynamic number insertion, Twilio voice webhooks and call attribution. Admin routes (/v1) take `Authorization: Bearer <API key>`; every error is application/problem+json.',
    },
    servers: [{ url: surface.publicBaseUrl }],
    tags: TAGS.filter((t) => operations.some((op) => op.tags?.includes(t.name))),
  });
}

/** x-permission (and x-field-permissions) from the route's guard, and the roles that have it, in words too. */
function withPermission(op: RouteConfig, guard: GuardInfo | undefined): RouteConfig {
  if (!guard) return op;
  const fields = Object.entries(guard.spec.fields ?? {});
  const roles = ['operator', ...ROLES.filter((r) => roleAllows(r, guard.permission))];
  const needs = [
    `Needs the \`${guard.permission}\` permission (roles: ${roles.join(', ')}).`,
    ...fields.map(([field, permission]) => `Setting \`${field}\` also needs \`${permission}\`.`),
  ].join(' ');
  return {
    ...op,
    description: op.description ? `${op.description}\n\n${needs}` : needs,
    'x-permission': guard.permission,
    ...(fields.length ? { 'x-field-permissions': Object.fromEntries(fields) } : {}),
  };
}
