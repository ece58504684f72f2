import type { Database, Queryable } from '../../db/database';
import { dropPartition, listMonthPartitions, partitionsEndedBy, type MonthPartition } from '../../db/partitions';
import type { RetentionOverrides, RetentionSettings } from './retention-policy';
import { anonymiseCalls, KEEP_VISIT_SOURCE, type CallToAnonymise } from '../anonymise-calls';

export interface SiteRetention {
  siteId: string;
  client: RetentionSettings;
  site: RetentionOverrides;
}

/**
 * The retention job's SQL (Postgres and PGlite). Every method handles at most `limit` rows in one
 * statement or one transaction and is idempotent ("past the cut-off and not done yet"), so a crash loses
 * at most the batch in flight and the next run simply carries on. Each returns how many rows it took on
 * (the first count): fewer than `limit` means nothing is left.
 */
/** What dropping whole months did (counts only). */
export interface PartitionDrops {
  partitions: number;
  visits: number;
  pageViews: number;
  callsDetached: number;
  /** Partitions left for the next run: a table lock was not granted in time, or a visit in it is still young. */
  kept: number;
}

export interface RetentionStore {
  sites(): Promise<SiteRetention[]>;
  /**
   * Drops the monthly partitions of visits and page views whose whole month is older than `cutoff`
   * (the longest activity retention of any site, so every row in them is past its own site's
   * retention). The visits' calls are treated as deleteVisits treats them, in one statement per month.
   */
  dropExpiredPartitions(cutoff: Date): Promise<PartitionDrops>;
  /**
   * Deletes visits last seen before the cut-off. Calls credited to them keep the visit's source, medium
   * and campaign (unless they have their own) and lose the link; the visits leave every call's candidates.
   */
  deleteVisits(siteId: string, cutoff: Date, limit: number): Promise<{ visits: number; callsDetached: number }>;
  deletePageViews(siteId: string, cutoff: Date, limit: number): Promise<number>;
  /** Ended leases (of the site's pools) that ended before the cut-off. */
  deleteLeases(siteId: string, cutoff: Date, limit: number): Promise<number>;
  deleteConsents(siteId: string, cutoff: Date, limit: number): Promise<number>;
  /**
   * Anonymises calls started before the cut-off (siteId null: calls to numbers no site routes): keeps
   * what aggregates need, clears whatever identifies a person, and deletes their legs and webhook log.
   */
  anonymiseCalls(siteId: string | null, cutoff: Date, now: Date, limit: number): Promise<{ calls: number; legs: number; events: number }>;
}

interface SiteRetentionRow {
  id: string;
  client_activity_days: number;
  client_call_months: number;
  site_activity_days: number | null;
  site_call_months: number | null;
}

/** A call's attribution candidates without the given visits. */
const CANDIDATES_WITHOUT = (visitIdsParam: string) => `(
  SELECT COALESCE(jsonb_agg(t.e ORDER BY t.i), '[]'::jsonb)
    FROM jsonb_array_elements(c.attribution_candidates) WITH ORDINALITY AS t(e, i)
   WHERE NOT (t.e->>'visitId' = ANY(${visitIdsParam}::text[])))`;

const MENTIONS_ANY = (visitIdsParam: string) =>
  `EXISTS (SELECT 1 FROM jsonb_array_elements(c.attribution_candidates) AS e WHERE e->>'visitId' = ANY(${visitIdsParam}::text[]))`;

/**
 * How long after a visit was last seen a call can still name it as a candidate: its tab may keep the
 * lease alive by heartbeats (which do not move last_seen_at). Bounds the scan for candidate mentions;
 * a mention outside it lasts until the call itself is anonymised.
 */
const CANDIDATE_WINDOW = "interval '1 day'";

export class SqlRetentionStore implements RetentionStore {
  constructor(private readonly db: Database) {}

  async sites(): Promise<SiteRetention[]> {
    const { rows } = await this.db.query<SiteRetentionRow>(
      `SELECT s.id, c.activity_retention_days AS client_activity_days, c.call_retention_months AS client_call_months,
              s.activity_retention_days AS site_activity_days, s.call_retention_months AS site_call_months
         FROM sites s JOIN clients c ON c.id = s.client_id
        ORDER BY s.created_at, s.id`,
    );
    return rows.map((r) => ({
      siteId: r.id,
      client: { activityRetentionDays: r.client_activity_days, callRetentionMonths: r.client_call_months },
      site: { activityRetentionDays: r.site_activity_days, callRetentionMonths: r.site_call_months },
    }));
  }

  async dropExpiredPartitions(cutoff: Date): Promise<PartitionDrops> {
    const drops: PartitionDrops = { partitions: 0, visits: 0, pageViews: 0, callsDetached: 0, kept: 0 };
    const tally = (outcome: Awaited<ReturnType<typeof dropPartition>>, kind: 'visits' | 'pageViews') => {
      if (outcome.outcome !== 'dropped') drops.kept += 1;
      else {
        drops.partitions += 1;
        drops[kind] += outcome.rows;
      }
    };
    for (const partition of partitionsEndedBy(await listMonthPartitions(this.db, 'page_views'), cutoff)) {
      tally(await dropPartition(this.db, partition), 'pageViews');
    }
    for (const partition of partitionsEndedBy(await listMonthPartitions(this.db, 'visits'), cutoff)) {
      let detached = 0;
      const outcome = await dropPartition(this.db, partition, async (tx) => {
        const prepared = await detachCallsFromMonth(tx, partition, cutoff);
        detached = prepared ?? 0;
        return prepared !== null;
      });
      tally(outcome, 'visits');
      if (outcome.outcome === 'dropped') drops.callsDetached += detached;
    }
    return drops;
  }

  deleteVisits(siteId: string, cutoff: Date, limit: number): Promise<{ visits: number; callsDetached: number }> {
    return this.db.transaction(async (tx) => {
      // started_at <= last_seen_at, so the (site_id, started_at) index narrows the search.
      const { rows } = await tx.query<{ id: string; started_at: Date; last_seen_at: Date }>(
        `SELECT id, started_at, last_seen_at FROM visits
          WHERE site_id = $1 AND started_at < $2 AND last_seen_at < $2
          ORDER BY started_at LIMIT $3 FOR UPDATE`,
        [siteId, cutoff, limit],
      );
      if (!rows.length) return { visits: 0, callsDetached: 0 };
      const ids = rows.map((r) => r.id);
      const from = new Date(Math.min(...rows.map((r) => r.started_at.getTime())));
      const until = new Date(Math.max(...rows.map((r) => r.last_seen_at.getTime())));
      await tx.query(
        `UPDATE calls c SET attribution_candidates = ${CANDIDATES_WITHOUT('$1')}, updated_at = now()
          WHERE (c.visit_id = ANY($1::text[]) OR (c.site_id = $2 AND c.started_at >= $3 AND c.started_at < $4::timestamptz + ${CANDIDATE_WINDOW}))
            AND ${MENTIONS_ANY('$1')}`,
        [ids, siteId, from, until],
      );
      const detached = await tx.query(
        `UPDATE calls c SET
           ${KEEP_VISIT_SOURCE},
           visit_id = NULL, updated_at = now()
          FROM visits v
         WHERE v.id = c.visit_id AND c.visit_id = ANY($1::text[])`,
        [ids],
      );
      const deleted = await tx.query('DELETE FROM visits WHERE id = ANY($1::text[])', [ids]);
      return { visits: deleted.rowCount, callsDetached: detached.rowCount };
    });
  }

  async deletePageViews(siteId: string, cutoff: Date, limit: number): Promise<number> {
    const { rowCount } = await this.db.query(
      'DELETE FROM page_views WHERE id IN (SELECT id FROM page_views WHERE site_id = $1 AND viewed_at < $2 LIMIT $3)',
      [siteId, cutoff, limit],
    );
    return rowCount;
  }

  async deleteLeases(siteId: string, cutoff: Date, limit: number): Promise<number> {
    // started_at <= ended_at, so the (pool_id, started_at) index narrows the search.
    const { rowCount } = await this.db.query(
      `DELETE FROM leases l USING (
         SELECT old.number_id, old.token FROM leases old JOIN pools p ON p.id = old.pool_id
          WHERE p.site_id = $1 AND old.started_at < $2 AND old.ended_at < $2
          LIMIT $3) batch
        WHERE l.number_id = batch.number_id AND l.token = batch.token`,
      [siteId, cutoff, limit],
    );
    return rowCount;
  }

  async deleteConsents(siteId: string, cutoff: Date, limit: number): Promise<number> {
    const { rowCount } = await this.db.query(
      'DELETE FROM consents WHERE id IN (SELECT id FROM consents WHERE site_id = $1 AND recorded_at < $2 LIMIT $3)',
      [siteId, cutoff, limit],
    );
    return rowCount;
  }

  anonymiseCalls(siteId: string | null, cutoff: Date, now: Date, limit: number): Promise<{ calls: number; legs: number; events: number }> {
    return this.db.transaction(async (tx) => {
      const batch = await this.callsToAnonymise(tx, siteId, cutoff, limit);
      if (!batch.length) return { calls: 0, legs: 0, events: 0 };
      return anonymiseCalls(tx, batch, now);
    });
  }

  private async callsToAnonymise(tx: Queryable, siteId: string | null, cutoff: Date, limit: number): Promise<CallToAnonymise[]> {
    const site = siteId === null ? 'site_id IS NULL' : 'site_id = $3';
    const { rows } = await tx.query<CallToAnonymise>(
      `SELECT id, call_sid, site_id, started_at FROM calls WHERE ${site} AND started_at < $1 AND anonymised_at IS NULL
        ORDER BY started_at LIMIT $2 FOR UPDATE`,
      siteId === null ? [cutoff, limit] : [cutoff, limit, siteId],
    );
    return rows;
  }
}

/**
 * Before a month of visits is dropped: the calls credited to its visits keep their source, medium and
 * campaign and lose the link, and its visits leave every call's candidates (as deleteVisits does row by
 * row). Returns how many calls were detached, or null when a visit of the month was seen since the
 * cut-off (its visit went on: the month stays and its rows go row by row).
 */
async function detachCallsFromMonth(tx: Queryable, month: MonthPartition, cutoff: Date): Promise<number | null> {
  const visits = `"${month.name}"`;
  const { rows } = await tx.query<{ last_seen: Date | null }>(`SELECT max(last_seen_at) AS last_seen FROM ${visits}`);
  const lastSeen = rows[0].last_seen;
  if (lastSeen === null) return 0;
  if (lastSeen.getTime() >= cutoff.getTime()) return null;
  // Calls name candidates that held a number while they rang: calls from the month's start until a
  // day after its visits were last seen (CANDIDATE_WINDOW), and any call credited to one of them.
  await tx.query(
    `UPDATE calls c SET attribution_candidates = (
         SELECT COALESCE(jsonb_agg(t.e ORDER BY t.i), '[]'::jsonb)
           FROM jsonb_array_elements(c.attribution_candidates) WITH ORDINALITY AS t(e, i)
          WHERE NOT EXISTS (SELECT 1 FROM ${visits} v WHERE v.id = t.e->>'visitId')),
       updated_at = now()
      WHERE (c.visit_id IN (SELECT id FROM ${visits}) OR (c.started_at >= $1 AND c.started_at < $2::timestamptz + ${CANDIDATE_WINDOW}))
        AND EXISTS (SELECT 1 FROM jsonb_array_elements(c.attribution_candidates) AS e JOIN ${visits} v ON v.id = e->>'visitId')`,
    [month.from, lastSeen],
  );
  const detached = await tx.query(
    `UPDATE calls c SET
       ${KEEP_VISIT_SOURCE},
       visit_id = NULL, updated_at = now()
      FROM ${visits} v
     WHERE v.id = c.visit_id`,
  );
  return detached.rowCount;
}
