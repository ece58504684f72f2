import { createHash, timingSafeEqual } from 'node:crypto';
import express, { Router, type RequestHandler } from 'express';
import { UnauthorizedError } from '../shared/errors';
import { errorHandler, notFoundHandler } from '../shared/http/error-handler';
import type { Metrics } from './metrics';

export const METRICS_PATH = '/metrics';

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

function serveMetrics(metrics: Metrics): RequestHandler {
  return async (_req, res) => {
    const text = await metrics.scrape();
    res.set({ 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' }).send(text);
  };
}

/** A scraper presenting `Authorization: Bearer <METRICS_TOKEN>`; compared in constant time. */
function requireToken(token: string): RequestHandler {
  const expected = sha256(token);
  return (req, res, next) => {
    const [scheme, presented] = (req.get('authorization') ?? '').split(' ', 2);
    if (scheme?.toLowerCase() === 'bearer' && presented && timingSafeEqual(sha256(presented), expected)) return next();
    res.set('WWW-Authenticate', 'Bearer realm="metrics"');
    next(new UnauthorizedError('GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.'));
  };
}

/** GET /metrics on the public port: only with METRICS_TOKEN (app.ts mounts nothing without one). */
export function protectedMetricsRoutes(metrics: Metrics, token: string): Router {
  const router = Router();
  router.get(METRICS_PATH, requireToken(token), serveMetrics(metrics));
  return router;
}

/**
 * The METRICS_PORT listener: GET /metrics without authentication, so it must only be reachable from
 * the private network the scraper is on (bind HOST accordingly, or firewall the port).
 */
export function metricsListenerApp(metrics: Metrics): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get(METRICS_PATH, serveMetrics(metrics));
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
