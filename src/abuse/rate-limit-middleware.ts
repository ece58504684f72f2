import type { RequestHandler } from 'express';
import type { PublicRequestLimits } from './rate-limits';
import { TooManyRequestsError } from './too-many-requests-error';

/**
 * Counts a public tracking request against its client address and its site (`:siteKey`); over either
 * limit it is answered 429 with Retry-After before any other work is done.
 */
export function limitPublicRequests(limits: PublicRequestLimits): RequestHandler<{ siteKey: string }> {
  return async (req, res, next) => {
    // trust proxy (app.ts) makes req.ip the client's address behind our load balancer.
    const verdict = await limits.check(req.params.siteKey, req.ip);
    if (verdict.allowed) return next();
    res.set('Retry-After', String(verdict.retryAfterSeconds));
    const who = verdict.limit === 'address' ? 'from this address' : 'for this site';
    throw new TooManyRequestsError(`Too many tracking requests ${who}; retry after ${verdict.retryAfterSeconds} s.`, { limit: verdict.limit, retryAfterSeconds: verdict.retryAfterSeconds });
  };
}
