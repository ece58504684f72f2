import express, { Router, type RequestHandler } from 'express';
import cors from 'cors';
import { z } from 'zod';
import { parseInput } from '../shared/http/validate';
import { ConflictError, ForbiddenError } from '../shared/errors';
import { PUBLIC_ID } from '../shared/ids';
import type { Clock } from '../shared/clock';
import { originAllowed } from '../sites/site-service';
import type { VisitorContext, VisitService } from './visit-service';
import type { TrackingScripts } from './tracking-script';
import type { ConsentService } from './consent-service';
import type { PublicRequestLimits } from '../abuse/rate-limits';
import { limitPublicRequests } from '../abuse/rate-limit-middleware';
import { isServerFailure, NO_METRICS, type TrackingMetrics } from '../metrics/outcomes';

const optionalText = (max: number) => z.string().max(max).optional();
const pageUrl = z.url({ protocol: /^https?$/ }).max(2048);

export const registerVisitBody = z.object({
  visitorId: optionalText(64),
  visitId: optionalText(64),
  url: pageUrl,
  referrer: z.union([z.literal(''), z.url().max(2048)]).optional(),
  title: optionalText(512),
  // From the _ga and _ga_<id> cookies: '1234567890.1700000000' and '1700000000'.
  gaClientId: z.string().regex(/^\d{1,20}\.\d{1,20}$/, 'must be a Google Analytics client id such as 1234567890.1700000000').optional(),
  gaSessionId: z.string().regex(/^\d{1,20}$/, 'must be a Google Analytics session id (digits)').optional(),
  pageView: z.boolean().optional(),
});

export const heartbeatBody = z.object({ leaseToken: z.string().regex(/^\d{1,15}$/, 'must be the leaseToken the visit received') });

export const pageViewBody = z.object({ url: pageUrl, title: optionalText(512), kind: z.enum(['view', 'exit']).default('view') });

// The visitor id is the script's _ct_vr cookie, which only ever holds an id we issued.
export const consentBody = z.strictObject({
  visitorId: z.string().regex(PUBLIC_ID, 'must be the visitorId the visit registration returned'),
  state: z.enum(['given', 'withdrawn']),
});

/** How long browsers and CDNs may reuse a site's script before asking again (with If-None-Match). */
const SCRIPT_MAX_AGE_SECONDS = 300;

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

/** What the request says about the browser; the service never sees `req`. */
function visitorContext(req: express.Request): VisitorContext {
  return {
    userAgent: req.get('user-agent')?.slice(0, 512) ?? null,
    // trust proxy (app.ts) makes this the client's address behind our load balancer.
    ip: req.ip ?? null,
    doNotTrack: req.get('dnt') === '1',
    globalPrivacyControl: req.get('sec-gpc') === '1',
  };
}

/**
 * `limits`: per-address and per-site request limits (src/abuse), counted before any other work.
 * `metrics`: how registrations and heartbeats end (a refusal the visitor caused is not counted as an error).
 */
export function trackingRoutes(visits: VisitService, scripts: TrackingScripts, clock: Clock, consents: ConsentService, limits?: PublicRequestLimits, metrics: TrackingMetrics = NO_METRICS): Router {
  const router = Router();
  const limited: RequestHandler<{ siteKey: string }> = limits ? limitPublicRequests(limits) : (_req, _res, next) => next();
  // The tracking script sends its requests as text/plain to avoid a CORS preflight.
  const body = express.json({ limit: '16kb', type: ['application/json', 'text/plain'] });

  // The script itself: loaded by a <script> tag from any page, so outside the CORS check below.
  router.get('/t/:siteKey.js', limited, async (req, res) => {
    const { site } = await visits.siteFor(req.params.siteKey);
    const script = await scripts.forSite(site);
    res.set({
      'Content-Type': 'application/javascript; charset=utf-8',
      'Cache-Control': `public, max-age=${SCRIPT_MAX_AGE_SECONDS}`,
      ETag: script.etag,
      Vary: 'Accept-Encoding',
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.fresh) return void res.status(304).end();
    if (req.acceptsEncodings('gzip') === 'gzip') return void res.set('Content-Encoding', 'gzip').send(script.gzipped);
    res.send(script.body);
  });

  router.use('/t/:siteKey', limited, corsForSite(visits));

  router.post('/t/:siteKey/visits', body, async (req, res) => {
    const input = parseInput(registerVisitBody, req.body ?? {});
    const { visit, lease } = await visits.registerVisit(req.params.siteKey, input, visitorContext(req), clock.now()).catch((err: unknown) => {
      if (isServerFailure(err)) metrics.lease('error');
      throw err;
    });
    metrics.lease(lease);
    res.set('Cache-Control', 'no-store').json(visit);
  });

  router.post('/t/:siteKey/visits/:visitId/heartbeat', body, async (req, res) => {
    const { leaseToken } = parseInput(heartbeatBody, req.body ?? {});
    const result = await visits.heartbeat(req.params.siteKey, req.params.visitId, leaseToken, clock.now()).catch((err: unknown) => {
      if (err instanceof ConflictError) metrics.heartbeat('lost');
      else if (isServerFailure(err)) metrics.heartbeat('error');
      throw err;
    });
    metrics.heartbeat('renewed');
    res.set('Cache-Control', 'no-store').json(result);
  });

  router.post('/t/:siteKey/visits/:visitId/pageviews', body, async (req, res) => {
    const input = parseInput(pageViewBody, req.body ?? {});
    await visits.recordPageView(req.params.siteKey, req.params.visitId, input, clock.now());
    res.status(204).end();
  });

  router.post('/t/:siteKey/consent', body, async (req, res) => {
    const { visitorId, state } = parseInput(consentBody, req.body ?? {});
    await consents.recordConsent(req.params.siteKey, visitorId, state, clock.now());
    res.status(204).end();
  });
  return router;
}
