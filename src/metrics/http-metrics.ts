import type { Request, RequestHandler } from 'express';

export interface RequestObserver {
  observeRequest(method: string, route: string, status: number, seconds: number): void;
}

/** Times every answered request, labelled by the pattern of the route that answered it. */
export function observeRequests(metrics: RequestObserver): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.on('finish', () => metrics.observeRequest(req.method, routeLabel(req), res.statusCode, (performance.now() - started) / 1000));
    next();
  };
}

/**
 * The declared pattern of the route that answered ('/t/:siteKey/visits', '/v1/pools/:poolId'), never
 * the URL, so no id, site key or phone number becomes a label value. A request answered before it
 * reached a route (404, a refused API key, a CORS refusal) is 'unmatched'.
 */
export function routeLabel(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : 'unmatched';
}
