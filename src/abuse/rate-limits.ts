import type Redis from 'ioredis';
import type { Cluster } from 'ioredis';
import type { RateLimitSettings } from '../../config';
import { PUBLIC_ID } from '../shared/ids';
import { getLogger } from '../shared/logging/logger';
import type { NewVisitQuota } from '../tracking/visit-service';
import { ClientAddresses } from './client-address';
import { throttledRedisWarning, windowCounter, type WindowCounter } from './window-counter';

const log = getLogger('rate-limits');

export type RequestVerdict = { allowed: true } | { allowed: false; limit: 'address' | 'site'; retryAfterSeconds: number };

/** Every public tracking request (script, visits, heartbeats, page views, consent): per client address, then per site. */
export class PublicRequestLimits {
  constructor(
    private readonly addresses: ClientAddresses,
    private readonly perAddress: WindowCounter,
    private readonly perSite: WindowCounter,
  ) {}

  async check(siteKey: string, ip: string | undefined): Promise<RequestVerdict> {
    if (ip && this.addresses.exempt(ip)) return { allowed: true };
    const addressKey = ip ? this.addresses.keyOf(ip) : null;
    if (addressKey) {
      const taken = await this.perAddress.take(addressKey);
      if (!taken.allowed) return refused('address', taken.retryAfterMs);
    }
    // A made-up site key is a 404 further on; it gets no counter of its own.
    if (PUBLIC_ID.test(siteKey)) {
      const taken = await this.perSite.take(siteKey);
      if (!taken.allowed) return refused('site', taken.retryAfterMs);
    }
    return { allowed: true };
  }
}

function refused(limit: 'address' | 'site', retryAfterMs: number): RequestVerdict {
  return { allowed: false, limit, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
}

/**
 * How many new visits (each would lease a tracking number) one client address may start on one site
 * per window. Past it the visit is not tracked: a script on one machine cannot drain a site's pool.
 */
export class NewVisitLimits implements NewVisitQuota {
  private refusedSinceStart = 0;

  constructor(
    private readonly addresses: ClientAddresses,
    private readonly perAddressAndSite: WindowCounter,
  ) {}

  async allow(siteId: string, ip: string | null): Promise<boolean> {
    if (!ip || this.addresses.exempt(ip)) return true;
    const addressKey = this.addresses.keyOf(ip);
    if (!addressKey) return true;
    const taken = await this.perAddressAndSite.take(`${siteId}:${addressKey}`);
    if (taken.allowed) return true;
    this.refusedSinceStart += 1;
    log.debug('new visit over the per-address quota: not given a number', { siteId, refusedSinceStart: this.refusedSinceStart });
    return false;
  }

  /** New visits refused a number since this instance started (all sites). */
  get refused(): number {
    return this.refusedSinceStart;
  }
}

export interface RateLimits {
  requests: PublicRequestLimits;
  newVisits: NewVisitLimits;
}

/**
 * The public endpoints' limits, counted in Redis when the service has one (shared by every
 * instance) and in memory in single-instance mode. `pseudonymKey` keys the hash that replaces client
 * addresses in counter keys (the same on every instance).
 */
export function createRateLimits(settings: RateLimitSettings, store: { redis?: Redis | Cluster; keyPrefix: string; pseudonymKey: Buffer }): RateLimits {
  const addresses = new ClientAddresses(settings.allowlist, store.pseudonymKey);
  const counters = { redis: store.redis, keyPrefix: store.keyPrefix, onRedisFailure: throttledRedisWarning() };
  return {
    requests: new PublicRequestLimits(addresses, windowCounter('ip', settings.ipPerMinute, 60, counters), windowCounter('site', settings.sitePerMinute, 60, counters)),
    newVisits: new NewVisitLimits(addresses, windowCounter('new-visits', settings.newVisitsPerIp, settings.newVisitsWindowSeconds, counters)),
  };
}
