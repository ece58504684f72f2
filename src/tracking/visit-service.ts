import { randomBytes } from 'node:crypto';
import type { SiteDirectory, SiteWithPools } from '../sites/site-directory';
import type { PoolStore, LiveLease } from '../pool/pool-store';
import { poolSettings, type Pool } from '../pool/pool-config-store';
import type { NumberDirectory } from '../numbers/number-directory';
import { ConflictError, NotFoundError } from '../shared/errors';
import { PUBLIC_ID } from '../shared/ids';
import { formatNational } from '../shared/phone';
import { withTimeout } from '../shared/with-timeout';
import { classifyVisitSource } from './domain/classify-source';
import type { VisitStore } from './visit-store';
import type { PoolRecovery } from '../pool/pool-recovery';
import { encodeVisitNote, type VisitSnapshot } from './visit-note';
import { isVisitIdOf, newVisitId } from './visit-ids';

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

/** A page waits for its number: a pool store that hangs becomes a 503 (the page keeps its own number). */
const POOL_BUDGET_MS = 2000;

const newVisitorId = () => `vr_${randomBytes(16).toString('base64url')}`;

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
    private readonly recovery: PoolRecovery,
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
    // The script sends back the visit id it got from us (its visit cookie) to continue the visit.
    // Nothing is read on this path: the first registration of an id fixes its source, later ones only
    // mark it seen (see VisitStore.upsertMany). An id this site did not issue starts a new visit.
    const visitId = input.visitId && isVisitIdOf(site.id, input.visitId) ? input.visitId : newVisitId(site.id);
    const source = classifyVisitSource({ url: input.url, referrer: input.referrer ?? null, siteDomains: site.domains });
    const snapshot: VisitSnapshot = { id: visitId, siteId: site.id, visitorId, title: input.title ?? null, source, at: now };
    const pool = pools[0];
    if (!pool) await this.visits.upsertMany([snapshot]);
    const leased = pool ? await this.leaseFrom(pool, snapshot, now) : null;
    return {
      visitorId,
      visitId,
      number: leased?.number ?? null,
      leaseToken: leased?.lease ? String(leased.lease.token) : null,
      leaseExpiresAt: leased?.lease ? new Date(leased.lease.expiresAt).toISOString() : null,
      heartbeatSeconds: this.heartbeatSeconds,
    };
  }

  /** Keeps the visit's number; a lost lease is a 409 so the script leases again. */
  async heartbeat(siteKey: string, visitId: string, leaseToken: string, now: number): Promise<{ number: ShownNumber; leaseExpiresAt: string }> {
    const { site, pools } = await this.siteFor(siteKey);
    const pool = pools[0];
    const token = Number(leaseToken);
    if (!site.trackingEnabled || !pool || !Number.isSafeInteger(token)) throw new ConflictError('This lease is no longer held; register the visit again.');
    let result = await this.poolStore.heartbeat(poolSettings(pool), visitId, token, now);
    if (result.outcome === 'lost' && (await this.recovery.recoverIfLost(pool, now))) result = await this.poolStore.heartbeat(poolSettings(pool), visitId, token, now);
    if (result.outcome === 'lost') throw new ConflictError('This lease is no longer held; register the visit again.');
    return { number: await this.show(result.lease.numberId), leaseExpiresAt: new Date(result.lease.expiresAt).toISOString() };
  }

  /** The visit's details ride along with the lease (one round trip) and reach Postgres in batches. */
  private async leaseFrom(pool: Pool, visit: VisitSnapshot, now: number): Promise<{ number: ShownNumber; lease: LiveLease | null } | null> {
    const note = encodeVisitNote(visit);
    let result = await withTimeout(this.poolStore.lease(poolSettings(pool), visit.id, now, note), POOL_BUDGET_MS, 'pool store');
    if (result.outcome === 'exhausted' && (await this.recovery.recoverIfLost(pool, now))) result = await this.poolStore.lease(poolSettings(pool), visit.id, now, note);
    if (result.outcome !== 'exhausted') return { number: await this.show(result.lease.numberId), lease: result.lease };
    // Every number is taken: the overflow number (no lease, its calls credited 'static'), else the site's own.
    return pool.overflowNumberId ? { number: await this.show(pool.overflowNumberId), lease: null } : null;
  }

  private async show(numberId: string): Promise<ShownNumber> {
    const e164 = await this.numbers.e164Of(numberId);
    return { e164, display: formatNational(e164) };
  }
}
