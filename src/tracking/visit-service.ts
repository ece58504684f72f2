import { randomBytes } from 'node:crypto';
import type { SiteDirectory, SiteWithPools } from '../sites/site-directory';
import type { Site } from '../sites/site-store';
import type { PoolStore, LiveLease } from '../pool/pool-store';
import { poolSettings, type Pool } from '../pool/pool-config-store';
import type { NumberDirectory } from '../numbers/number-directory';
import { ConflictError, NotFoundError } from '../shared/errors';
import { PUBLIC_ID } from '../shared/ids';
import { formatNational } from '../shared/phone';
import { withTimeout } from '../shared/with-timeout';
import { classifyVisitSource } from './domain/classify-source';
import { automationSignal } from './domain/automated-visitor';
import { describeUserAgent } from './domain/describe-user-agent';
import type { VisitStore } from './visit-store';
import type { PoolRecovery } from '../pool/pool-recovery';
import { encodeVisitNote, type VisitSnapshot } from './visit-note';
import type { VisitIds } from './visit-ids';
import { numberShape } from './number-shape';
import type { NetworkLookup } from './network/network-lookup';
import type { PageViewRecorder } from './page-view-recorder';
import type { ShownNumber } from './script/types';
import type { PersonalDataCipher } from '../privacy/personal-data-cipher';
import type { SubjectLimits } from '../privacy/subject-limits';

export type { ShownNumber };

export interface RegisterVisitInput {
  visitorId?: string;
  visitId?: string;
  url: string;
  referrer?: string;
  title?: string;
  gaClientId?: string;
  gaSessionId?: string;
  /** False when the script leases again for the page it is on (its lease was lost): no new page view. */
  pageView?: boolean;
}

/** What the request says about the browser behind it (the HTTP layer reads it from headers). */
export interface VisitorContext {
  userAgent: string | null;
  ip: string | null;
  /** DNT: 1 */
  doNotTrack: boolean;
  /** Sec-GPC: 1 */
  globalPrivacyControl: boolean;
}

export interface PageViewInput {
  url: string;
  title?: string;
  kind: 'view' | 'exit';
}

export interface VisitResponse {
  visitorId: string | null;
  visitId: string | null;
  number: ShownNumber | null;
  leaseToken: string | null;
  leaseExpiresAt: string | null;
  heartbeatSeconds: number;
}

/**
 * How the visit's number was decided, for the service's metrics (never sent to the browser):
 * a lease granted or renewed, every number taken (the overflow number shown, or none), no pool, or
 * the visitor not tracked at all.
 */
export type VisitLeaseOutcome = 'granted' | 'renewed' | 'exhausted' | 'overflow' | 'no_pool' | 'not_tracked';

export interface RegisteredVisit {
  visit: VisitResponse;
  lease: VisitLeaseOutcome;
}

/**
 * How many new visits one client address may start on a site (src/abuse): a visit past it is shown
 * the site's own number, so a script on one machine cannot drain the pool.
 */
export interface NewVisitQuota {
  allow(siteId: string, ip: string | null): Promise<boolean>;
}

/** A page waits for its number: a pool store that hangs becomes a 503 (the page keeps its own number). */
const POOL_BUDGET_MS = 2000;

const newVisitorId = () => `vr_${randomBytes(16).toString('base64url')}`;

/**
 * A website visit asks for a tracking number: check the visitor may be tracked (the site tracks, the
 * browser did not opt out, it is not a bot), classify where it came from, remember it, lease it a number
 * from the site's pool. A visitor who is not tracked stores nothing and is shown the site's own number.
 */
export class VisitService {
  private readonly shown = new Map<string, ShownNumber>();

  constructor(
    private readonly directory: SiteDirectory,
    private readonly visits: VisitStore,
    private readonly poolStore: PoolStore,
    private readonly numbers: NumberDirectory,
    private readonly heartbeatSeconds: number,
    private readonly recovery: PoolRecovery,
    private readonly network: NetworkLookup,
    private readonly pageViews: PageViewRecorder,
    private readonly personalData: PersonalDataCipher,
    private readonly limits: SubjectLimits,
    private readonly newVisits: NewVisitQuota,
    private readonly visitIds: VisitIds,
  ) {}

  async siteFor(siteKey: string): Promise<SiteWithPools> {
    const entry = PUBLIC_ID.test(siteKey) ? await this.directory.bySiteKey(siteKey) : null;
    if (!entry) throw new NotFoundError('No site with this site key.');
    return entry;
  }

  async registerVisit(siteKey: string, input: RegisterVisitInput, visitor: VisitorContext, now: number): Promise<RegisteredVisit> {
    const { site, pools } = await this.siteFor(siteKey);
    if (!site.trackingEnabled || optedOut(site, visitor)) return this.notTracked();
    const network = await this.network.lookup(visitor.ip);
    if (automationSignal({ userAgent: visitor.userAgent, asn: network.asn })) return this.notTracked();

    // A visitor who objected, or whose data is restricted, is not tracked again (GDPR art. 18, 21).
    if (input.visitorId && this.limits.limitOf(site.id, 'visitor', input.visitorId)) return this.notTracked();
    const visitorId = input.visitorId && PUBLIC_ID.test(input.visitorId) ? input.visitorId : newVisitorId();
    // The script sends back the visit id it got from us (its visit cookie) to continue the visit.
    // Nothing is read on this path: the first registration of an id fixes its source, later ones only
    // mark it seen (see VisitStore.upsertMany). An id this site did not issue starts a new visit.
    // (A visit older than a day, or an id from the future, starts a new visit too: see visit-ids.ts.)
    const continued = Boolean(input.visitId && this.visitIds.canContinue(site.id, input.visitId, now));
    // Only a new visit would lease another number; one past its address's quota is not tracked at all.
    if (!continued && pools.length > 0 && !(await this.newVisits.allow(site.id, visitor.ip))) return this.notTracked();
    const visitId = continued ? (input.visitId as string) : this.visitIds.issue(site.id, now);
    const source = classifyVisitSource({ url: input.url, referrer: input.referrer ?? null, siteDomains: site.domains });
    const snapshot: VisitSnapshot = {
      id: visitId,
      siteId: site.id,
      visitorId,
      title: input.title ?? null,
      source,
      at: now,
      userAgent: visitor.userAgent,
      ...describeUserAgent(visitor.userAgent),
      // Sealed before it leaves this process: the note waits in Redis, then lands in Postgres.
      ip: this.personalData.sealNullable(visitor.ip),
      ...network,
      gaClientId: input.gaClientId ?? null,
      gaSessionId: input.gaSessionId ?? null,
    };
    const pool = pools[0];
    if (!pool) await this.visits.upsertMany([snapshot]);
    const leased = pool ? await this.leaseFrom(pool, snapshot, now) : null;
    // Recorded once the visit is (a failed lease answers 503 and the script will register again).
    if (!continued || input.pageView !== false) {
      this.pageViews.record({ siteId: site.id, visitId, kind: continued ? 'view' : 'entry', url: source.landingPage, title: snapshot.title, at: now });
    }
    return {
      visit: {
        visitorId,
        visitId,
        number: leased?.number ?? null,
        leaseToken: leased?.lease ? String(leased.lease.token) : null,
        leaseExpiresAt: leased?.lease ? new Date(leased.lease.expiresAt).toISOString() : null,
        heartbeatSeconds: this.heartbeatSeconds,
      },
      lease: pool ? (leased?.outcome ?? 'exhausted') : 'no_pool',
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

  /**
   * A later page of the visit (a single-page-app navigation, or the visitor leaving a page), recorded in
   * the background. Only visit ids this site issued are accepted.
   */
  async recordPageView(siteKey: string, visitId: string, input: PageViewInput, now: number): Promise<void> {
    const { site } = await this.siteFor(siteKey);
    if (!this.visitIds.isOf(site.id, visitId)) throw new NotFoundError('No visit with this id on this site.');
    if (!site.trackingEnabled) return;
    this.pageViews.record({ siteId: site.id, visitId, kind: input.kind, url: input.url, title: input.title ?? null, at: now });
  }

  private notTracked(): RegisteredVisit {
    return { visit: { visitorId: null, visitId: null, number: null, leaseToken: null, leaseExpiresAt: null, heartbeatSeconds: this.heartbeatSeconds }, lease: 'not_tracked' };
  }

  /** The visit's details ride along with the lease (one round trip) and reach Postgres in batches. */
  private async leaseFrom(pool: Pool, visit: VisitSnapshot, now: number): Promise<{ number: ShownNumber; lease: LiveLease | null; outcome: VisitLeaseOutcome } | null> {
    const note = encodeVisitNote(visit);
    let result = await withTimeout(this.poolStore.lease(poolSettings(pool), visit.id, now, note), POOL_BUDGET_MS, 'pool store');
    if (result.outcome === 'exhausted' && (await this.recovery.recoverIfLost(pool, now))) result = await this.poolStore.lease(poolSettings(pool), visit.id, now, note);
    if (result.outcome !== 'exhausted') return { number: await this.show(result.lease.numberId), lease: result.lease, outcome: result.outcome };
    // Every number is taken: the overflow number (no lease, its calls credited 'static'), else the site's own.
    return pool.overflowNumberId ? { number: await this.show(pool.overflowNumberId), lease: null, outcome: 'overflow' } : null;
  }

  /** A number id's E.164 never changes, so its parsed and formatted form is computed once (it is on every heartbeat). */
  private async show(numberId: string): Promise<ShownNumber> {
    const known = this.shown.get(numberId);
    if (known) return known;
    const e164 = await this.numbers.e164Of(numberId);
    const shown = { ...numberShape(e164), display: formatNational(e164) };
    this.shown.set(numberId, shown);
    return shown;
  }
}

/** The site honours the browser's Do Not Track or Global Privacy Control signal, and the browser sent it. */
function optedOut(site: Pick<Site, 'honorDnt' | 'honorGpc'>, visitor: VisitorContext): boolean {
  return (site.honorDnt && visitor.doNotTrack) || (site.honorGpc && visitor.globalPrivacyControl);
}
