import { randomBytes } from 'node:crypto';
import { describeWithPostgres } from '../../test/support/conditional';
import { createPgliteTestDatabase, createPostgresTestDatabase, type TestDatabase } from '../../test/support/databases';
import { seedSite } from '../../test/support/sql-seed';
import type { Database } from '../db/database';
import type { VisitSource } from './domain/classify-source';
import { VisitIds } from './visit-ids';
import { NO_VISITOR_DETAILS, type VisitSnapshot } from './visit-note';
import { SqlVisitStore } from './visit-store';

const newVisitId = (siteId: string, at: number) => new VisitIds(randomBytes(32)).issue(siteId, at);

const T0 = Date.UTC(2026, 10, 30, 10, 0, 0) + 123;

const GOOGLE_ADS: VisitSource = {
  source: 'google',
  medium: 'cpc',
  campaign: 'winter',
  term: 'boiler repair',
  content: null,
  landingPage: 'https://shop.example/boilers?gclid=abc123',
  referrer: 'https://www.google.com/',
  clickIds: { gclid: 'abc123' },
};
const DIRECT: VisitSource = { source: '(direct)', medium: '(none)', campaign: null, term: null, content: null, landingPage: 'https://shop.example/contact', referrer: null, clickIds: {} };

function runVisitStoreBasics(createDatabase: () => Promise<TestDatabase>): void {
  let testDb: TestDatabase;
  let db: Database;
  let store: SqlVisitStore;

  beforeAll(async () => {
    testDb = await createDatabase();
    db = testDb.db;
    store = new SqlVisitStore(db);
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  const snapshot = (siteId: string, over: Partial<VisitSnapshot> = {}): VisitSnapshot => ({
    id: `vis_${randomBytes(8).toString('hex')}`,
    siteId,
    visitorId: 'vtr_0001',
    title: 'Boiler repair',
    source: GOOGLE_ADS,
    at: T0,
    ...NO_VISITOR_DETAILS,
    ...over,
  });

  async function stored(id: string) {
    const { rows } = await db.query<Record<string, unknown>>(
      `SELECT site_id, visitor_id, started_at, last_seen_at, landing_page, referrer, title, source, medium, campaign, term, content, gclid, fbclid
         FROM visits WHERE id = $1`,
      [id],
    );
    return rows.map((r) => ({ ...r, started_at: new Date(r.started_at as Date).getTime(), last_seen_at: new Date(r.last_seen_at as Date).getTime() }));
  }

  it('when a visit is registered, then it is stored with its source, landing page and click id', async () => {
    const siteId = await seedSite(db);
    const visit = snapshot(siteId);

    await store.upsertMany([visit]);

    expect(await stored(visit.id)).toEqual([
      {
        site_id: siteId,
        visitor_id: 'vtr_0001',
        started_at: T0,
        last_seen_at: T0,
        landing_page: GOOGLE_ADS.landingPage,
        referrer: 'https://www.google.com/',
        title: 'Boiler repair',
        source: 'google',
        medium: 'cpc',
        campaign: 'winter',
        term: 'boiler repair',
        content: null,
        gclid: 'abc123',
        fbclid: null,
      },
    ]);
  });

  it('when a batch is written twice, then the second write changes nothing', async () => {
    const siteId = await seedSite(db);
    const batch = [snapshot(siteId), snapshot(siteId, { at: T0 + 1 })];
    await store.upsertMany(batch);
    const first = [...(await stored(batch[0].id)), ...(await stored(batch[1].id))];

    await store.upsertMany(batch);

    expect([...(await stored(batch[0].id)), ...(await stored(batch[1].id))]).toEqual(first);
  });

  it('when the same visit registers again later, then only last_seen_at moves and the first source stays', async () => {
    const siteId = await seedSite(db);
    const visit = snapshot(siteId);
    await store.upsertMany([visit]);

    await store.upsertMany([{ ...visit, source: DIRECT, title: 'Contact', at: T0 + 60_000 }]);

    expect(await stored(visit.id)).toEqual([expect.objectContaining({ started_at: T0, last_seen_at: T0 + 60_000, source: 'google', landing_page: GOOGLE_ADS.landingPage, title: 'Boiler repair' })]);
  });

  it('when one batch holds several registrations of a visit, then the earliest fixes the source and the latest the last seen time', async () => {
    const siteId = await seedSite(db);
    const visit = snapshot(siteId);

    await store.upsertMany([{ ...visit, source: DIRECT, at: T0 + 30_000 }, visit, { ...visit, source: DIRECT, at: T0 + 90_000 }]);

    expect(await stored(visit.id)).toEqual([expect.objectContaining({ started_at: T0, last_seen_at: T0 + 90_000, source: 'google' })]);
  });

  it('when an older registration is replayed, then last_seen_at does not move back', async () => {
    const siteId = await seedSite(db);
    const visit = snapshot(siteId);
    await store.upsertMany([{ ...visit, at: T0 + 60_000 }]);

    await store.upsertMany([{ ...visit, at: T0 + 30_000 }]);

    expect(await stored(visit.id)).toEqual([expect.objectContaining({ last_seen_at: T0 + 60_000 })]);
  });

  it('when a visit belongs to a site that no longer exists, then it is dropped and the rest of the batch is stored', async () => {
    const siteId = await seedSite(db);
    const orphan = snapshot('00000000-0000-4000-8000-000000000000');
    const kept = snapshot(siteId);

    await store.upsertMany([orphan, kept]);

    expect(await stored(orphan.id)).toEqual([]);
    expect(await stored(kept.id)).toHaveLength(1);
  });

  it("when another site reuses a visit id, then the first site's visit is left alone", async () => {
    const siteA = await seedSite(db);
    const siteB = await seedSite(db);
    const visit = snapshot(siteA);
    await store.upsertMany([visit]);

    await store.upsertMany([{ ...visit, siteId: siteB, at: T0 + 60_000 }]);

    expect(await stored(visit.id)).toEqual([expect.objectContaining({ site_id: siteA, last_seen_at: T0 })]);
  });

  describe('the row a visit is written to (visits are keyed by id and start)', () => {
    const rowsOf = async (id: string) =>
      (await db.query<{ started_at: Date; last_seen_at: Date }>('SELECT started_at, last_seen_at FROM visits WHERE id = $1', [id])).rows.map((r) => ({
        startedAt: r.started_at.getTime(),
        lastSeenAt: r.last_seen_at.getTime(),
      }));

    it('when the visit id carries its start, then every registration, in any batch and order, updates the one row started then', async () => {
      const siteId = await seedSite(db);
      const id = newVisitId(siteId, T0);

      await store.upsertMany([snapshot(siteId, { id, at: T0 + 120_000 })]);
      await store.upsertMany([snapshot(siteId, { id, at: T0 + 60_000 }), snapshot(siteId, { id, at: T0 + 300_000 })]);

      expect(await rowsOf(id)).toEqual([{ startedAt: T0, lastSeenAt: T0 + 300_000 }]);
    });

    it('when an id without a start time registers again in a later batch, then the stored start is kept and the same row is updated', async () => {
      const siteId = await seedSite(db);
      const visit = snapshot(siteId);
      await store.upsertMany([visit]);

      await store.upsertMany([{ ...visit, at: T0 + 60_000 }]);

      expect(await rowsOf(visit.id)).toEqual([{ startedAt: T0, lastSeenAt: T0 + 60_000 }]);
    });

    it('when batches holding the same id without a start time are written at once, then the visit is still stored once', async () => {
      const siteId = await seedSite(db);
      const visit = snapshot(siteId);

      await Promise.all([1, 2, 3, 4].map((i) => store.upsertMany([{ ...visit, at: T0 + i * 1000 }, snapshot(siteId, { at: T0 + i })])));

      expect(await rowsOf(visit.id)).toHaveLength(1);
      expect((await rowsOf(visit.id))[0].lastSeenAt).toBe(T0 + 4000);
    });
  });

  it('when the batch is empty, then nothing is written', async () => {
    const noQueries = { kind: 'postgres' as const, query: jest.fn(), transaction: jest.fn(), ping: jest.fn(), close: jest.fn() };

    await new SqlVisitStore(noQueries).upsertMany([]);

    expect(noQueries.query).not.toHaveBeenCalled();
    expect(noQueries.transaction).not.toHaveBeenCalled();
  });
}

describeWithPostgres('SqlVisitStore on Postgres', () => runVisitStoreBasics(createPostgresTestDatabase));
describe('SqlVisitStore on PGlite', () => runVisitStoreBasics(createPgliteTestDatabase));
