import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { UnauthorizedError } from '../shared/errors';
import { TtlCache } from '../shared/ttl-cache';
import { getLogger } from '../shared/logging/logger';
import type { ApiKeyStore } from './api-key-store';
import { OPERATOR_ACCESS, type Access } from './roles';

const log = getLogger('access');
/** A revoked key stops working at once on the instance that revoked it, and within this on the others. */
const KEY_CACHE_MS = 30_000;
/** last_used_at is written at most this often per key and instance (it is for humans, not billing). */
const USAGE_FLUSH_MS = 60_000;

export const hashApiKey = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

/**
 * Turns a presented bearer key into the caller's Access: the bootstrap operator key (compared in
 * constant time with its hash), or a client key looked up by its SHA-256 hash (cached briefly, so the
 * admin API does not read the key table on every request).
 */
export class ApiKeyAuthenticator {
  private readonly cache: TtlCache<Access | null>;
  /** Keys used since the last flush, and when the latest of those uses was. */
  private readonly used = new Set<string>();
  private lastUse = 0;
  private lastUsageFlush = Number.NEGATIVE_INFINITY;
  private pendingFlush: NodeJS.Timeout | null = null;

  constructor(
    private readonly keys: ApiKeyStore,
    private readonly bootstrapKeyHash: Buffer,
    private readonly now: () => number = Date.now,
  ) {
    this.cache = new TtlCache<Access | null>(KEY_CACHE_MS, 10_000, now);
  }

  async authenticate(presented: string): Promise<Access | null> {
    const hash = hashApiKey(presented);
    if (timingSafeEqual(hash, this.bootstrapKeyHash)) return OPERATOR_ACCESS;
    const hex = hash.toString('hex');
    const access = await this.cache.get(hex, async () => {
      const key = await this.keys.findActiveByHash(hex);
      return key ? { actor: `key:${key.id}`, role: key.role, keyId: key.id, clients: Object.freeze([...key.clientIds]) } : null;
    });
    if (access?.keyId) this.noteUse(access.keyId);
    return access;
  }

  /** After a revocation or a change of a key's clients. */
  forgetAll(): void {
    this.cache.clear();
  }

  private noteUse(keyId: string): void {
    this.used.add(keyId);
    this.lastUse = this.now();
    if (this.pendingFlush) return;
    const wait = this.lastUsageFlush + USAGE_FLUSH_MS - this.lastUse;
    if (wait <= 0) return this.flushUsage();
    // Not only on the next use: a key used once and then never again must still show that use.
    this.pendingFlush = setTimeout(() => {
      this.pendingFlush = null;
      this.flushUsage();
    }, wait);
    this.pendingFlush.unref();
  }

  private flushUsage(): void {
    this.lastUsageFlush = this.now();
    const ids = [...this.used];
    this.used.clear();
    this.keys.touch(ids, new Date(this.lastUse)).catch((err: unknown) => log.warn('api key last-used time not saved', { error: err }));
  }
}

/** Bearer-key authentication for the admin API; the caller's Access goes to res.locals.access. */
export function authenticate(auth: ApiKeyAuthenticator): RequestHandler {
  return (req, res, next) => {
    const match = /^Bearer\s+(\S{1,200})\s*$/i.exec(req.header('authorization') ?? '');
    if (!match) return next(new UnauthorizedError('Send an API key as "Authorization: Bearer <key>".'));
    auth
      .authenticate(match[1])
      .then((access) => {
        if (!access) return next(new UnauthorizedError('The API key is not valid.'));
        res.locals.access = access;
        res.locals.actor = access.actor;
        next();
      })
      .catch(next);
  };
}

export function accessOf(res: Response): Access {
  const access = res.locals.access as Access | undefined;
  if (!access) throw new Error('accessOf called on a route without authentication');
  return access;
}

/** Who is calling: an id safe to store and show in audit entries and privacy requests (never the key). */
export function actorOf(res: Response): string {
  return accessOf(res).actor;
}
