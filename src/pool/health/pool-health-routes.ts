import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../../shared/http/validate';
import { ValidationError } from '../../shared/errors';
import { isStorableInstant } from '../../shared/time';
import type { Clock } from '../../shared/clock';
import type { AccessControl } from '../../access/guard';
import type { PoolHealthReport, PoolHealthService } from './pool-health-service';

const HOUR_MS = 3_600_000;
const DEFAULT_WINDOW_MS = 24 * HOUR_MS;
/** As long as the samples are kept (SAMPLES_KEPT_MS). */
export const MAX_WINDOW_MS = 35 * 24 * HOUR_MS;

const instant = z.iso.datetime({ offset: true }).refine((v) => isStorableInstant(Date.parse(v)), 'must be between the years 0001 and 9999 (UTC)');

export const poolHealthQuery = z.strictObject({
  from: instant.optional().meta({ description: 'Start of the window; default 24 hours before `to`.' }),
  to: instant.optional().meta({ description: 'End of the window; default now.' }),
  targetBlocking: z.coerce.number().gt(0).lt(1).optional().meta({ description: "Blocking to size the pool for (0 < t < 1); default the client's poolBlockingTarget." }),
});

/** The window asked for, with its defaults; longer than the samples are kept, or back to front, is refused. */
function windowOf(query: z.infer<typeof poolHealthQuery>, now: number): { from: number; to: number } {
  const to = query.to ? Date.parse(query.to) : now;
  const from = query.from ? Date.parse(query.from) : to - DEFAULT_WINDOW_MS;
  if (!isStorableInstant(from)) throw new ValidationError('Invalid query: the window starts before the year 0001', { issues: [{ path: 'to', message: 'leaves no room for a window before it' }] });
  if (!(from < to)) throw new ValidationError('Invalid query: from must be before to', { issues: [{ path: 'from', message: 'must be before to' }] });
  if (to - from > MAX_WINDOW_MS) throw new ValidationError('Invalid query: the window is at most 35 days', { issues: [{ path: 'from', message: 'the window is at most 35 days' }] });
  return { from, to };
}

const iso = (ms: number) => new Date(ms).toISOString();

export const poolHealthView = (r: PoolHealthReport) => ({
  poolId: r.poolId,
  from: iso(r.window.from),
  to: iso(r.window.to),
  live: r.live,
  utilisation: r.utilisation.map((p) => ({ at: iso(p.at), total: p.total, leased: p.leased, utilisation: p.utilisation })),
  exhaustion: { total: r.exhaustion.total, events: r.exhaustion.events.map((e) => ({ at: iso(e.at), count: e.count })) },
  attribution: r.attribution,
  sizing: { ...r.sizing, peakHourStart: r.sizing.peakHourStart === null ? null : iso(r.sizing.peakHourStart) },
});

export function poolHealthRoutes(service: PoolHealthService, clock: Clock, access: AccessControl): Router {
  const router = Router();
  router.get('/v1/pools/:poolId/health', access.guard('pools:read', { params: { poolId: 'pool' } }), async (req, res) => {
    const poolId = parseInput(z.uuid(), req.params.poolId, 'pool id');
    const query = parseInput(poolHealthQuery, req.query, 'query');
    const now = clock.now();
    const report = await service.report(poolId, windowOf(query, now), now, query.targetBlocking);
    res.json(poolHealthView(report));
  });
  return router;
}
