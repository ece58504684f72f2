import { randomBytes } from 'node:crypto';
import type { SiteDirectory, SiteWithPools } from '../sites/site-directory';
import type { PoolStore, LiveLease } from '../pool/pool-store';
import { poolSettings, type Pool } from '../pool/pool-config-store';
import type { NumberDirectory } from '../numbers/number-directory';
import { ConflictError, NotFoundError } from '../shared/errors';
import { PUBLIC_ID } from '../shared/ids';
import { formatNational } from '../shared/phone';
import { classifyVisitSource } from './domain/classify-source';
import type { VisitStore } from './visit-store';

export interface RegisterVisitInput {
  visitorId?: string;
  visitId?: string;
  url: string;
  referrer?: string;
  title?: string;
}

export interface ShownNumber {
  e164: string;
  display: string;
}

export interface VisitResponse {
  visitorId: string | null;
  visitId: string | null;
  number: ShownNumber | null;
  leaseToken: string | null;
  leaseExpiresAt: string | null;
  heartbeatSeconds: number;
}

const newVisitorId = () => `vr_${randomBytes(16).toString('base64url')}`;
const newVisitId = () => `vs_${randomBytes(16).toString('base64url')}`;

/**
 * A website visit asks for a tracking number: classify where it came from, remember it, lease it
 * a number from the site's pool. A site with tracking disabled stores nothing and shows its own number.
 */
export class VisitService {
  constructor(
    private readonly directory: SiteDirectory,
    private readonly visits: VisitStore,
    private readonly poolStore: PoolStore,
    private readonly numbers: NumberDirectory,
    private readonly heartbeatSeconds: number,
  ) {}

  async siteFor(siteKey: string): Promise<SiteWithPools> {
    const entry = PUBLIC_ID.test(siteKey) ? await this.directory.bySiteKey(siteKey) : null;
    if (!entry) throw new NotFoundError('No site with this site key.');
    return entry;
  }

  async registerVisit(siteKey: string, input: RegisterVisitInput, now: number): Promise<VisitResponse> {
    const { site, pools } = await this.siteFor(siteKey);
    if (!site.trackingEnabled) {
      return { visitorId: null, visitId: null, number: null, leaseToken: null, leaseExpiresAt: null, heartbeatSeconds: this.heartbeatSeconds };
    }
    const visitorId = input.visitorId && PUBLIC_ID.test(input.visitorId) ? input.visitorId : newVisitorId();
    // A visit id we issued for this site is continued; anything else starts a new visit.
    const known = input.visitId && PUBLIC_ID.test(input.visitId) ? await this.visits.touch(site.id, input.visitId, new Date(now)) : false;
    const visitId = known ? (input.visitId as string) : newVisitId();
    if (!known) {
      const source = classifyVisitSource({ url: input.url, referrer: input.referrer ?? null, siteDomains: site.domains });
      await this.visits.insert({ id: visitId, siteId: site.id, visitorId, title: input.title ?? null, source, at: new Date(now) });
    }
    const leased = pools[0] ? await this.leaseFrom(pools[0], visitId, now) : null;
    return {
      visitorId,
      visitId,
      number: leased?.number ?? null,
      leaseToken: leased ? String(leased.lease.token) : null,
      leaseExpiresAt: leased ? new Date(leased.lease.expiresAt).toISOString() : null,
      heartbeatSeconds: this.heartbeatSeconds,
    };
  }

  /** Keeps the visit's number; a lost lease is a 409 so the script leases again. */
  async heartbeat(siteKey: string, visitId: string, leaseToken: string, now: number): Promise<{ number: ShownNumber; leaseExpiresAt: string }> {
    const { site, pools } = await this.siteFor(siteKey);
    const pool = pools[0];
    const token = Number(leaseToken);
    if (!site.trackingEnabled || !pool || !Number.isSafeInteger(token)) throw new ConflictError('This lease is no longer held; register the visit again.');
    const result = await this.poolStore.heartbeat(poolSettings(pool), visitId, token, now);
    if (result.outcome === 'lost') throw new ConflictError('This lease is no longer held; register the visit again.');
    await this.visits.touch(site.id, visitId, new Date(now));
    return { number: await this.show(result.lease), leaseExpiresAt: new Date(result.lease.expiresAt).toISOString() };
  }

  private async leaseFrom(pool: Pool, visitId: string, now: number): Promise<{ number: ShownNumber; lease: LiveLease } | null> {
    const result = await this.poolStore.lease(poolSettings(pool), visitId, now);
    if (result.outcome === 'exhausted') return null;
    return { number: await this.show(result.lease), lease: result.lease };
  }

  private async show(lease: LiveLease): Promise<ShownNumber> {
    const e164 = await this.numbers.e164Of(lease.numberId);
    return { e164, display: formatNational(e164) };
  }
}
