import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../shared/http/validate';
import { isE164 } from '../shared/phone';
import type { Clock } from '../shared/clock';
import { DEFAULT_WHISPER, type CallRouting } from '../calls/domain/routing';
import { numberView } from '../numbers/number-view';
import type { Pool } from './pool-config-store';
import type { PoolService } from './pool-service';
import type { AccessControl } from '../access/guard';

const e164 = z.string().refine(isE164, 'must be an E.164 number such as +442079460999');

/** How a pool's calls are put through; the same fields create and update a pool. */
const routingFields = {
  dialTimeoutSeconds: z.number().int().min(5).max(600).optional(),
  whisper: z.union([z.boolean(), z.string().trim().min(1).max(200)]).optional(),
  record: z.boolean().optional(),
  recordAnnouncement: z.string().trim().min(1).max(500).nullable().optional(),
  fallback: z.union([e164, z.literal('voicemail')]).nullable().optional(),
};

type RoutingInput = { dialTimeoutSeconds?: number; whisper?: boolean | string; record?: boolean; recordAnnouncement?: string | null; fallback?: string | null };

/** API names -> CallRouting; `whisper: true` is the default template, false switches it off. */
function toRouting(b: RoutingInput): Partial<CallRouting> {
  const routing: Partial<CallRouting> = {};
  if (b.dialTimeoutSeconds !== undefined) routing.timeoutSeconds = b.dialTimeoutSeconds;
  if (b.whisper !== undefined) routing.whisper = b.whisper === true ? DEFAULT_WHISPER : b.whisper === false ? null : b.whisper;
  if (b.record !== undefined) routing.record = b.record;
  if (b.recordAnnouncement !== undefined) routing.recordAnnouncement = b.recordAnnouncement;
  if (b.fallback !== undefined) routing.fallbackTo = b.fallback;
  return routing;
}

export const createPoolBody = z.strictObject({
  siteId: z.uuid(),
  name: z.string().trim().min(1).max(200),
  forwardTo: e164,
  leaseSeconds: z.number().int().min(60).max(86_400).optional(),
  graceSeconds: z.number().int().min(0).max(86_400).optional(),
  cooldownSeconds: z.number().int().min(0).max(86_400).optional(),
  exhaustionPolicy: z.enum(['overflow', 'recycle']).optional(),
  ...routingFields,
});

export const updatePoolBody = z
  .strictObject({ name: z.string().trim().min(1).max(200).optional(), forwardTo: e164.optional(), ...routingFields })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'give at least one setting to change');

export const provisionBody = z.strictObject({
  count: z.number().int().min(1).max(100),
  country: z.enum(['GB', 'US', 'CA']),
  numberType: z.enum(['local', 'tollFree', 'mobile']).optional(),
  areaCode: z.string().regex(/^\d{2,4}$/, 'must be 2 to 4 digits').optional(),
  role: z.enum(['pool', 'overflow', 'static']).optional(),
  staticSource: z.string().trim().min(1).max(200).optional(),
});

export const poolView = (p: Pool) => ({
  id: p.id,
  siteId: p.siteId,
  name: p.name,
  forwardTo: p.forwardTo,
  leaseSeconds: p.leaseSeconds,
  graceSeconds: p.graceSeconds,
  cooldownSeconds: p.cooldownSeconds,
  exhaustionPolicy: p.exhaustionPolicy,
  overflowNumberId: p.overflowNumberId,
  dialTimeoutSeconds: p.routing.timeoutSeconds,
  whisper: p.routing.whisper,
  record: p.routing.record,
  recordAnnouncement: p.routing.recordAnnouncement,
  fallback: p.routing.fallbackTo,
  createdAt: p.createdAt.toISOString(),
});

export const listPoolsQuery = z.strictObject({ siteId: z.uuid() });

export function poolRoutes(service: PoolService, clock: Clock, access: AccessControl): Router {
  const router = Router();
  router.post('/v1/pools', access.guard('pools:write', { body: { siteId: 'site' } }), async (req, res) => {
    const { dialTimeoutSeconds, whisper, record, recordAnnouncement, fallback, ...body } = parseInput(createPoolBody, req.body);
    const pool = await service.createPool({ ...body, routing: toRouting({ dialTimeoutSeconds, whisper, record, recordAnnouncement, fallback }) });
    res.status(201).json(poolView(pool));
  });
  router.patch('/v1/pools/:poolId', access.guard('pools:write', { params: { poolId: 'pool' } }), async (req, res) => {
    const poolId = parseInput(z.uuid(), req.params.poolId, 'pool id');
    const { name, forwardTo, ...routing } = parseInput(updatePoolBody, req.body);
    const pool = await service.updatePool(poolId, { name, forwardTo, ...toRouting(routing) });
    res.json(poolView(pool));
  });
  router.get('/v1/pools', access.guard('pools:read', { query: { siteId: 'site' } }), async (req, res) => {
    const q = parseInput(listPoolsQuery, req.query, 'query');
    res.json({ data: (await service.listPools(q.siteId)).map(poolView) });
  });
  router.get('/v1/pools/:poolId/numbers', access.guard('numbers:read', { params: { poolId: 'pool' } }), async (req, res) => {
    const poolId = parseInput(z.uuid(), req.params.poolId, 'pool id');
    res.json({ data: (await service.listNumbers(poolId)).map(numberView) });
  });
  router.get('/v1/pools/:poolId', access.guard('pools:read', { params: { poolId: 'pool' } }), async (req, res) => {
    const poolId = parseInput(z.uuid(), req.params.poolId, 'pool id');
    const pool = await service.getPool(poolId);
    res.json({ ...poolView(pool), stats: await service.stats(poolId, clock.now()) });
  });
  router.post('/v1/pools/:poolId/numbers', access.guard('numbers:write', { params: { poolId: 'pool' } }), async (req, res) => {
    const poolId = parseInput(z.uuid(), req.params.poolId, 'pool id');
    const result = await service.provisionNumbers({ poolId, ...parseInput(provisionBody, req.body) });
    res.status(201).json({ numbers: result.numbers.map((n) => ({ id: n.id, e164: n.e164, role: n.role })), failed: result.failed });
  });
  return router;
}
