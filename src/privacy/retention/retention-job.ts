import { poolSettings, type PoolConfigStore } from '../../pool/pool-config-store';
import type { PoolStore } from '../../pool/pool-store';
import { getLogger } from '../../shared/logging/logger';
import { DEFAULT_RETENTION, effectiveRetention, retentionCutoffs, type RetentionCutoffs } from './retention-policy';
import type { RetentionStore } from './retention-store';

const log = getLogger('retention');

/** What one run deleted or anonymised, per kind. Counts only: this is what gets logged. */
export interface RetentionCounts {
  visits: number;
  pageViews: number;
  leases: number;
  consents: number;
  /** Calls that kept their visit's source and lost the link to it. */
  callsDetached: number;
  callsAnonymised: number;
  callLegs: number;
  callEvents: number;
  /** Recent holders the pool store forgot. */
  poolHolders: number;
  /** Whole months of visits and page views dropped (their rows are counted in visits and pageViews). */
  partitionsDropped: number;
}

const noCounts = (): RetentionCounts => ({ visits: 0, pageViews: 0, leases: 0, consents: 0, callsDetached: 0, callsAnonymised: 0, callLegs: 0, callEvents: 0, poolHolders: 0, partitionsDropped: 0 });

/**
 * Deletes or anonymises whatever is past its site's retention (a scheduled job). Months of visits and
 * page views past every site's retention go first, a whole partition at a time; the rest goes in
 * batches, each committed on its own, so a run that crashes (or is told to stop through its signal:
 * another instance may have taken over) has lost at most one batch and the next run carries on where
 * it stopped; a run with nothing to do changes nothing.
 */
export class RetentionJob {
  constructor(
    private readonly store: RetentionStore,
    private readonly pools: PoolConfigStore,
    private readonly poolStore: PoolStore,
    private readonly batchSize: number,
    /** Persists the pool's pending lease events (the lease-history writer's flush). */
    private readonly flushLeaseHistory: () => Promise<void>,
  ) {}

  async run(now: number, signal?: AbortSignal): Promise<RetentionCounts> {
    const started = Date.now();
    const counts = noCounts();
    const settings = (await this.store.sites()).map((s) => ({ siteId: s.siteId, retention: effectiveRetention(s.client, s.site) }));
    const sites = settings.map((s) => ({ siteId: s.siteId, cutoffs: retentionCutoffs(now, s.retention) }));

    // The pool store first: the leases it reclaims on the way end in events, which must reach Postgres
    // (the flush) before the lease history below is trimmed, or they would write old rows back.
    for (const { siteId, cutoffs } of sites) {
      for (const pool of await this.pools.listBySite(siteId)) counts.poolHolders += await this.poolStore.forgetHoldersBefore(poolSettings(pool), cutoffs.activity);
    }
    await this.flushLeaseHistory();

    // Only a month past the longest activity retention of any site holds nothing any site still keeps.
    if (settings.length) {
      const longest = Math.max(...settings.map((s) => s.retention.activityRetentionDays));
      signal?.throwIfAborted();
      await this.dropExpiredMonths(new Date(retentionCutoffs(now, { ...DEFAULT_RETENTION, activityRetentionDays: longest }).activity), counts);
    }
    for (const { siteId, cutoffs } of sites) await this.purgeSite(siteId, cutoffs, new Date(now), counts, signal);
    // Calls to numbers no site routes (status callbacks only) follow the default retention.
    await this.anonymiseCalls(null, new Date(retentionCutoffs(now, DEFAULT_RETENTION).calls), new Date(now), counts, signal);

    log.info('retention run finished', { ...counts, ms: Date.now() - started });
    return counts;
  }

  private async dropExpiredMonths(cutoff: Date, counts: RetentionCounts): Promise<void> {
    const drops = await this.store.dropExpiredPartitions(cutoff);
    counts.partitionsDropped += drops.partitions;
    counts.visits += drops.visits;
    counts.pageViews += drops.pageViews;
    counts.callsDetached += drops.callsDetached;
    // Their rows are still deleted below, batch by batch; the months are tried again next run.
    if (drops.kept) log.info('some months past retention kept for now', { kept: drops.kept });
  }

  private async purgeSite(siteId: string, cutoffs: RetentionCutoffs, now: Date, counts: RetentionCounts, signal?: AbortSignal): Promise<void> {
    const activity = new Date(cutoffs.activity);
    await this.inBatches(async (limit) => {
      const done = await this.store.deleteVisits(siteId, activity, limit);
      counts.visits += done.visits;
      counts.callsDetached += done.callsDetached;
      return done.visits;
    }, signal);
    await this.inBatches(async (limit) => this.counted(counts, 'pageViews', await this.store.deletePageViews(siteId, activity, limit)), signal);
    await this.inBatches(async (limit) => this.counted(counts, 'leases', await this.store.deleteLeases(siteId, activity, limit)), signal);
    await this.inBatches(async (limit) => this.counted(counts, 'consents', await this.store.deleteConsents(siteId, activity, limit)), signal);
    await this.anonymiseCalls(siteId, new Date(cutoffs.calls), now, counts, signal);
  }

  private anonymiseCalls(siteId: string | null, cutoff: Date, now: Date, counts: RetentionCounts, signal?: AbortSignal): Promise<void> {
    return this.inBatches(async (limit) => {
      const done = await this.store.anonymiseCalls(siteId, cutoff, now, limit);
      counts.callsAnonymised += done.calls;
      counts.callLegs += done.legs;
      counts.callEvents += done.events;
      return done.calls;
    }, signal);
  }

  private counted(counts: RetentionCounts, kind: keyof RetentionCounts, n: number): number {
    counts[kind] += n;
    return n;
  }

  /** Runs `batch` until it takes on fewer rows than a full batch: nothing is left (or the run is told to stop). */
  private async inBatches(batch: (limit: number) => Promise<number>, signal?: AbortSignal): Promise<void> {
    let taken: number;
    do {
      signal?.throwIfAborted();
      taken = await batch(this.batchSize);
    } while (taken >= this.batchSize);
  }
}
