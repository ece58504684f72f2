/**
 * Reports on a year of data: seeds a busy client's year into a private Postgres database (one site
 * with 1,000 calls a day for 365 days, and a second, quieter site beside it), then times every groupBy
 * of GET /v1/reports/calls over the full year and over 30 days, and the CSV export of a month.
 * docs/performance.md ("Reports on a year of data") keeps the latest figures.
 *
 *   npm run bench:reports -- [--calls-per-day 1000] [--days 365] [--runs 5] [--postgres-url URL] [--keep]
 *
 * --keep leaves the seeded database in place and prints its URL; --database-url URL then measures that
 * database again without seeding (for trying an index or a query change on the same data).
 * Seeding is SQL (generate_series), so it takes seconds. The database is dropped at the end, also on
 * Ctrl-C. Each figure is the median of `runs` timed runs after one untimed run (warm cache: a dashboard
 * asks for the same site again and again).
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify';
import { PgDatabase } from '../../src/db/pg-database';
import { migrate } from '../../src/db/migrate';
import { PersonalDataCipher } from '../../src/privacy/personal-data-cipher';
import { SqlReportStore } from '../../src/reports/report-store';
import { SqlCallExportStore } from '../../src/reports/call-export-store';
import { buildReport, parseGroupBy, type ReportDimension } from '../../src/reports/domain/report';
import { spreadsheetSafe } from '../../src/shared/csv';
import { Cleanup } from './cleanup';
import { createPrivateDatabase, existingDatabase, withClient } from './resources';
import { loadLine } from './machine';

const DAY_MS = 24 * 60 * 60 * 1000;
const GROUP_BYS = ['source', 'medium', 'campaign', 'keyword', 'landingPage', 'number', 'day', 'hour', 'day,source'];
const ZONE = 'Europe/London';
const log = (line = '') => console.log(line);

function options() {
  const { values } = parseArgs({
    options: {
      'calls-per-day': { type: 'string', default: '1000' },
      days: { type: 'string', default: '365' },
      runs: { type: 'string', default: '5' },
      'postgres-url': { type: 'string', default: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
      'database-url': { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  const int = (name: string, raw: string) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(raw)}`);
    return n;
  };
  return {
    callsPerDay: int('calls-per-day', values['calls-per-day']),
    days: int('days', values.days),
    runs: int('runs', values.runs),
    postgresUrl: values['postgres-url'],
    databaseUrl: values['database-url'],
    keep: values.keep,
  };
}

/**
 * A client's year: business hours busier than nights, weekdays busier than weekends, Google ahead of
 * the rest, a long tail of campaigns, keywords and landing pages, 20 tracking numbers, three calls in
 * four answered, a third of callers calling again, a few restricted calls. Every call already carries
 * its snapshot (as the job leaves them), except the last minute's, whose visits are long gone here.
 */
const SEED_CALLS = `
  INSERT INTO calls (call_sid, site_id, to_number, status, status_rank, started_at, answered_at, dial_status, talk_seconds, duration_seconds,
                     source, medium, campaign, term, landing_page, static_source, attribution, previous_call_id, restricted, inbound_recorded)
  SELECT 'CA' || md5($1::text || ':' || n), $1::uuid, '+4411349600' || lpad((n % 20)::text, 2, '0'),
         CASE WHEN answered THEN 'completed' WHEN r3 < 0.5 THEN 'no-answer' ELSE 'busy' END, 3,
         at, CASE WHEN answered THEN at + interval '6 seconds' END, CASE WHEN answered THEN 'completed' ELSE 'no-answer' END,
         CASE WHEN answered THEN 15 + floor(r3 * r3 * 900)::int END, CASE WHEN answered THEN 25 + floor(r3 * r3 * 900)::int ELSE 20 END,
         s.source, s.medium,
         CASE WHEN s.source IN ('google', 'bing', 'facebook') THEN 'campaign-' || floor(r2 * r2 * 40)::int END,
         CASE WHEN s.source IN ('google', 'bing') AND r2 < 0.7 THEN 'keyword ' || floor(r2 * r2 * 400)::int END,
         CASE WHEN s.source IS NOT NULL AND s.medium <> 'static' THEN 'https://shop.example/' || (ARRAY['', 'boilers', 'offers', 'contact', 'pricing'])[1 + floor(r2 * 5)::int] || floor(r3 * 12)::int END,
         CASE WHEN s.medium = 'static' THEN s.source END,
         CASE WHEN s.medium = 'static' THEN 'static' WHEN s.source IS NULL THEN 'none' ELSE 'lease' END,
         CASE WHEN r4 < 0.33 THEN md5('prev' || n)::uuid END,
         r4 > 0.995, true
    FROM (
      SELECT n, at, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() < 0.75 AS answered
        FROM (
          SELECT n,
                 -- Days spread evenly over the range; within a day, mostly 08:00-20:00 London time, some at night.
                 date_trunc('day', $2::timestamptz) + (n / $3::int) * interval '1 day'
                   + CASE WHEN random() < 0.9 THEN interval '8 hours' + random() * random() * interval '12 hours' ELSE random() * interval '24 hours' END AS at
            FROM generate_series(0, $3::int * $4::int - 1) AS n
        ) spread
       -- Weekends are quieter: a third of their calls never happen.
       WHERE extract(isodow FROM at) < 6 OR random() < 0.66
    ) c
    CROSS JOIN LATERAL (
      SELECT * FROM (VALUES (0.00, 0.45, 'google', 'cpc'), (0.45, 0.55, 'google', 'organic'), (0.55, 0.65, 'bing', 'cpc'), (0.65, 0.75, 'facebook', 'social'),
                            (0.75, 0.80, 'newsletter', 'email'), (0.80, 0.92, '(direct)', '(none)'), (0.92, 0.97, 'yellow-pages', 'static'), (0.97, 1.01, NULL, NULL)) AS w(lo, hi, source, medium)
       WHERE c.r1 >= w.lo AND c.r1 < w.hi
    ) s`;

async function seed(db: PgDatabase, callsPerDay: number, days: number): Promise<{ siteId: string; calls: number; ms: number }> {
  const started = Date.now();
  const client = await db.query<{ id: string }>("INSERT INTO clients (name) VALUES ('Bench Plumbing Ltd') RETURNING id");
  const site = async (name: string) =>
    (await db.query<{ id: string }>('INSERT INTO sites (client_id, name, site_key) VALUES ($1, $2, $3) RETURNING id', [client.rows[0].id, name, `sk_${randomBytes(8).toString('hex')}`])).rows[0].id;
  const busy = await site('Busy site');
  const quiet = await site('Quiet site');
  const from = new Date(Date.now() - days * DAY_MS);
  // The quiet site's calls share the table and the index, as other clients' would.
  await db.query(SEED_CALLS, [quiet, from, Math.max(1, Math.round(callsPerDay / 4)), days]);
  await db.query(SEED_CALLS, [busy, from, callsPerDay, days]);
  // The snapshot's work list stays empty, like a database the job keeps up with.
  await db.query("UPDATE calls SET source = NULL, medium = NULL WHERE source IS NOT NULL AND started_at > now() - interval '1 minute'");
  await db.query('VACUUM ANALYZE calls');
  const count = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM calls WHERE site_id = $1', [busy]);
  return { siteId: busy, calls: count.rows[0].n, ms: Date.now() - started };
}

/** A database seeded by an earlier run (--keep): its busy site. */
async function seeded(db: PgDatabase): Promise<{ siteId: string; calls: number; ms: number }> {
  const { rows } = await db.query<{ id: string; n: number }>("SELECT s.id, (SELECT count(*)::int FROM calls WHERE site_id = s.id) AS n FROM sites s WHERE s.name = 'Busy site'");
  if (!rows[0]) throw new Error('--database-url names a database without a seeded busy site (run once with --keep first)');
  return { siteId: rows[0].id, calls: rows[0].n, ms: 0 };
}

async function timed<T>(runs: number, work: () => Promise<T>): Promise<{ medianMs: number; result: T }> {
  let result = await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t0 = process.hrtime.bigint();
    result = await work();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)], result };
}

/** The route's work without HTTP: the store's groups and the report built from them. */
async function report(store: SqlReportStore, siteId: string, groupBy: string, from: Date, to: Date) {
  const dims = parseGroupBy(groupBy) as ReportDimension[];
  return buildReport(dims, await store.groups({ siteId, from, to, timeZone: ZONE, groupBy: dims }), ZONE);
}

/** The export's work without HTTP: keyset pages of 1,000 through csv-stringify into a sink that keeps only the byte count. */
async function exportCsv(exports: SqlCallExportStore, siteId: string, from: Date, to: Date): Promise<{ rows: number; bytes: number }> {
  let bytes = 0;
  let rows = 0;
  const csv = stringify();
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((bytes += chunk.length), done()) });
  csv.pipe(sink);
  let after: { startedAt: Date; id: string } | undefined;
  for (;;) {
    const page = await exports.page({ siteId, from, to, after, limit: 1000 });
    for (const c of page) csv.write(Object.values(c).map(spreadsheetSafe));
    rows += page.length;
    if (page.length < 1000) break;
    after = { startedAt: page[page.length - 1].startedAt, id: page[page.length - 1].id };
  }
  csv.end();
  await new Promise((resolve) => sink.on('finish', resolve));
  return { rows, bytes };
}

/** What the planner does for the full year, in a line: the scan node and the buffers it touched. */
async function planLine(db: PgDatabase, siteId: string, from: Date, to: Date): Promise<string> {
  const { rows } = await db.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, BUFFERS) SELECT COALESCE(c.source, c.static_source), count(*) FROM calls c
      WHERE c.site_id = $1 AND c.started_at >= $2 AND c.started_at < $3 AND NOT c.restricted AND c.inbound_recorded GROUP BY 1`,
    [siteId, from, to],
  );
  const lines = rows.map((r) => r['QUERY PLAN']);
  const scan = lines.find((l) => /Scan/.test(l))?.trim() ?? '?';
  const heap = lines.find((l) => /Heap Fetches/.test(l))?.trim();
  return `${scan.replace(/\s+\(cost=[^)]*\)/, '')}${heap ? `; ${heap}` : ''}`;
}

async function main(): Promise<void> {
  const o = options();
  const cleanup = new Cleanup();
  const onSignal = () => void cleanup.run().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const privateDb = o.databaseUrl ? existingDatabase(o.databaseUrl) : await createPrivateDatabase(o.postgresUrl, 'ct_bench_reports');
    if (o.keep || o.databaseUrl) log(`database kept: ${privateDb.url}`);
    else cleanup.add('drop the bench database', () => privateDb.drop());
    // Seeding a year is one long statement per site; the service's 10 s statement limit is for requests.
    const db = new PgDatabase({ connectionString: privateDb.url, max: 2, statementTimeoutMs: 15 * 60_000 });
    cleanup.add('close the pool', () => db.close());
    const version = await withClient(privateDb.url, async (c) => (await c.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version);
    log(`PostgreSQL ${version}, node ${process.version}; ${loadLine('at start')}`);
    await migrate(db);

    const { siteId, calls, ms } = o.databaseUrl ? await seeded(db) : await seed(db, o.callsPerDay, o.days);
    log(`${o.databaseUrl ? 'found' : 'seeded'} ${calls.toLocaleString('en-GB')} calls of the busy site over ${o.days} days (and a quiet site beside it) in ${(ms / 1000).toFixed(1)} s`);
    const to = new Date();
    const year = new Date(to.getTime() - o.days * DAY_MS);
    const month = new Date(to.getTime() - 30 * DAY_MS);
    log(`full-year plan: ${await planLine(db, siteId, year, to)}`);
    log('');

    const store = new SqlReportStore(db);
    // The same queries without parallel workers: on a few shared cores, workers wait for a core more than they help.
    const serialUrl = new URL(privateDb.url);
    serialUrl.searchParams.set('options', '-c max_parallel_workers_per_gather=0');
    const serialDb = new PgDatabase({ connectionString: serialUrl.toString(), max: 1, statementTimeoutMs: 60_000 });
    cleanup.add('close the serial pool', () => serialDb.close());
    const serial = new SqlReportStore(serialDb);
    log(`| groupBy | ${o.days} days: ms (median of ${o.runs}) | same, no parallel workers | groups | 30 days: ms | groups |`);
    log('|---|---:|---:|---:|---:|---:|');
    for (const groupBy of GROUP_BYS) {
      const full = await timed(o.runs, () => report(store, siteId, groupBy, year, to));
      const fullSerial = await timed(o.runs, () => report(serial, siteId, groupBy, year, to));
      const recent = await timed(o.runs, () => report(store, siteId, groupBy, month, to));
      log(`| ${groupBy} | ${full.medianMs.toFixed(0)} | ${fullSerial.medianMs.toFixed(0)} | ${full.result.groups.length} | ${recent.medianMs.toFixed(0)} | ${recent.result.groups.length} |`);
    }
    const exports = new SqlCallExportStore(db, new PersonalDataCipher([{ id: 'bench', key: randomBytes(32) }], randomBytes(32)));
    const csv = await timed(Math.min(o.runs, 3), () => exportCsv(exports, siteId, month, to));
    log('');
    log(`CSV export of 30 days: ${csv.result.rows.toLocaleString('en-GB')} rows, ${(csv.result.bytes / 2 ** 20).toFixed(1)} MiB in ${csv.medianMs.toFixed(0)} ms (${Math.round(csv.result.rows / (csv.medianMs / 1000)).toLocaleString('en-GB')} rows/s)`);
    log(loadLine('at end'));
  } finally {
    await cleanup.run();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
