/**
 * What a calls report is, without SQL or HTTP: the dimensions a report groups by, the metrics of a
 * group, how day and hour buckets are named in the client's time zone, and the order of the groups.
 * The store sums raw counts per group (ReportCounts); everything derived from them is computed here.
 */

import { isStorableInstant } from '../../shared/time';

export const REPORT_DIMENSIONS = ['source', 'medium', 'campaign', 'keyword', 'landingPage', 'number', 'day', 'hour'] as const;
export type ReportDimension = (typeof REPORT_DIMENSIONS)[number];
export const TIME_DIMENSIONS: readonly ReportDimension[] = ['day', 'hour'];
export const isTimeDimension = (d: ReportDimension): boolean => TIME_DIMENSIONS.includes(d);

/** A report groups by one dimension or crosses two (the dashboard charts calls by `day,source`). */
export const MAX_DIMENSIONS = 2;
/** Longest range a report may cover: a year and a bit, so "last 12 months" always fits. */
export const MAX_RANGE_DAYS = 400;
/** The range when none is given. */
export const DEFAULT_RANGE_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** `day,source` -> ['day', 'source']; a string says what is wrong. */
export function parseGroupBy(text: string): ReportDimension[] | string {
  const dims = text.split(',').map((d) => d.trim());
  if (dims.length > MAX_DIMENSIONS) return `at most ${MAX_DIMENSIONS} dimensions, comma-separated`;
  for (const d of dims) if (!(REPORT_DIMENSIONS as readonly string[]).includes(d)) return `unknown dimension "${d.slice(0, 40)}" (one of ${REPORT_DIMENSIONS.join(', ')})`;
  if (new Set(dims).size !== dims.length) return 'a dimension may appear only once';
  if (dims.filter((d) => isTimeDimension(d as ReportDimension)).length > 1) return 'day and hour cannot be combined';
  return dims as ReportDimension[];
}

/** An IANA zone the runtime (and so Postgres, which ships the same tz database) knows. */
export function isTimeZone(zone: string): boolean {
  if (!zone || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export interface ReportRange {
  from: Date;
  to: Date;
}

/** The range asked for, the last 30 days by default; a string says what is wrong. */
export function reportRange(now: number, from: Date | undefined, to: Date | undefined): ReportRange | string {
  const end = to ?? (from ? new Date(Math.min(now, from.getTime() + DEFAULT_RANGE_DAYS * DAY_MS)) : new Date(now));
  const start = from ?? new Date(end.getTime() - DEFAULT_RANGE_DAYS * DAY_MS);
  // A default start 30 days before a `to` early in the year 0001 falls in the year 0, which the database cannot take.
  if (!isStorableInstant(start.getTime())) return 'the range must start in the year 0001 or later';
  if (start.getTime() >= end.getTime()) return 'from must be before to';
  if (end.getTime() - start.getTime() > MAX_RANGE_DAYS * DAY_MS) return `the range may cover at most ${MAX_RANGE_DAYS} days`;
  return { from: start, to: end };
}

/** Building a formatter costs milliseconds (a year of hours is 8,760 buckets): one per zone, kept. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    // sv-SE writes "2026-03-29 02:00:00", which format() (three times faster than formatToParts) gives as is.
    f = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23', minute: '2-digit', second: '2-digit' });
    // Bounded: only zones that passed validation get here, and there are a few hundred of those.
    if (formatters.size < 1000) formatters.set(zone, f);
  }
  return f;
}

const SV_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** year, month, day, hour, minute, second as written in the zone. */
function wallClock(instant: Date, zone: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string> {
  const f = formatterFor(zone);
  const m = SV_DATE_TIME.exec(f.format(instant));
  if (m) return { year: m[1], month: m[2], day: m[3], hour: m[4], minute: m[5], second: m[6] };
  // Another ICU may write it differently: the parts are slower but never ambiguous.
  const parts = Object.fromEntries(f.formatToParts(instant).map((p) => [p.type, p.value]));
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

/** The local wall-clock fields of an instant in a zone, and the zone's offset from UTC then. */
function localParts(instant: Date, zone: string): { date: string; hour: string; offset: string } {
  const parts = wallClock(instant, zone);
  const localMs = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offsetMinutes = Math.round((localMs - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: parts.hour, offset };
}

/**
 * The name of the day or hour bucket an instant falls in, in the zone: a day is its local date
 * (2026-03-29); an hour is its local start with the offset then in force (2026-10-25T01:00+01:00), so
 * the hour a clock change repeats is two buckets and never one bucket of two hours.
 */
export function bucketKey(dimension: 'day' | 'hour', instant: Date, zone: string): string {
  const p = localParts(instant, zone);
  return dimension === 'day' ? p.date : `${p.date}T${p.hour}:00${p.offset}`;
}

/** ISO 8601 with the zone's offset (2026-07-01T09:30:00+01:00): the CSV's local-time column. */
export function localTime(instant: Date, zone: string): string {
  const p = localParts(instant, zone);
  const iso = new Date(instant.getTime() + offsetMs(p.offset)).toISOString();
  return `${iso.slice(0, 19)}${p.offset}`;
}

function offsetMs(offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1;
  return sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) * 60_000;
}

/** Additive counts of one group, as the store sums them. */
export interface ReportCounts {
  calls: number;
  answered: number;
  /** Ended (final status) without being answered. */
  missed: number;
  repeatCallers: number;
  talkSecondsTotal: number;
  /** Talk time of answered calls that have one, and how many they are (for the average). */
  answeredTalkSeconds: number;
  answeredWithTalkTime: number;
}

export interface Metrics {
  calls: number;
  answered: number;
  missed: number;
  firstTimeCallers: number;
  repeatCallers: number;
  talkSecondsTotal: number;
  /** Over answered calls; null when none was answered. */
  talkSecondsAverage: number | null;
  /** answered / calls, 0..1; null when there were no calls. */
  answerRate: number | null;
}

export const NO_COUNTS: ReportCounts = { calls: 0, answered: 0, missed: 0, repeatCallers: 0, talkSecondsTotal: 0, answeredTalkSeconds: 0, answeredWithTalkTime: 0 };

export function addCounts(a: ReportCounts, b: ReportCounts): ReportCounts {
  return {
    calls: a.calls + b.calls,
    answered: a.answered + b.answered,
    missed: a.missed + b.missed,
    repeatCallers: a.repeatCallers + b.repeatCallers,
    talkSecondsTotal: a.talkSecondsTotal + b.talkSecondsTotal,
    answeredTalkSeconds: a.answeredTalkSeconds + b.answeredTalkSeconds,
    answeredWithTalkTime: a.answeredWithTalkTime + b.answeredWithTalkTime,
  };
}

const round = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;

/** A caller with no earlier call to the site is a first-time caller (anonymised calls lost that link, so they count as first-time). */
export function metricsOf(c: ReportCounts): Metrics {
  return {
    calls: c.calls,
    answered: c.answered,
    missed: c.missed,
    firstTimeCallers: c.calls - c.repeatCallers,
    repeatCallers: c.repeatCallers,
    talkSecondsTotal: c.talkSecondsTotal,
    talkSecondsAverage: c.answeredWithTalkTime === 0 ? null : round(c.answeredTalkSeconds / c.answeredWithTalkTime, 1),
    answerRate: c.calls === 0 ? null : round(c.answered / c.calls, 4),
  };
}

export type GroupKey = Partial<Record<ReportDimension, string | null>>;

export interface ReportGroup {
  key: GroupKey;
  counts: ReportCounts;
}

/** Store rows keyed by dimension, with day and hour as the bucket's start instant (named here). */
export interface RawGroup {
  key: Partial<Record<ReportDimension, string | Date | null>>;
  counts: ReportCounts;
}

export interface Report {
  groupBy: ReportDimension[];
  totals: Metrics;
  groups: (Metrics & { key: GroupKey })[];
}

/**
 * The report from the store's groups: buckets named in the zone, totals summed, groups in time order
 * when a time dimension is asked for (then by calls), otherwise by calls, most first; ties by key so
 * the order never depends on the database.
 */
export function buildReport(groupBy: ReportDimension[], raw: readonly RawGroup[], zone: string): Report {
  const withTime = raw.map((g) => ({ key: nameBuckets(g.key, zone), counts: g.counts, at: timeOf(g.key) }));
  withTime.sort((a, b) => a.at - b.at || b.counts.calls - a.counts.calls || compareKeys(a.key, b.key, groupBy));
  const totals = raw.reduce((sum, g) => addCounts(sum, g.counts), NO_COUNTS);
  return { groupBy, totals: metricsOf(totals), groups: withTime.map((g) => ({ key: g.key, ...metricsOf(g.counts) })) };
}

function nameBuckets(key: RawGroup['key'], zone: string): GroupKey {
  const named: GroupKey = {};
  for (const [dim, value] of Object.entries(key) as [ReportDimension, string | Date | null][]) {
    named[dim] = value instanceof Date ? bucketKey(dim === 'hour' ? 'hour' : 'day', value, zone) : value;
  }
  return named;
}

const timeOf = (key: RawGroup['key']): number => {
  const t = key.day ?? key.hour;
  return t instanceof Date ? t.getTime() : 0;
};

/** null (no value) after every value. */
function compareKeys(a: GroupKey, b: GroupKey, dims: readonly ReportDimension[]): number {
  for (const d of dims) {
    const x = a[d] ?? null;
    const y = b[d] ?? null;
    if (x === y) continue;
    if (x === null) return 1;
    if (y === null) return -1;
    return x < y ? -1 : 1;
  }
  return 0;
}
