import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../shared/http/validate';
import { ValidationError } from '../shared/errors';
import { isStorableInstant } from '../shared/time';
import type { Clock } from '../shared/clock';
import type { AccessControl } from '../access/guard';
import { buildReport, isTimeZone, parseGroupBy, reportRange, type ReportDimension } from './domain/report';
import type { ReportStore } from './report-store';

const instant = z.iso.datetime({ offset: true }).refine((v) => isStorableInstant(Date.parse(v)), 'must be between the years 0001 and 9999 (UTC)');

/** An IANA time zone name (Europe/London); UTC by default. Shared with the CSV export. */
export const timeZoneParam = z.string().max(64).refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/London').default('UTC');

export const reportQuery = z.strictObject({
  siteId: z.uuid(),
  from: instant.optional().meta({ description: 'Start of the range (inclusive); default: 30 days before `to`.' }),
  to: instant.optional().meta({ description: 'End of the range (exclusive); default: now. At most 400 days after `from`.' }),
  groupBy: z
    .string()
    .max(100)
    .default('source')
    .meta({ description: 'One or two comma-separated dimensions: source, medium, campaign, keyword, landingPage, number, day, hour (e.g. day,source).' }),
  timeZone: timeZoneParam.meta({ description: 'IANA zone in which day and hour buckets start (default UTC).' }),
});

/** Postgres's invalid_parameter_value for a zone name it does not have: `time zone "..." not recognized`. */
const isUnknownZoneError = (err: unknown): boolean => (err as { code?: unknown })?.code === '22023' && /time zone/.test(String((err as { message?: unknown }).message));

export function reportRoutes(reports: ReportStore, clock: Clock, access: AccessControl): Router {
  const router = Router();
  router.get('/v1/reports/calls', access.guard('calls:read', { query: { siteId: 'site' } }), async (req, res) => {
    const q = parseInput(reportQuery, req.query, 'query');
    const groupBy = parseGroupBy(q.groupBy);
    if (typeof groupBy === 'string') throw new ValidationError(`Invalid query: groupBy: ${groupBy}`, { issues: [{ path: 'groupBy', message: groupBy }] });
    const range = reportRange(clock.now(), q.from ? new Date(q.from) : undefined, q.to ? new Date(q.to) : undefined);
    if (typeof range === 'string') throw new ValidationError(`Invalid query: ${range}`, { issues: [{ path: 'from', message: range }] });
    const raw = await reports.groups({ siteId: q.siteId, from: range.from, to: range.to, timeZone: q.timeZone, groupBy }).catch((err: unknown) => {
      // Node's ICU knows a few names the tz database dropped (US/Pacific-New); Postgres, which buckets days and hours, refuses them.
      if (isUnknownZoneError(err)) throw new ValidationError('Invalid query: timeZone: not a time zone the database knows', { issues: [{ path: 'timeZone', message: 'unknown to the database' }] });
      throw err;
    });
    const report = buildReport(groupBy as ReportDimension[], raw, q.timeZone);
    res.json({ siteId: q.siteId, from: range.from.toISOString(), to: range.to.toISOString(), timeZone: q.timeZone, ...report });
  });
  return router;
}
