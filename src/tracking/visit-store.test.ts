import { randomBytes } from 'node:crypto';
import { describeWithPostgres } from '../../test/support/conditional';
import { createPgliteTestDatabase, createPostgresTestDatabase, type TestDatabase } from '../../test/support/databases';
import { seedSite } from '../../test/support/sql-seed';
import type { Database } from '../db/database';
import type { VisitSource } from './domain/classify-source';
import { NO_VISITOR_DETAILS, type VisitSnapshot } from './visit-note';
import { SqlVisitStore } from './visit-store';

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

  it('when the batch is empty, then nothing is written', async () => {
    const noQueries = { query: jest.fn() };

    await new SqlVisitStore(noQueries).upsertMany([]);

    expect(noQueries.query).not.toHaveBeenCalled();
  });
}

describeWithPostgres('SqlVisitStore on Postgres', () => runVisitStoreBasics(createPostgresTestDatabase));
describe('SqlVisitStore on PGlite', () => runVisitStoreBasics(createPgliteTestDatabase));
