import { addCounts, bucketKey, buildReport, isTimeZone, localTime, metricsOf, NO_COUNTS, parseGroupBy, reportRange, type ReportCounts } from './report';

const counts = (over: Partial<ReportCounts>): ReportCounts => ({ ...NO_COUNTS, ...over });
const DAY = 24 * 60 * 60 * 1000;

describe('parseGroupBy', () => {
  it('when one or two known dimensions are given, then they come back in order', () => {
    expect(parseGroupBy('source')).toEqual(['source']);
    expect(parseGroupBy('day,source')).toEqual(['day', 'source']);
    expect(parseGroupBy('landingPage, keyword')).toEqual(['landingPage', 'keyword']);
  });

  it('when a dimension is unknown, repeated, three are given, or day meets hour, then it says why', () => {
    expect(parseGroupBy('country')).toMatch(/unknown dimension "country"/);
    expect(parseGroupBy('')).toMatch(/unknown dimension/);
    expect(parseGroupBy('source,source')).toMatch(/only once/);
    expect(parseGroupBy('day,source,medium')).toMatch(/at most 2/);
    expect(parseGroupBy('day,hour')).toMatch(/cannot be combined/);
  });
});

describe('isTimeZone', () => {
  it('when the zone is an IANA name, then it is accepted; otherwise refused', () => {
    expect(isTimeZone('Europe/London')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});

describe('reportRange', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');

  it('when nothing is given, then it is the last 30 days up to now', () => {
    expect(reportRange(now, undefined, undefined)).toEqual({ from: new Date(now - 30 * DAY), to: new Date(now) });
  });

  it('when only from is given, then to is 30 days later but never past now', () => {
    expect(reportRange(now, new Date(now - 10 * DAY), undefined)).toEqual({ from: new Date(now - 10 * DAY), to: new Date(now) });
    expect(reportRange(now, new Date(now - 100 * DAY), undefined)).toEqual({ from: new Date(now - 100 * DAY), to: new Date(now - 70 * DAY) });
  });

  it('when the range is empty, backwards or longer than 400 days, then it says why', () => {
    expect(reportRange(now, new Date(now), new Date(now))).toMatch(/before/);
    expect(reportRange(now, new Date(now), new Date(now - DAY))).toMatch(/before/);
    expect(reportRange(now, new Date(now - 401 * DAY), new Date(now))).toMatch(/400 days/);
    expect(reportRange(now, new Date(now - 400 * DAY), new Date(now))).toEqual({ from: new Date(now - 400 * DAY), to: new Date(now) });
  });

  it('when only to is given, at the start of the year 0001, then the default start (in the year 0) is refused rather than sent to the database', () => {
    expect(reportRange(now, undefined, new Date('0001-01-05T00:00:00Z'))).toMatch(/0001/);
    expect(reportRange(now, undefined, new Date('0001-02-05T00:00:00Z'))).toEqual({ from: new Date(Date.parse('0001-02-05T00:00:00Z') - 30 * DAY), to: new Date('0001-02-05T00:00:00Z') });
  });
});

describe('bucketKey', () => {
  it('when a UTC instant is late in the evening, then its day is the local date of the zone', () => {
    const instant = new Date('2026-07-01T23:30:00Z');
    expect(bucketKey('day', instant, 'UTC')).toBe('2026-07-01');
    expect(bucketKey('day', instant, 'Europe/London')).toBe('2026-07-02');
    expect(bucketKey('day', instant, 'America/New_York')).toBe('2026-07-01');
  });

  it('when London springs forward (29 March 2026), then the hours either side carry their own offsets and 01:00 local never exists', () => {
    expect(bucketKey('hour', new Date('2026-03-29T00:59:59Z'), 'Europe/London')).toBe('2026-03-29T00:00+00:00');
    expect(bucketKey('hour', new Date('2026-03-29T01:00:00Z'), 'Europe/London')).toBe('2026-03-29T02:00+01:00');
    expect(bucketKey('day', new Date('2026-03-28T23:30:00Z'), 'Europe/London')).toBe('2026-03-28');
    expect(bucketKey('day', new Date('2026-03-29T23:30:00Z'), 'Europe/London')).toBe('2026-03-30');
  });

  it('when London falls back (25 October 2026), then the repeated 01:00 hour is two buckets, told apart by offset', () => {
    const first = bucketKey('hour', new Date('2026-10-25T00:30:00Z'), 'Europe/London');
    const second = bucketKey('hour', new Date('2026-10-25T01:30:00Z'), 'Europe/London');
    expect(first).toBe('2026-10-25T01:00+01:00');
    expect(second).toBe('2026-10-25T01:00+00:00');
    expect(bucketKey('day', new Date('2026-10-25T23:30:00Z'), 'Europe/London')).toBe('2026-10-25');
  });

  it('when the zone has a half-hour offset, then the hour carries it', () => {
    expect(bucketKey('hour', new Date('2026-01-15T04:45:00Z'), 'Asia/Kolkata')).toBe('2026-01-15T10:00+05:30');
  });
});

describe('localTime', () => {
  it('when an instant is shown in a zone, then it is ISO 8601 with the offset then in force', () => {
    expect(localTime(new Date('2026-07-01T08:30:05.123Z'), 'Europe/London')).toBe('2026-07-01T09:30:05+01:00');
    expect(localTime(new Date('2026-01-01T08:30:05Z'), 'Europe/London')).toBe('2026-01-01T08:30:05+00:00');
    expect(localTime(new Date('2026-01-01T02:00:00Z'), 'America/New_York')).toBe('2025-12-31T21:00:00-05:00');
  });
});

describe('metricsOf', () => {
  it('when calls were answered and missed, then rates, first-time callers and the average over answered calls follow', () => {
    const m = metricsOf(counts({ calls: 3, answered: 2, missed: 1, repeatCallers: 1, talkSecondsTotal: 100, answeredTalkSeconds: 100, answeredWithTalkTime: 2 }));
    expect(m).toEqual({ calls: 3, answered: 2, missed: 1, firstTimeCallers: 2, repeatCallers: 1, talkSecondsTotal: 100, talkSecondsAverage: 50, answerRate: 0.6667 });
  });

  it('when there were no calls, or none answered, then the rate or the average is null rather than 0', () => {
    expect(metricsOf(NO_COUNTS)).toMatchObject({ calls: 0, answerRate: null, talkSecondsAverage: null });
    expect(metricsOf(counts({ calls: 2, missed: 2 }))).toMatchObject({ answerRate: 0, talkSecondsAverage: null });
  });

  it('when counts are added, then every member is summed', () => {
    const a = counts({ calls: 1, answered: 1, answeredTalkSeconds: 7, answeredWithTalkTime: 1, talkSecondsTotal: 7 });
    const b = counts({ calls: 2, missed: 1, repeatCallers: 2, talkSecondsTotal: 3 });
    expect(addCounts(a, b)).toEqual({ calls: 3, answered: 1, missed: 1, repeatCallers: 2, talkSecondsTotal: 10, answeredTalkSeconds: 7, answeredWithTalkTime: 1 });
  });
});

describe('buildReport', () => {
  it('when grouped by source, then groups run by calls, most first, ties by key with no source last, and totals sum them', () => {
    const report = buildReport(
      ['source'],
      [
        { key: { source: null }, counts: counts({ calls: 2 }) },
        { key: { source: 'google' }, counts: counts({ calls: 5, answered: 5 }) },
        { key: { source: 'bing' }, counts: counts({ calls: 2, answered: 1 }) },
      ],
      'UTC',
    );
    expect(report.groups.map((g) => g.key)).toEqual([{ source: 'google' }, { source: 'bing' }, { source: null }]);
    expect(report.totals).toMatchObject({ calls: 9, answered: 6, answerRate: 0.6667 });
  });

  it('when grouped by day and source, then groups run in time order, named by local date, and by calls within a day', () => {
    const report = buildReport(
      ['day', 'source'],
      [
        { key: { day: new Date('2026-07-02T23:00:00Z'), source: 'google' }, counts: counts({ calls: 1 }) },
        { key: { day: new Date('2026-07-01T23:00:00Z'), source: 'google' }, counts: counts({ calls: 1 }) },
        { key: { day: new Date('2026-07-01T23:00:00Z'), source: 'bing' }, counts: counts({ calls: 3 }) },
      ],
      'Europe/London',
    );
    expect(report.groups.map((g) => g.key)).toEqual([
      { day: '2026-07-02', source: 'bing' },
      { day: '2026-07-02', source: 'google' },
      { day: '2026-07-03', source: 'google' },
    ]);
  });
});
