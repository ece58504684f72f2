import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { UnauthorizedError } from '../errors';

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * Bearer-key authentication for the admin API. The bootstrap operator key from ADMIN_API_KEY is kept
 * only as a SHA-256 hash (a high-entropy key needs no slow hash) and compared in constant time.
 */
export function adminAuth(bootstrapKeyHash: Buffer): RequestHandler {
  return (req, res, next) => {
    const header = req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return next(new UnauthorizedError('Send an API key as "Authorization: Bearer <key>".'));
    const presented = hashApiKey(match[1]);
    if (!timingSafeEqual(presented, bootstrapKeyHash)) return next(new UnauthorizedError('The API key is not valid.'));
    res.locals.actor = OPERATOR;
    next();
  };
}

/** The bootstrap key's holder, as audit entries and privacy requests name them (never the key itself). */
export const OPERATOR = 'operator';

/** Who is calling, as set by adminAuth: an id safe to store and show. */
export function actorOf(res: Response): string {
  return typeof res.locals.actor === 'string' ? res.locals.actor : 'unknown';
}
