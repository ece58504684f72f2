import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { UnauthorizedError } from '../errors';

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * Bearer-key authentication for the admin API. The bootstrap operator key from ADMIN_API_KEY is kept
 * only as a SHA-256 hash (a high-entropy key needs no slow hash) and compared in constant time.
 */
export function adminAuth(bootstrapKeyHash: Buffer): RequestHandler {
  return (req, _res, next) => {
    const header = req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return next(new UnauthorizedError('Send an API key as "Authorization: Bearer <key>".'));
    const presented = hashApiKey(match[1]);
    if (!timingSafeEqual(presented, bootstrapKeyHash)) return next(new UnauthorizedError('The API key is not valid.'));
    next();
  };
}
