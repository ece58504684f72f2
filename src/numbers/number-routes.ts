import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../shared/http/validate';
import { NotFoundError } from '../shared/errors';
import { isE164 } from '../shared/phone';
import { UUID } from '../shared/ids';
import type { Clock } from '../shared/clock';
import { DEFAULT_WHISPER } from '../calls/domain/routing';
import type { NumberLifecycle } from './number-lifecycle';
import type { NumberReconciliation } from './number-reconciliation';
import type { NumberOverrides, NumberStore } from './number-store';
import { numberView } from './number-view';
import type { AccessControl } from '../access/guard';
import { accessOf } from '../access/authenticate';

// null = as the pool says; false / "none" switch the pool's whisper or fallback off for this number.
export const overridesBody = z
  .strictObject({
    whisper: z.union([z.boolean(), z.string().trim().min(1).max(200)]).nullable().optional(),
    record: z.boolean().nullable().optional(),
    fallback: z.union([z.string().refine(isE164, 'must be an E.164 number, "voicemail" or "none"'), z.enum(['voicemail', 'none'])]).nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'give at least one of whisper, record, fallback');

export const findByE164Query = z.strictObject({ e164: z.string().refine(isE164, 'must be an E.164 number such as +442079460001') });

/** The id from the path; anything that is not a number id is simply not found (no echo of what was sent). */
function numberIdOf(raw: string): string {
  if (!UUID.test(raw)) throw new NotFoundError('No tracking number with this id.');
  return raw;
}

export function numberRoutes(deps: { numbers: NumberStore; lifecycle: NumberLifecycle; reconciliation: NumberReconciliation; onNumbersChanged: () => void }, clock: Clock, access: AccessControl): Router {
  const router = Router();
  // Declared before /:numberId so "reconcile" is never read as an id.
  router.post('/v1/numbers/reconcile', access.guard('numbers:reconcile'), async (_req, res) => {
    res.json(await deps.reconciliation.run());
  });
  // Find a number by its E.164 (e.g. the number a caller dialled): GET /v1/numbers?e164=%2B442079460001
  router.get('/v1/numbers', access.guard('numbers:read'), async (req, res) => {
    const { e164 } = parseInput(findByE164Query, req.query, 'query');
    const route = await deps.numbers.findRoute(e164);
    const n = route && (await access.visible(accessOf(res), 'number', route.numberId)) ? await deps.numbers.findDetails(route.numberId) : null;
    res.json({ data: n ? [numberView(n)] : [] });
  });
  router.get('/v1/numbers/:numberId', access.guard('numbers:read', { params: { numberId: 'number' } }), async (req, res) => {
    const n = await deps.numbers.findDetails(numberIdOf(String(req.params.numberId)));
    if (!n) throw new NotFoundError('No tracking number with this id.');
    res.json(numberView(n));
  });
  router.patch('/v1/numbers/:numberId', access.guard('numbers:write', { params: { numberId: 'number' } }), async (req, res) => {
    const id = numberIdOf(String(req.params.numberId));
    const b = parseInput(overridesBody, req.body);
    const overrides: Partial<NumberOverrides> = {};
    if (b.whisper !== undefined) overrides.whisper = b.whisper === true ? DEFAULT_WHISPER : b.whisper === false ? '' : b.whisper;
    if (b.record !== undefined) overrides.record = b.record;
    if (b.fallback !== undefined) overrides.fallbackTo = b.fallback === 'none' ? '' : b.fallback;
    const n = await deps.numbers.setOverrides(id, overrides);
    if (!n) throw new NotFoundError('No tracking number with this id.');
    deps.onNumbersChanged();
    res.json(numberView(n));
  });
  // Quarantine, not an immediate release: see NumberLifecycle.
  router.delete('/v1/numbers/:numberId', access.guard('numbers:write', { params: { numberId: 'number' } }), async (req, res) => {
    const n = await deps.lifecycle.quarantine(numberIdOf(String(req.params.numberId)), clock.now());
    res.json(numberView(n));
  });
  return router;
}
