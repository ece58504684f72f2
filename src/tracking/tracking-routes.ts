import express, { Router, type RequestHandler } from 'express';
import cors from 'cors';
import { z } from 'zod';
import { parseInput } from '../shared/http/validate';
import { ForbiddenError } from '../shared/errors';
import type { Clock } from '../shared/clock';
import { originAllowed } from '../sites/site-service';
import type { VisitService } from './visit-service';

const optionalText = (max: number) => z.string().max(max).optional();

const registerVisitBody = z.object({
  visitorId: optionalText(64),
  visitId: optionalText(64),
  url: z.url({ protocol: /^https?$/ }).max(2048),
  referrer: z.union([z.literal(''), z.url().max(2048)]).optional(),
  title: optionalText(512),
});

const heartbeatBody = z.object({ leaseToken: z.string().regex(/^\d{1,15}$/, 'must be the leaseToken the visit received') });

/**
 * CORS for the public tracking API: only the site's own domains may call it from a browser. A request
 * with no Origin (a server, curl, a same-origin beacon) is not a cross-origin read and passes.
 */
function corsForSite(visits: VisitService): RequestHandler {
  return cors((req, callback) => {
    const origin = req.headers.origin;
    const siteKey = String((req as express.Request).params.siteKey);
    if (!origin) return callback(null, { origin: false });
    visits
      .siteFor(siteKey)
      .then(({ site }) => {
        if (!originAllowed(site, origin)) return callback(new ForbiddenError(`Origin ${origin} is not one of this site's domains.`));
        callback(null, { origin, methods: ['POST', 'GET'], allowedHeaders: ['Content-Type'], maxAge: 600 });
      })
      .catch(callback);
  });
}

export function trackingRoutes(visits: VisitService, clock: Clock): Router {
  const router = Router();
  // The tracking script may send beacons as text/plain to avoid a CORS preflight.
  const body = express.json({ limit: '16kb', type: ['application/json', 'text/plain'] });
  router.use('/t/:siteKey', corsForSite(visits));

  router.post('/t/:siteKey/visits', body, async (req, res) => {
    const input = parseInput(registerVisitBody, req.body ?? {});
    res.set('Cache-Control', 'no-store').json(await visits.registerVisit(req.params.siteKey, input, clock.now()));
  });

  router.post('/t/:siteKey/visits/:visitId/heartbeat', body, async (req, res) => {
    const { leaseToken } = parseInput(heartbeatBody, req.body ?? {});
    const result = await visits.heartbeat(req.params.siteKey, req.params.visitId, leaseToken, clock.now());
    res.set('Cache-Control', 'no-store').json(result);
  });
  return router;
}
