import { randomUUID } from 'node:crypto';
import { createPostgresTestDatabase, type TestDatabase } from '../support/databases';
import { describeWithPostgres } from '../support/conditional';
import { seedSite } from '../support/sql-seed';
import { SqlReportStore } from '../../src/reports/report-store';
import { CallSourceSnapshot } from '../../src/reports/call-source-snapshot';
import { buildReport, type ReportDimension } from '../../src/reports/domain/report';

/**
 * Reports on the real Postgres, against a data set whose every call is defined below: 330 calls of
 * site A over six months (across the March clock change), with sources saved on the call, static
 * numbers, calls whose visit has not been copied onto them yet, answered and missed calls, repeat
 * callers and restricted calls; and calls of site B, which never show. Expected figures are counted
 * here from the definitions, not by the code under test.
 */

const HOUR = 60 * 60 * 1000;
const START = Date.parse('2026-01-05T00:00:00Z');
const NUMBERS = ['+441134960001', '+441134960002', '+441134960003'];
const SOURCES = [
  { source: 'google', medium: 'cpc' },
  { source: 'bing', medium: 'cpc' },
  { source: 'newsletter', medium: 'email' },
  { source: 'facebook', medium: 'social' },
] as const;

/** One seeded call, with what a report must credit it to. */
interface SeedCall {
  site: 'A' | 'B';
  startedAt: Date;
  number: string;
  /** How its attribution is stored: saved on the call, only on its visit (not copied yet), a static number, or nothing. */
  stored: 'saved' | 'visit' | 'restricted-visit' | 'static' | 'none';
  source: string | null;
  medium: string | null;
  campaign: string | null;
  keyword: string | null;
  landingPage: string | null;
  /** Through answered_at, or only through the forward's DialCallStatus. */
  answeredBy: 'answered_at' | 'dial_status' | null;
  status: string;
  talkSeconds: number | null;
  repeat: boolean;
  restricted: boolean;
  inboundRecorded: boolean;
}

function seedCalls(): SeedCall[] {
  const calls: SeedCall[] = [];
  for (let i = 0; i < 330; i += 1) {
    const s = SOURCES[i % 4];
    const kind = i % 9 === 4 ? 'static' : i % 13 === 6 ? 'none' : i % 22 === 13 ? 'restricted-visit' : i % 11 === 2 ? 'visit' : 'saved';
    const attributed = kind === 'saved' || kind === 'visit';
    const answered = i % 4 !== 3 && i % 50 !== 0;
    const status = i % 50 === 0 ? 'ringing' : answered ? 'completed' : i % 8 === 3 ? 'no-answer' : 'busy';
    calls.push({
      site: 'A',
      // Every 13 hours and a few minutes: all hours of the day, ~180 days, both sides of 29 March.
      startedAt: new Date(START + i * 13 * HOUR + (i % 7) * 17 * 60_000),
      number: NUMBERS[i % 3],
      stored: kind,
      source: attributed ? s.source : kind === 'static' ? 'yellow-pages' : null,
      medium: attributed ? s.medium : kind === 'static' ? 'static' : null,
      campaign: attributed ? (['spring', 'summer', null] as const)[i % 3] : null,
      keyword: attributed && i % 5 === 0 ? 'emergency plumber' : null,
      landingPage: attributed ? (i % 2 ? 'https://shop.example/offers' : 'https://shop.example/contact') : null,
      answeredBy: answered ? (i % 2 ? 'answered_at' : 'dial_status') : null,
      status,
      talkSeconds: answered ? 20 + (i % 97) : i % 8 === 7 ? 0 : null,
      repeat: i % 6 === 0,
      restricted: i % 25 === 5,
      inboundRecorded: i % 41 !== 40,
    });
  }
  for (let i = 0; i < 40; i += 1) {
    calls.push({
      site: 'B', startedAt: new Date(START + i * 29 * HOUR), number: '+441134960009', stored: 'saved', source: 'google', medium: 'cpc', campaign: 'spring',
      keyword: null, landingPage: 'https://other.example/', answeredBy: 'answered_at', status: 'completed', talkSeconds: 60, repeat: false, restricted: false, inboundRecorded: true,
    });
  }
  return calls;
}

/** What the report must say for a set of calls, counted straight from the definitions. */
function expectedMetrics(calls: SeedCall[]) {
  const answered = calls.filter((c) => c.answeredBy !== null);
  const withTalk = answered.filter((c) => c.talkSeconds !== null);
  const sum = (cs: SeedCall[]) => cs.reduce((n, c) => n + (c.talkSeconds ?? 0), 0);
  const final = ['completed', 'busy', 'failed', 'no-answer', 'canceled'];
  return {
    calls: calls.length,
    answered: answered.length,
    missed: calls.filter((c) => c.answeredBy === null && final.includes(c.status)).length,
    firstTimeCallers: calls.filter((c) => !c.repeat).length,
    repeatCallers: calls.filter((c) => c.repeat).length,
    talkSecondsTotal: sum(calls),
    talkSecondsAverage: withTalk.length ? Math.round((sum(withTalk) / withTalk.length) * 10) / 10 : null,
    answerRate: calls.length ? Math.round((answered.length / calls.length) * 10_000) / 10_000 : null,
  };
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
const localDate = (d: Date, zone: string) => {
  if (!dateFormats.has(zone)) dateFormats.set(zone, new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }));
  return (dateFormats.get(zone) as Intl.DateTimeFormat).format(d);
};
const path = (url: string | null) => (url === null ? null : new URL(url).origin + new URL(url).pathname);

const KEY_OF: Record<ReportDimension, (c: SeedCall, zone: string) => string | null> = {
  source: (c) => c.source,
  medium: (c) => c.medium,
  campaign: (c) => c.campaign,
  keyword: (c) => c.keyword,
  landingPage: (c) => path(c.landingPage),
  number: (c) => c.number,
  day: (c, zone) => localDate(c.startedAt, zone),
  // Only asked for in UTC below, where the hour's name is simply the ISO hour.
  hour: (c) => `${c.startedAt.toISOString().slice(0, 13)}:00+00:00`,
};

/** Groups of the expected report, keyed by their key's JSON, for comparison whatever the order. */
function expectedGroups(calls: SeedCall[], dims: ReportDimension[], zone: string) {
  const groups = new Map<string, SeedCall[]>();
  for (const c of calls) {
    const key = JSON.stringify(Object.fromEntries(dims.map((d) => [d, KEY_OF[d](c, zone)])));
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return Object.fromEntries([...groups].map(([key, cs]) => [key, expectedMetrics(cs)]));
}

describeWithPostgres('calls reports on the real Postgres', () => {
  let testDb: TestDatabase;
  let sites: { A: string; B: string };
  const calls = seedCalls();
  const inReport = (from: Date, to: Date) => calls.filter((c) => c.site === 'A' && !c.restricted && c.inboundRecorded && c.startedAt >= from && c.startedAt < to);
  const FROM = new Date('2026-01-01T00:00:00Z');
  const TO = new Date('2026-08-01T00:00:00Z');

  beforeAll(async () => {
    testDb = await createPostgresTestDatabase();
    sites = { A: await seedSite(testDb.db), B: await seedSite(testDb.db) };
    const visits = calls.filter((c) => c.stored === 'visit' || c.stored === 'restricted-visit').map((c) => ({ id: `v_${randomUUID()}`, call: c }));
    const visitOf = new Map(visits.map((v) => [v.call, v.id]));
    await testDb.db.query(
      `INSERT INTO visits (id, site_id, visitor_id, started_at, last_seen_at, landing_page, source, medium, campaign, term, restricted)
       SELECT r.id, r.site_id, 'vr_seed', r.started_at, r.started_at, r.landing_page, r.source, r.medium, r.campaign, r.term, r.restricted
         FROM jsonb_to_recordset($1::jsonb) AS r(id text, site_id uuid, started_at timestamptz, landing_page text, source text, medium text, campaign text, term text, restricted boolean)`,
      [JSON.stringify(visits.map(({ id, call: c }) => ({
        id, site_id: sites.A, started_at: new Date(c.startedAt.getTime() - 10 * 60_000), landing_page: `${c.landingPage}?utm_source=${c.source}&gclid=x#top`,
        // A restricted visit lends the call nothing; what it holds must not show.
        source: c.source ?? 'hidden', medium: c.medium ?? 'hidden', campaign: c.campaign, term: c.keyword, restricted: c.stored === 'restricted-visit',
      })))],
    );
    const rows = calls.map((c, i) => ({
      call_sid: `CA${String(i).padStart(32, '0')}`,
      site_id: sites[c.site],
      to_number: c.number,
      status: c.status,
      status_rank: c.status === 'ringing' ? 1 : 3,
      started_at: c.startedAt,
      answered_at: c.answeredBy === 'answered_at' ? new Date(c.startedAt.getTime() + 5000) : null,
      dial_status: c.answeredBy === 'dial_status' ? 'completed' : c.answeredBy === null && c.status !== 'ringing' ? 'no-answer' : null,
      talk_seconds: c.talkSeconds,
      visit_id: visitOf.get(c) ?? null,
      source: c.stored === 'saved' ? c.source : null,
      medium: c.stored === 'saved' ? c.medium : null,
      campaign: c.stored === 'saved' ? c.campaign : null,
      term: c.stored === 'saved' ? c.keyword : null,
      landing_page: c.stored === 'saved' ? path(c.landingPage) : null,
      static_source: c.stored === 'static' ? 'yellow-pages' : null,
      attribution: c.stored === 'static' ? 'static' : c.stored === 'none' ? 'none' : 'lease',
      previous_call_id: c.repeat ? randomUUID() : null,
      restricted: c.restricted,
      inbound_recorded: c.inboundRecorded,
    }));
    await testDb.db.query(
      `INSERT INTO calls (call_sid, site_id, to_number, status, status_rank, started_at, answered_at, dial_status, talk_seconds, visit_id,
                          source, medium, campaign, term, landing_page, static_source, attribution, previous_call_id, restricted, inbound_recorded)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(call_sid text, site_id uuid, to_number text, status text, status_rank smallint, started_at timestamptz,
         answered_at timestamptz, dial_status text, talk_seconds int, visit_id text, source text, medium text, campaign text, term text, landing_page text,
         static_source text, attribution text, previous_call_id uuid, restricted boolean, inbound_recorded boolean)`,
      [JSON.stringify(rows)],
    );
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  async function report(dims: ReportDimension[], zone = 'UTC', from = FROM, to = TO) {
    const raw = await new SqlReportStore(testDb.db).groups({ siteId: sites.A, from, to, timeZone: zone, groupBy: dims });
    return buildReport(dims, raw, zone);
  }
  const byKey = (groups: { key: object }[]) => Object.fromEntries(groups.map(({ key, ...metrics }) => [JSON.stringify(key), metrics]));

  it('when the data set is seeded, then it holds what the tests rely on (a check of the seed itself)', () => {
    const a = inReport(FROM, TO);
    expect(a.length).toBeGreaterThan(280);
    for (const stored of ['saved', 'visit', 'restricted-visit', 'static', 'none']) expect(a.some((c) => c.stored === stored)).toBe(true);
    expect(calls.filter((c) => c.restricted).length).toBeGreaterThan(10);
    expect(a.filter((c) => c.status === 'ringing').length).toBeGreaterThan(3);
  });

  it.each<[string, ReportDimension[]]>([
    ['source', ['source']],
    ['medium', ['medium']],
    ['campaign', ['campaign']],
    ['keyword', ['keyword']],
    ['landing page', ['landingPage']],
    ['number', ['number']],
    ['hour', ['hour']],
    ['day and source', ['day', 'source']],
    ['source and campaign', ['source', 'campaign']],
  ])('when grouped by %s over the whole range, then every group and the totals match the seed', async (_, dims) => {
    // Act
    const r = await report(dims);

    // Assert
    expect(byKey(r.groups)).toEqual(expectedGroups(inReport(FROM, TO), dims, 'UTC'));
    expect(r.totals).toEqual(expectedMetrics(inReport(FROM, TO)));
  });

  it('when grouped by source, then groups run by calls, most first, and calls of site B, restricted calls and unrecorded rows never count', async () => {
    const r = await report(['source']);

    expect(r.groups.map((g) => g.calls)).toEqual([...r.groups.map((g) => g.calls)].sort((x, y) => y - x));
    expect(r.totals.calls).toBe(inReport(FROM, TO).length);
    // Restricted visits lend nothing: their 'hidden' source never appears.
    expect(r.groups.map((g) => g.key.source)).not.toContain('hidden');
  });

  it('when grouped by day in Europe/London and in America/New_York, then calls fall on their local dates, in date order', async () => {
    for (const zone of ['Europe/London', 'America/New_York']) {
      // Act
      const r = await report(['day'], zone);

      // Assert
      expect(byKey(r.groups)).toEqual(expectedGroups(inReport(FROM, TO), ['day'], zone));
      const days = r.groups.map((g) => g.key.day as string);
      expect(days).toEqual([...days].sort());
    }
    // The zone matters for this data set: some calls change date.
    expect(Object.keys(expectedGroups(inReport(FROM, TO), ['day'], 'America/New_York'))).not.toEqual(Object.keys(expectedGroups(inReport(FROM, TO), ['day'], 'UTC')));
  });

  it('when grouped by hour in Europe/London across the spring clock change, then each hour carries the offset then in force', async () => {
    const from = new Date('2026-03-20T00:00:00Z');
    const to = new Date('2026-04-10T00:00:00Z');

    const r = await report(['hour'], 'Europe/London', from, to);

    const expected = inReport(from, to).map((c) => {
      const bst = c.startedAt >= new Date('2026-03-29T01:00:00Z');
      const local = new Date(c.startedAt.getTime() + (bst ? HOUR : 0)).toISOString().slice(0, 13);
      return `${local}:00${bst ? '+01:00' : '+00:00'}`;
    });
    expect(r.groups.map((g) => g.key.hour)).toEqual([...new Set(expected)].sort());
    expect(r.groups.reduce((n, g) => n + g.calls, 0)).toBe(expected.length);
  });

  it('when the range is narrower, then from is inclusive and to exclusive', async () => {
    const target = inReport(FROM, TO)[40];
    const from = target.startedAt;
    const to = inReport(FROM, TO)[60].startedAt;

    const r = await report(['source'], 'UTC', from, to);

    expect(r.totals).toEqual(expectedMetrics(inReport(from, to)));
    expect(r.totals.calls).toBe(20);
  });

  it('when the snapshot job has run and then every visit is deleted (retention), then the reports are unchanged', async () => {
    // Arrange
    const before = await Promise.all((['source', 'medium', 'campaign', 'keyword', 'landingPage'] as const).map((d) => report([d])));

    // Act
    const first = await new CallSourceSnapshot(testDb.db).run();
    const again = await new CallSourceSnapshot(testDb.db).run();
    await testDb.db.query('DELETE FROM visits');
    const after = await Promise.all((['source', 'medium', 'campaign', 'keyword', 'landingPage'] as const).map((d) => report([d])));

    // Assert: every call whose visit was not restricted took its snapshot, once.
    expect(first.calls).toBe(calls.filter((c) => c.stored === 'visit' && !c.restricted && c.inboundRecorded).length);
    expect(again.calls).toBe(0);
    expect(after).toEqual(before);
    const { rows } = await testDb.db.query<{ landing_page: string }>("SELECT DISTINCT landing_page FROM calls WHERE landing_page IS NOT NULL ORDER BY 1");
    expect(rows.map((r) => r.landing_page)).toEqual(['https://other.example/', 'https://shop.example/contact', 'https://shop.example/offers']);
  });
});
