import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../shared/http/validate';
import { NotFoundError } from '../shared/errors';
import { UUID } from '../shared/ids';
import { ACTIVITY_RETENTION_DAYS, CALL_RETENTION_MONTHS } from '../privacy/retention/retention-policy';
import type { Client, ClientStore } from './client-store';
import type { AccessControl } from '../access/guard';
import { accessOf } from '../access/authenticate';
import { POOL_BLOCKING_TARGET } from '../pool/health/blocking-target';

export const createClientBody = z.strictObject({ name: z.string().trim().min(1).max(200) });
export const updateClientBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    twilioBundleSid: z.string().regex(/^BU[0-9a-fA-F]{32}$/, 'must be a Twilio Bundle SID (BU followed by 32 hex digits)').nullable().optional(),
    twilioAddressSid: z.string().regex(/^AD[0-9a-fA-F]{32}$/, 'must be a Twilio Address SID (AD followed by 32 hex digits)').nullable().optional(),
    activityRetentionDays: z.number().int().min(ACTIVITY_RETENTION_DAYS.min).max(ACTIVITY_RETENTION_DAYS.max).optional(),
    callRetentionMonths: z.number().int().min(CALL_RETENTION_MONTHS.min).max(CALL_RETENTION_MONTHS.max).optional(),
    poolBlockingTarget: POOL_BLOCKING_TARGET.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'give at least one of name, twilioBundleSid, twilioAddressSid, activityRetentionDays, callRetentionMonths, poolBlockingTarget');

export const clientView = (c: Client) => ({
  id: c.id,
  name: c.name,
  twilioBundleSid: c.twilioBundleSid,
  twilioAddressSid: c.twilioAddressSid,
  activityRetentionDays: c.activityRetentionDays,
  callRetentionMonths: c.callRetentionMonths,
  poolBlockingTarget: c.poolBlockingTarget,
  createdAt: c.createdAt.toISOString(),
});

export function clientRoutes(clients: ClientStore, access: AccessControl): Router {
  const router = Router();
  router.post('/v1/clients', access.guard('clients:create'), async (req, res) => {
    const { name } = parseInput(createClientBody, req.body);
    const client = await clients.create(name);
    res.status(201).json(clientView(client));
  });
  router.get('/v1/clients', access.guard('clients:read'), async (_req, res) => {
    const scope = accessOf(res).clients;
    const all = await clients.list();
    res.json({ data: all.filter((c) => scope === 'all' || scope.includes(c.id)).map(clientView) });
  });
  router.get('/v1/clients/:clientId', access.guard('clients:read', { params: { clientId: 'client' } }), async (req, res) => {
    const client = UUID.test(String(req.params.clientId)) ? await clients.findById(String(req.params.clientId)) : null;
    if (!client) throw new NotFoundError('No client with this id.');
    res.json(clientView(client));
  });
  router.patch('/v1/clients/:clientId', access.guard('clients:write', { params: { clientId: 'client' }, fields: { activityRetentionDays: 'retention:write', callRetentionMonths: 'retention:write' } }), async (req, res) => {
    const changes = parseInput(updateClientBody, req.body);
    const client = UUID.test(String(req.params.clientId)) ? await clients.update(String(req.params.clientId), changes) : null;
    if (!client) throw new NotFoundError('No client with this id.');
    res.json(clientView(client));
  });
  return router;
}
