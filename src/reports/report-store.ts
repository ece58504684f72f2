import type { Queryable } from '../db/database';
import { isTimeDimension, type RawGroup, type ReportCounts, type ReportDimension } from './domain/report';

export interface ReportQuery {
  siteId: string;
  from: Date;
  to: Date;
  timeZone: string;
  groupBy: readonly ReportDimension[];
}

export interface ReportStore {
  /** Counts per group of the site's calls started in [from, to), restricted calls left out. */
  groups(q: ReportQuery): Promise<RawGroup[]>;
}

/** How each dimension reads off a row of `attributed` (below); source and medium fall back as callView does (visit, saved, static number). */
const DIMENSION_SQL: Record<ReportDimension, string> = {
  source: 'COALESCE(a.source, a.static_source)',
  medium: "COALESCE(a.medium, CASE WHEN a.static_source IS NOT NULL THEN 'static' END)",
  campaign: 'a.campaign',
  keyword: 'a.term',
  landingPage: 'a.landing_page',
  number: 'a.to_number',
  // $4 is the zone: buckets start at local midnight (or the local hour), DST included.
  day: "date_trunc('day', a.started_at, $4::text)",
  hour: "date_trunc('hour', a.started_at, $4::text)",
};

/** The site's calls in the range that a report counts: restricted calls and rows no voice webhook completed never do. */
const IN_REPORT = 'c.site_id = $1 AND c.started_at >= $2 AND c.started_at < $3 AND NOT c.restricted AND c.inbound_recorded';
const CALL_FACTS = 'c.static_source, c.to_number, c.started_at, c.answered_at, c.dial_status, c.status, c.previous_call_id, c.talk_seconds';

/**
 * Every call of the range once, with its attribution. Reports read `calls` alone (calls_report_idx),
 * because visits are deleted after 30 days and a year must still add up: the snapshot job copies a
 * visit's attribution onto its call within a minute. The calls it has not reached yet (a visit, no
 * source: the last minute's, and the few whose visit is restricted) are read apart, through
 * calls_source_pending_idx and a join to their visit, so a call made seconds ago already counts for
 * its source. Apart, because a per-row subquery in the main scan, although never run for a snapshotted
 * call, made the planner give up its parallel scan: five times slower over a year (docs/performance.md).
 */
const ATTRIBUTED = `
  SELECT c.source, c.medium, c.campaign, c.term, c.landing_page, ${CALL_FACTS}
    FROM calls c
   WHERE ${IN_REPORT} AND (c.source IS NOT NULL OR c.visit_id IS NULL)
  UNION ALL
  SELECT v.source, v.medium, v.campaign, v.term, split_part(split_part(v.landing_page, '#', 1), '?', 1), ${CALL_FACTS}
    FROM calls c LEFT JOIN visits v ON v.id = c.visit_id AND NOT v.restricted
   WHERE ${IN_REPORT} AND c.source IS NULL AND c.visit_id IS NOT NULL`;

/** Answered: picked up (answered_at) or the forward's DialCallStatus says so (isAnsweredDialStatus). */
const ANSWERED = "(a.answered_at IS NOT NULL OR a.dial_status IN ('completed', 'answered'))";
const FINAL = "a.status IN ('completed', 'busy', 'failed', 'no-answer', 'canceled')";

interface GroupRow {
  d0: string | Date | null;
  d1: string | Date | null;
  calls: number;
  answered: number;
  missed: number;
  repeat_callers: number;
  talk_seconds: string | number;
  answered_talk_seconds: string | number;
  answered_with_talk_time: number;
}

/** Reports in SQL (Postgres and PGlite): one GROUP BY over a range of calls_report_idx. */
export class SqlReportStore implements ReportStore {
  constructor(private readonly db: Queryable) {}

  async groups(q: ReportQuery): Promise<RawGroup[]> {
    const dims = q.groupBy.map((d, i) => `${DIMENSION_SQL[d]} AS d${i}`);
    const groupBy = q.groupBy.map((_, i) => `d${i}`);
    const { rows } = await this.db.query<GroupRow>(
      `SELECT ${groupBy.join(', ')},
              count(*)::int AS calls,
              count(*) FILTER (WHERE answered)::int AS answered,
              count(*) FILTER (WHERE final AND NOT answered)::int AS missed,
              count(*) FILTER (WHERE repeat)::int AS repeat_callers,
              COALESCE(sum(talk_seconds), 0)::bigint AS talk_seconds,
              COALESCE(sum(talk_seconds) FILTER (WHERE answered), 0)::bigint AS answered_talk_seconds,
              count(talk_seconds) FILTER (WHERE answered)::int AS answered_with_talk_time
         FROM (SELECT ${dims.join(', ')}, ${ANSWERED} AS answered, ${FINAL} AS final,
                      a.previous_call_id IS NOT NULL AS repeat, a.talk_seconds
                 FROM (${ATTRIBUTED}) a) s
        GROUP BY ${groupBy.join(', ')}`,
      // The zone only when a time dimension uses it: an unused parameter has no type Postgres can infer.
      q.groupBy.some(isTimeDimension) ? [q.siteId, q.from, q.to, q.timeZone] : [q.siteId, q.from, q.to],
    );
    return rows.map((r) => ({
      key: Object.fromEntries(q.groupBy.map((d, i) => [d, i === 0 ? r.d0 : r.d1])),
      counts: toCounts(r),
    }));
  }
}

function toCounts(r: GroupRow): ReportCounts {
  return {
    calls: r.calls,
    answered: r.answered,
    missed: r.missed,
    repeatCallers: r.repeat_callers,
    talkSecondsTotal: Number(r.talk_seconds),
    answeredTalkSeconds: Number(r.answered_talk_seconds),
    answeredWithTalkTime: r.answered_with_talk_time,
  };
}
