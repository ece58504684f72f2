import type { Queryable } from '../db/database';
import { PersonalDataCipher } from '../privacy/personal-data-cipher';
import { callFilterSql, type CallFilter } from '../calls/call-filter';

/** A page of the export: pages run oldest first. */
export interface ExportQuery extends CallFilter {
  limit: number;
}

/** One call as the CSV export writes it. */
export interface ExportedCall {
  id: string;
  siteId: string | null;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  from: string | null;
  to: string | null;
  status: string;
  answered: boolean;
  dialStatus: string | null;
  talkSeconds: number | null;
  durationSeconds: number | null;
  source: string | null;
  medium: string | null;
  campaign: string | null;
  keyword: string | null;
  content: string | null;
  landingPage: string | null;
  attribution: string;
  repeatCaller: boolean;
  fromCity: string | null;
  fromCountry: string | null;
  forwardedTo: string | null;
}

export interface CallExportStore {
  /** One keyset page, oldest first; restricted calls never appear. */
  page(q: ExportQuery): Promise<ExportedCall[]>;
}

interface ExportRow {
  id: string;
  site_id: string | null;
  started_at: Date;
  answered_at: Date | null;
  ended_at: Date | null;
  from_number: string | null;
  to_number: string | null;
  status: string;
  answered: boolean;
  dial_status: string | null;
  talk_seconds: number | null;
  duration_seconds: number | null;
  source: string | null;
  medium: string | null;
  campaign: string | null;
  term: string | null;
  content: string | null;
  landing_page: string | null;
  attribution: string;
  repeat_caller: boolean;
  from_city: string | null;
  from_country: string | null;
  forwarded_to: string | null;
}

/**
 * Calls for the CSV export (Postgres and PGlite). The source comes from the call's own snapshot and,
 * for a call the snapshot job has not reached yet, from its visit (same fallbacks as callView); one
 * page is a range scan of calls_site_started_idx plus, per row, at most one visit lookup.
 */
export class SqlCallExportStore implements CallExportStore {
  constructor(
    private readonly db: Queryable,
    private readonly cipher: PersonalDataCipher,
  ) {}

  async page(q: ExportQuery): Promise<ExportedCall[]> {
    const { where, params } = callFilterSql(q, 'oldest-first');
    params.push(q.limit);
    const { rows } = await this.db.query<ExportRow>(
      `SELECT c.id, c.site_id, c.started_at, c.answered_at, c.ended_at, c.from_number, c.to_number, c.status,
              (c.answered_at IS NOT NULL OR c.dial_status IN ('completed', 'answered')) AS answered,
              c.dial_status, c.talk_seconds, c.duration_seconds,
              COALESCE(v.source, c.source, c.static_source) AS source,
              COALESCE(v.medium, c.medium, CASE WHEN c.static_source IS NOT NULL THEN 'static' END) AS medium,
              COALESCE(v.campaign, c.campaign) AS campaign, COALESCE(v.term, c.term) AS term,
              COALESCE(v.content, c.content) AS content,
              COALESCE(split_part(split_part(v.landing_page, '#', 1), '?', 1), c.landing_page) AS landing_page,
              c.attribution, c.previous_call_id IS NOT NULL AS repeat_caller, c.from_city, c.from_country, c.forwarded_to
         FROM calls c
         LEFT JOIN LATERAL (
           SELECT v.source, v.medium, v.campaign, v.term, v.content, v.landing_page FROM visits v
            WHERE c.source IS NULL AND v.id = c.visit_id AND NOT v.restricted LIMIT 1
         ) v ON true
        WHERE ${where}
        ORDER BY c.started_at, c.id
        LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => ({
      id: r.id,
      siteId: r.site_id,
      startedAt: r.started_at,
      answeredAt: r.answered_at,
      endedAt: r.ended_at,
      from: r.from_number !== null && PersonalDataCipher.isSealed(r.from_number) ? this.cipher.open(r.from_number) : r.from_number,
      to: r.to_number,
      status: r.status,
      answered: r.answered,
      dialStatus: r.dial_status,
      talkSeconds: r.talk_seconds,
      durationSeconds: r.duration_seconds,
      source: r.source,
      medium: r.medium,
      campaign: r.campaign,
      keyword: r.term,
      content: r.content,
      landingPage: r.landing_page,
      attribution: r.attribution,
      repeatCaller: r.repeat_caller,
      fromCity: r.from_city,
      fromCountry: r.from_country,
      forwardedTo: r.forwarded_to,
    }));
  }
}
