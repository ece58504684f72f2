import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../shared/http/validate';
import { isE164 } from '../shared/phone';
import { ACTIVITY_RETENTION_DAYS, CALL_RETENTION_MONTHS } from '../privacy/retention/retention-policy';
import type { SiteService } from './site-service';
import type { SiteRecord } from './site-store';
import type { AccessControl } from '../access/guard';

// A bare host name: labels of letters, digits and hyphens (IDNs in punycode), or localhost for demos.
const HOSTNAME = /^(?=.{1,253}$)(localhost|([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}|\d{1,3}(\.\d{1,3}){3})$/i;

const domains = z.array(z.string().trim().regex(HOSTNAME, 'must be a host name such as shop.example (no scheme or path)')).min(1).max(50);
const swapTargets = z.array(z.string().refine(isE164, 'must be an E.164 number such as +442079460000')).max(20);
const consent = z.enum(['required', 'not-required']);

export const createSiteBody = z.strictObject({
  clientId: z.uuid(),
  name: z.string().trim().min(1).max(200),
  domains,
  trackingEnabled: z.boolean().default(false),
  swapTargets: swapTargets.default([]),
  consent: consent.optional(),
  honorDnt: z.boolean().optional(),
  honorGpc: z.boolean().optional(),
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
    createdAt: site.createdAt.toISOString(),
  };
}

export function siteRoutes(service: SiteService, publicBaseUrl: string, access: AccessControl): Router {
  const router = Router();
  router.post('/v1/sites', access.guard('sites:write', { body: { clientId: 'client' }, fields: { activityRetentionDays: 'retention:write', callRetentionMonths: 'retention:write' } }), async (req, res) => {
    const site = await service.createSite(parseInput(createSiteBody, req.body));
    res.status(201).json(siteView(site, publicBaseUrl));
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
