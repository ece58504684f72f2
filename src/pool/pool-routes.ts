import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../shared/http/validate';
import { isE164 } from '../shared/phone';
import type { Clock } from '../shared/clock';
import type { Pool } from './pool-config-store';
import type { PoolService } from './pool-service';

const e164 = z.string().refine(isE164, 'must be an E.164 number such as +442079460999');

const createPoolBody = z.strictObject({
  siteId: z.uuid(),
  name: z.string().trim().min(1).max(200),
  forwardTo: e164,
  leaseSeconds: z.number().int().min(60).max(86_400).optional(),
  graceSeconds: z.number().int().min(0).max(86_400).optional(),
  cooldownSeconds: z.number().int().min(0).max(86_400).optional(),
  exhaustionPolicy: z.enum(['overflow', 'recycle']).optional(),
});

const provisionBody = z.strictObject({
  count: z.number().int().min(1).max(100),
  country: z.enum(['GB', 'US']),
  areaCode: z.string().regex(/^\d{2,4}$/, 'must be 2 to 4 digits').optional(),
  role: z.enum(['pool', 'overflow', 'static']).optional(),
  staticSource: z.string().trim().min(1).max(200).optional(),
});

const poolView = (p: Pool) => ({
  id: p.id,
  siteId: p.siteId,
  name: p.name,
  forwardTo: p.forwardTo,
  leaseSeconds: p.leaseSeconds,
  graceSeconds: p.graceSeconds,
  cooldownSeconds: p.cooldownSeconds,
  exhaustionPolicy: p.exhaustionPolicy,
  overflowNumberId: p.overflowNumberId,
  createdAt: p.createdAt.toISOString(),
});

export function poolRoutes(service: PoolService, clock: Clock): Router {
  const router = Router();
  router.post('/v1/pools', async (req, res) => {
    const pool = await service.createPool(parseInput(createPoolBody, req.body));
    res.status(201).json(poolView(pool));
  });
  router.get('/v1/pools/:poolId', async (req, res) => {
    const poolId = parseInput(z.uuid(), req.params.poolId, 'pool id');
    const pool = await service.getPool(poolId);
    res.json({ ...poolView(pool), stats: await service.stats(poolId, clock.now()) });
  });
  router.post('/v1/pools/:poolId/numbers', async (req, res) => {
    const poolId = parseInput(z.uuid(), req.params.poolId, 'pool id');
    const result = await service.provisionNumbers({ poolId, ...parseInput(provisionBody, req.body) });
    res.status(201).json({ numbers: result.numbers.map((n) => ({ id: n.id, e164: n.e164, role: n.role })), failed: result.failed });
  });
  return router;
}
