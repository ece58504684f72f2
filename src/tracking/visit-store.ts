import type { Database, Queryable } from '../db/database';
import { visitStartedAt } from './visit-ids';
import type { VisitSnapshot } from './visit-note';

export interface VisitStore {
  /**
   * Idempotent batch upsert: the first registration of a visit fixes its source and landing page,
   * later ones only move last_seen_at forward. Replaying a batch changes nothing.
   */
  upsertMany(visits: readonly VisitSnapshot[]): Promise<void>;
}

/** One row per visit id: the earliest snapshot's details, the latest time seen. */
export function mergeVisitSnapshots(visits: readonly VisitSnapshot[]): { first: VisitSnapshot; lastSeen: number }[] {
  const byId = new Map<string, { first: VisitSnapshot; lastSeen: number }>();
  for (const v of visits) {
    const seen = byId.get(v.id);
    if (!seen) byId.set(v.id, { first: v, lastSeen: v.at });
    else {
      if (v.at < seen.first.at) seen.first = v;
      seen.lastSeen = Math.max(seen.lastSeen, v.at);
    }
  }
  return [...byId.values()];
}

/**
 * Visits are keyed by (id, started_at) (the table is partitioned by start month): every write of a
 * visit must name the same started_at. It is read from the visit id (visit-ids.ts), whatever the time
 * of the snapshot being written. Ids without a start time (issued before ids carried one) take the
 * started_at already stored for the id, or else their earliest snapshot's time; a transaction-scoped
 * advisory lock per such id keeps two batches from both finding nothing and inserting it twice.
 */
export class SqlVisitStore implements VisitStore {
  constructor(private readonly db: Database) {}

  async upsertMany(visits: readonly VisitSnapshot[]): Promise<void> {
    const untimed: string[] = [];
    const rows = mergeVisitSnapshots(visits).map(({ first: v, lastSeen }) => {
      const startedAt = visitStartedAt(v.id);
      if (startedAt === null) untimed.push(v.id);
      return {
        id: v.id,
        site_id: v.siteId,
        visitor_id: v.visitorId,
        started_at: new Date(startedAt ?? v.at).toISOString(),
        untimed: startedAt === null,
        last_seen_at: new Date(lastSeen).toISOString(),
        landing_page: v.source.landingPage,
        referrer: v.source.referrer,
        title: v.title,
        source: v.source.source,
        medium: v.source.medium,
        campaign: v.source.campaign,
        term: v.source.term,
        content: v.source.content,
        gclid: v.source.clickIds.gclid ?? null,
        gbraid: v.source.clickIds.gbraid ?? null,
        wbraid: v.source.clickIds.wbraid ?? null,
        msclkid: v.source.clickIds.msclkid ?? null,
        fbclid: v.source.clickIds.fbclid ?? null,
        user_agent: v.userAgent,
        browser: v.browser,
        os: v.os,
        device_type: v.deviceType,
        ip_address: v.ip,
        country: v.country,
        asn: v.asn,
        isp: v.isp,
        ga_client_id: v.gaClientId,
        ga_session_id: v.gaSessionId,
      };
    });
    if (!rows.length) return;
    if (!untimed.length) return this.upsertRows(this.db, rows);
    await this.db.transaction(async (tx) => {
      // In id order, so two batches never wait for each other's locks in a circle.
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended(id, 0)) FROM (SELECT DISTINCT unnest($1::text[]) AS id ORDER BY 1) ids', [untimed]);
      await this.upsertRows(tx, rows);
    });
  }

  private async upsertRows(db: Queryable, rows: readonly object[]): Promise<void> {
    // Visits of a site deleted meanwhile are dropped (the join), rather than failing the whole batch.
    await db.query(
      `INSERT INTO visits (id, site_id, visitor_id, started_at, last_seen_at, landing_page, referrer, title,
                           source, medium, campaign, term, content, gclid, gbraid, wbraid, msclkid, fbclid,
                           user_agent, browser, os, device_type, ip_address, country, asn, isp, ga_client_id, ga_session_id)
       SELECT r.id, r.site_id, r.visitor_id,
              CASE WHEN r.untimed THEN COALESCE((SELECT min(v.started_at) FROM visits v WHERE v.id = r.id), r.started_at) ELSE r.started_at END,
              r.last_seen_at, r.landing_page, r.referrer, r.title,
              r.source, r.medium, r.campaign, r.term, r.content, r.gclid, r.gbraid, r.wbraid, r.msclkid, r.fbclid,
              r.user_agent, r.browser, r.os, r.device_type, r.ip_address, r.country, r.asn, r.isp, r.ga_client_id, r.ga_session_id
         FROM jsonb_to_recordset($1::jsonb) AS r(id text, site_id uuid, visitor_id text, started_at timestamptz, untimed boolean,
              last_seen_at timestamptz, landing_page text, referrer text, title text, source text, medium text,
              campaign text, term text, content text, gclid text, gbraid text, wbraid text, msclkid text, fbclid text,
              user_agent text, browser text, os text, device_type text, ip_address text, country text, asn integer,
              isp text, ga_client_id text, ga_session_id text)
         JOIN sites s ON s.id = r.site_id
       ON CONFLICT (id, started_at) DO UPDATE SET last_seen_at = GREATEST(visits.last_seen_at, EXCLUDED.last_seen_at),
         -- gtag may set its cookies after our script first ran: a later snapshot fills in the GA ids, and
         -- the latest GA session wins (a GA session restarts after 30 idle minutes), so a call joins it.
         ga_client_id = COALESCE(visits.ga_client_id, EXCLUDED.ga_client_id),
         ga_session_id = COALESCE(EXCLUDED.ga_session_id, visits.ga_session_id)
         WHERE visits.site_id = EXCLUDED.site_id`,
      [JSON.stringify(rows)],
    );
  }
}
