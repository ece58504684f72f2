import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../shared/http/validate';
import { isE164 } from '../shared/phone';
import { ACTIVITY_RETENTION_DAYS, CALL_RETENTION_MONTHS } from '../privacy/retention/retention-policy';
import { GA4_API_SECRET, GA4_MEASUREMENT_ID, ga4EventNameProblem } from '../integrations/ga4/ga4-rules';
import type { SiteService } from './site-service';
import type { SiteRecord } from './site-store';
import type { AccessControl } from '../access/guard';

// A bare host name: labels of letters, digits and hyphens (IDNs in punycode), or localhost for demos.
const HOSTNAME = /^(?=.{1,253}$)(localhost|([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}|\d{1,3}(\.\d{1,3}){3})$/i;

const domains = z.array(z.string().trim().regex(HOSTNAME, 'must be a host name such as shop.example (no scheme or path)')).min(1).max(50);
const swapTargets = z.array(z.string().refine(isE164, 'must be an E.164 number such as +442079460000')).max(20);
const consent = z.enum(['required', 'not-required']);

// Google Analytics 4 (docs/ga4.md). The API secret is write-only: sealed at rest, never shown again.
const ga4MeasurementId = z.string().regex(GA4_MEASUREMENT_ID, 'must be a GA4 measurement id such as G-ABC123DEF4 (Admin > Data streams)');
const ga4ApiSecret = z.string().regex(GA4_API_SECRET, 'must be a Measurement Protocol API secret (10-64 letters, digits, _ or -)');
const ga4EventName = z.string().superRefine((name, ctx) => {
  const problem = ga4EventNameProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: `must be a GA4 event name: ${problem}` });
});
const ga4Settings = z.strictObject({
  measurementId: ga4MeasurementId,
  apiSecret: ga4ApiSecret.optional().meta({ description: 'Required when first set up and with a new measurement id; otherwise absent keeps the stored one.' }),
  eventName: ga4EventName.optional().meta({ description: 'Default: phone_call (or the name already set).' }),
  enabled: z.boolean().optional().meta({ description: 'Default: true (or the value already set).' }),
});

export const createSiteBody = z.strictObject({
  clientId: z.uuid(),
  name: z.string().trim().min(1).max(200),
  domains,
  trackingEnabled: z.boolean().default(false),
  swapTargets: swapTargets.default([]),
  consent: consent.optional(),
  honorDnt: z.boolean().optional(),
  honorGpc: z.boolean().optional(),
  ga4: ga4Settings.extend({ apiSecret: ga4ApiSecret }).optional(),
});

export const updateSiteBody = z
  .strictObject({
    trackingEnabled: z.boolean(),
    swapTargets,
    domains,
    consent,
    honorDnt: z.boolean(),
    honorGpc: z.boolean(),
    // null = back to the client's setting.
    activityRetentionDays: z.number().int().min(ACTIVITY_RETENTION_DAYS.min).max(ACTIVITY_RETENTION_DAYS.max).nullable(),
    callRetentionMonths: z.number().int().min(CALL_RETENTION_MONTHS.min).max(CALL_RETENTION_MONTHS.max).nullable(),
    // null = send nothing to GA4 any more (forgets the measurement id and secret).
    ga4: ga4Settings.nullable(),
  })
  .partial()
  .refine((changes) => Object.keys(changes).length > 0, 'give at least one setting to change');

export function siteView(site: SiteRecord, publicBaseUrl: string) {
  return {
    id: site.id,
    clientId: site.clientId,
    name: site.name,
    siteKey: site.siteKey,
    scriptUrl: `${publicBaseUrl}/t/${site.siteKey}.js`,
    domains: site.domains,
    trackingEnabled: site.trackingEnabled,
    swapTargets: site.swapTargets,
    consent: site.consent,
    honorDnt: site.honorDnt,
    honorGpc: site.honorGpc,
    activityRetentionDays: site.retention.activityRetentionDays,
    callRetentionMonths: site.retention.callRetentionMonths,
    ga4: site.ga4 && { measurementId: site.ga4.measurementId, eventName: site.ga4.eventName, enabled: site.ga4.enabled, apiSecretSet: true as const },
    createdAt: site.createdAt.toISOString(),
  };
}

export const listSitesQuery = z.strictObject({ clientId: z.uuid() });

export function siteRoutes(service: SiteService, publicBaseUrl: string, access: AccessControl): Router {
  const router = Router();
  router.post('/v1/sites', access.guard('sites:write', { body: { clientId: 'client' }, fields: { activityRetentionDays: 'retention:write', callRetentionMonths: 'retention:write' } }), async (req, res) => {
    const site = await service.createSite(parseInput(createSiteBody, req.body));
    res.status(201).json(siteView(site, publicBaseUrl));
  });
  router.get('/v1/sites', access.guard('sites:read', { query: { clientId: 'client' } }), async (req, res) => {
    const q = parseInput(listSitesQuery, req.query, 'query');
    res.json({ data: (await service.listSites(q.clientId)).map((s) => siteView(s, publicBaseUrl)) });
  });
  router.get('/v1/sites/:siteId', access.guard('sites:read', { params: { siteId: 'site' } }), async (req, res) => {
    const site = await service.getSite(parseInput(z.uuid(), req.params.siteId, 'site id'));
    res.json(siteView(site, publicBaseUrl));
  });
  router.patch('/v1/sites/:siteId', access.guard('sites:write', { params: { siteId: 'site' }, fields: { activityRetentionDays: 'retention:write', callRetentionMonths: 'retention:write' } }), async (req, res) => {
    const id = parseInput(z.uuid(), req.params.siteId, 'site id');
    const site = await service.updateSite(id, parseInput(updateSiteBody, req.body ?? {}));
    res.json(siteView(site, publicBaseUrl));
  });
  return router;
}
