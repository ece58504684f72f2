import Redis from 'ioredis';
import { describeWithServices } from '../support/conditional';
import { createTrackedSite, type TrackedSite } from '../support/fixtures';
import { testCipher } from '../support/personal-data';
import { redisKeysMentioning } from '../support/redis-scan';
import { startTestApp, type TestApp } from '../support/test-app';
import { TEST_REDIS_URL } from '../support/test-env';
import { PersonalDataCipher } from '../../src/privacy/personal-data-cipher';
import { formatNational } from '../../src/shared/phone';
import { CALLER_NAME, VISITOR_IP, answeredCall, carriedOut, recordConsent, trackedVisitor, type PlacedCall, type TrackedVisitor } from '../support/privacy-fixtures';

/** The data subject: calls from 020 7946 0123, forwarded from 020 7946 0124 (only 020 7946 0000-0003 are provisioned here). */
const CALLER = '+442079460123';
const FORWARDED_FROM = '+442079460124';
/** Someone else, who calls and visits the other client: their data must stay. */
const OTHER_CALLER = '+447700900456';
const OTHER_IP = '198.51.100.23';

/** Every way a number could be written down in clear: E.164, with and without +, national digits, display forms. */
function clearForms(e164: string): string[] {
  const digits = e164.slice(1);
  const national = formatNational(e164);
  return [e164, digits, digits.slice(2), national, national.replace(/\s/g, '')];
}

interface Hit {
  table: string;
  column: string;
  needle: string;
  /** Found inside a sealed value once opened, rather than in clear. */
  sealed: boolean;
}

const SEALED_VALUE = /pd1\.[A-Za-z0-9_-]{1,16}\.[A-Za-z0-9_-]+/g;

/** A cell as text, whatever its type: jsonb and arrays as JSON, bytea as UTF-8, dates as ISO. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * Reads every row of every table in the public schema (the list comes from information_schema, so a
 * table added later is scanned too) and reports each cell that holds a needle, in clear or inside a
 * sealed value. `allowed` lists table.column cells where a needle is there by design.
 */
async function scanDatabase(t: TestApp, needles: string[], allowed: string[] = []): Promise<Hit[]> {
  const cipher = testCipher();
  const { rows: columns } = await t.container.db.query<{ table_name: string; column_name: string }>(
    `SELECT c.table_name, c.column_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position`,
  );
  const tables = [...new Set(columns.map((c) => c.table_name))];
  expect(tables).toEqual(expect.arrayContaining(['calls', 'call_legs', 'call_events', 'visits', 'page_views', 'leases', 'consents', 'privacy_requests', 'audit_log']));
  const hits: Hit[] = [];
  for (const table of tables) {
    const { rows } = await t.container.db.query<Record<string, unknown>>(`SELECT * FROM "${table}"`);
    for (const row of rows) {
      for (const column of columns.filter((c) => c.table_name === table).map((c) => c.column_name)) {
        if (allowed.includes(`${table}.${column}`)) continue;
        const text = cellText(row[column]);
        const opened = (text.match(SEALED_VALUE) ?? []).map((v) => cipher.open(v));
        for (const needle of needles) {
          if (text.includes(needle)) hits.push({ table, column, needle, sealed: false });
          if (opened.some((o) => o.includes(needle))) hits.push({ table, column, needle, sealed: true });
        }
      }
    }
  }
  return hits;
}

const sealedCells = async (t: TestApp, sql: string, params: unknown[]) => (await t.container.db.query<{ value: string }>(sql, params)).rows.map((r) => r.value);

/**
 * Proof by exhaustion: after an erasure, the subject is in no column of any table and no Redis key,
 * neither in clear nor sealed; before it, their number, name and IP are stored only sealed.
 * The tests share one arranged world (beforeAll); the first only reads it, the second erases.
 */
describeWithServices('erasure leaves nothing behind (every column of every table, every Redis key)', () => {
  let t: TestApp;
  let redis: Redis;
  let site: TrackedSite;
  let other: TrackedSite;
  let visitor: TrackedVisitor;
  let returning: TrackedVisitor;
  let firstCall: PlacedCall;
  let repeatCall: PlacedCall;
  let otherVisitor: TrackedVisitor;
  let otherCall: PlacedCall;

  const callerNeedles = () => [...clearForms(CALLER), ...clearForms(FORWARDED_FROM), CALLER_NAME, VISITOR_IP];
  const visitorNeedles = () => [visitor.visitorId, visitor.visitId, returning.visitId];

  beforeAll(async () => {
    t = await startTestApp('real');
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    site = await createTrackedSite(t, { numbers: 2 });
    other = await createTrackedSite(t, { numbers: 2 });
    // The subject browses client A's site twice (from Google Ads, at VISITOR_IP), consents, and calls
    // the number they were shown twice (a repeat caller), once forwarded from another line of theirs.
    visitor = await trackedVisitor(t, site);
    await recordConsent(t, site, visitor.visitorId, 'given');
    firstCall = await answeredCall(t, visitor.number.e164, CALLER, { ForwardedFrom: FORWARDED_FROM, FromCountry: 'GB', FromZip: 'EC1A 1BB' });
    t.clock.advance(60_000);
    returning = await trackedVisitor(t, site, { visitorId: visitor.visitorId });
    repeatCall = await answeredCall(t, returning.number.e164, CALLER);
    await carriedOut(t, { clientId: site.clientId, type: 'access', subject: { phone: CALLER } });
    await carriedOut(t, { clientId: site.clientId, type: 'rectification', subject: { visitorId: visitor.visitorId }, changes: { country: 'GB' } });
    // Someone else at client B.
    otherVisitor = await trackedVisitor(t, other, { ip: OTHER_IP });
    otherCall = await answeredCall(t, otherVisitor.number.e164, OTHER_CALLER, { CallerName: 'John Other' });
  });

  afterAll(async () => {
    redis?.disconnect();
    await t?.close();
  });

  it('when the subject is known, then their number, name and IP are stored nowhere in clear, only sealed (encryption at rest), while the scan does find their ids', async () => {
    // Arrange: beforeAll. Everything still on its way to Postgres is written first.
    await Promise.all([t.container.leaseHistory.flush(), t.container.pageViews.flush()]);
    const cipher = testCipher();

    // Act
    const personal = await scanDatabase(t, callerNeedles());
    const inClear = personal.filter((h) => !h.sealed);
    const ids = await scanDatabase(t, visitorNeedles());
    const redisWithPersonalData = await redisKeysMentioning(redis, t.config.redisKeyPrefix, callerNeedles());
    const redisWithIds = await redisKeysMentioning(redis, t.config.redisKeyPrefix, [visitor.visitId, returning.visitId]);

    // Assert
    expect(inClear).toEqual([]);
    expect(redisWithPersonalData).toEqual([]);
    // ...yet it is all there, sealed, and the scan opens it: after the erasure, finding nothing means something.
    expect(personal.map((h) => `${h.table}.${h.column}`)).toEqual(
      expect.arrayContaining(['calls.from_number', 'calls.caller_name', 'calls.forwarded_from', 'visits.ip_address', 'privacy_requests.subject_sealed']),
    );
    // The scan is not blind: the same rows hold the (unsealed) visit ids, and Redis the live leases.
    expect(ids.map((h) => `${h.table}.${h.column}`)).toEqual(expect.arrayContaining(['visits.id', 'visits.visitor_id', 'page_views.visit_id', 'leases.visit_id', 'calls.visit_id', 'consents.visitor_id']));
    expect(redisWithIds.length).toBeGreaterThan(0);
    const fromNumbers = await sealedCells(t, 'SELECT from_number AS value FROM calls WHERE id = ANY($1::uuid[])', [[firstCall.id, repeatCall.id]]);
    expect(fromNumbers.map((v) => [PersonalDataCipher.isSealed(v), cipher.open(v)])).toEqual([[true, CALLER], [true, CALLER]]);
    const indexes = await sealedCells(t, 'SELECT from_index AS value FROM calls WHERE id = ANY($1::uuid[])', [[firstCall.id, repeatCall.id]]);
    expect(indexes).toEqual([cipher.index('phone', CALLER), cipher.index('phone', CALLER)]);
    const ips = await sealedCells(t, 'SELECT ip_address AS value FROM visits WHERE visitor_id = $1', [visitor.visitorId]);
    expect(ips.map((v) => cipher.open(v))).toEqual([VISITOR_IP, VISITOR_IP]);
  });

  it('when the caller and the visitor are erased, then neither their number, name, IP, visitor id nor visit ids remain in Postgres or Redis, in clear or sealed, and the other client\'s person is untouched', async () => {
    // Arrange: beforeAll.
    const cipher = testCipher();

    // Act
    await carriedOut(t, { clientId: site.clientId, type: 'erasure', subject: { phone: CALLER } });
    await carriedOut(t, { clientId: site.clientId, type: 'erasure', subject: { visitorId: visitor.visitorId } });
    await Promise.all([t.container.leaseHistory.flush(), t.container.pageViews.flush()]);

    // Assert: the keyed indexes stay on the requests themselves (accountability), nowhere else.
    const indexes = [cipher.index('phone', CALLER), cipher.index('visitor', visitor.visitorId)];
    expect(await scanDatabase(t, [...callerNeedles(), ...visitorNeedles()])).toEqual([]);
    expect(await scanDatabase(t, indexes, ['privacy_requests.subject_index'])).toEqual([]);
    expect(await redisKeysMentioning(redis, t.config.redisKeyPrefix, [...callerNeedles(), ...visitorNeedles(), ...indexes])).toEqual([]);
    const kept = await t.container.db.query<{ id: string; anonymised_at: Date | null; duration_seconds: number; source: string | null }>(
      'SELECT id, anonymised_at, duration_seconds, source FROM calls WHERE id = ANY($1::uuid[]) ORDER BY started_at',
      [[firstCall.id, repeatCall.id]],
    );
    expect(kept.rows).toEqual([
      { id: firstCall.id, anonymised_at: expect.any(Date), duration_seconds: 56, source: 'google' },
      { id: repeatCall.id, anonymised_at: expect.any(Date), duration_seconds: 56, source: 'google' },
    ]);
    const otherFrom = await sealedCells(t, 'SELECT from_number AS value FROM calls WHERE id = $1', [otherCall.id]);
    expect(otherFrom.map((v) => cipher.open(v))).toEqual([OTHER_CALLER]);
    const otherIps = await sealedCells(t, 'SELECT ip_address AS value FROM visits WHERE id = $1', [otherVisitor.visitId]);
    expect(otherIps.map((v) => cipher.open(v))).toEqual([OTHER_IP]);
  });
});
