import type { Queryable } from '../db/database';

/** Caps on one journey: a bot or a kiosk can rack up thousands of visits and pages. */
export const JOURNEY_MAX_VISITS = 20;
export const JOURNEY_MAX_PAGES = 200;

export interface JourneyPage {
  kind: 'entry' | 'view' | 'exit';
  url: string;
  title: string | null;
  viewedAt: Date;
}

export interface JourneyVisit {
  visitId: string;
  startedAt: Date;
  source: string;
  medium: string;
  campaign: string | null;
  referrer: string | null;
  landingPage: string;
  pages: JourneyPage[];
}

export interface CandidateSource {
  visitId: string;
  source: string;
  medium: string;
  campaign: string | null;
}

export interface CallJourneyStore {
  /**
   * The visitor's path to a call: the credited visit and the same visitor's earlier visits to the site
   * (started before the call), oldest first, with the pages viewed up to the call. null when the visit
   * is gone (retention, erasure) or restricted.
   */
  journey(siteId: string, visitId: string, callStartedAt: Date): Promise<JourneyVisit[] | null>;
  /** The source of each candidate visit that is still there and not restricted. */
  candidateSources(visitIds: readonly string[]): Promise<CandidateSource[]>;
}

interface VisitRow {
  id: string;
  started_at: Date;
  source: string;
  medium: string;
  campaign: string | null;
  referrer: string | null;
  landing_page: string;
}

interface PageRow {
  visit_id: string;
  kind: JourneyPage['kind'];
  url: string;
  title: string | null;
  viewed_at: Date;
}

/** How long before its visit's start a page view may be stamped (clocks of separate writers). */
const PAGE_SLACK_MS = 24 * 60 * 60 * 1000;

/** Journeys in SQL: the visitor's visits through visits_visitor_idx, their pages through page_views_visit_idx. */
export class SqlCallJourneyStore implements CallJourneyStore {
  constructor(private readonly db: Queryable) {}

  async journey(siteId: string, visitId: string, callStartedAt: Date): Promise<JourneyVisit[] | null> {
    const { rows: visits } = await this.db.query<VisitRow>(
      `WITH credited AS (SELECT visitor_id FROM visits WHERE id = $1 AND site_id = $2 AND NOT restricted LIMIT 1)
       SELECT v.id, v.started_at, v.source, v.medium, v.campaign, v.referrer, v.landing_page
         FROM visits v, credited
        WHERE v.visitor_id = credited.visitor_id AND v.site_id = $2 AND NOT v.restricted
          AND (v.id = $1 OR v.started_at <= $3)
        ORDER BY (v.id = $1) DESC, v.started_at DESC, v.id DESC
        LIMIT $4`,
      [visitId, siteId, callStartedAt, JOURNEY_MAX_VISITS],
    );
    if (!visits.some((v) => v.id === visitId)) return null;
    visits.sort((a, b) => a.started_at.getTime() - b.started_at.getTime() || (a.id < b.id ? -1 : 1));
    const earliest = new Date(Math.min(...visits.map((v) => v.started_at.getTime())) - PAGE_SLACK_MS);
    // The pages closest to the call are the ones worth keeping when there are too many.
    const { rows: pages } = await this.db.query<PageRow>(
      `SELECT visit_id, kind, url, title, viewed_at FROM page_views
        WHERE visit_id = ANY($1::text[]) AND site_id = $2 AND viewed_at <= $3 AND viewed_at >= $4
        ORDER BY viewed_at DESC, id DESC
        LIMIT $5`,
      [visits.map((v) => v.id), siteId, callStartedAt, earliest, JOURNEY_MAX_PAGES],
    );
    pages.reverse();
    return visits.map((v) => ({
      visitId: v.id,
      startedAt: v.started_at,
      source: v.source,
      medium: v.medium,
      campaign: v.campaign,
      referrer: v.referrer,
      landingPage: v.landing_page,
      pages: pages.filter((p) => p.visit_id === v.id).map((p) => ({ kind: p.kind, url: p.url, title: p.title, viewedAt: p.viewed_at })),
    }));
  }

  async candidateSources(visitIds: readonly string[]): Promise<CandidateSource[]> {
    if (!visitIds.length) return [];
    const { rows } = await this.db.query<{ id: string; source: string; medium: string; campaign: string | null }>(
      'SELECT id, source, medium, campaign FROM visits WHERE id = ANY($1::text[]) AND NOT restricted',
      [[...visitIds]],
    );
    return rows.map((r) => ({ visitId: r.id, source: r.source, medium: r.medium, campaign: r.campaign }));
  }
}
