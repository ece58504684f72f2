import { describeWithPostgres } from '../../test/support/conditional';
import { createPgliteTestDatabase, createPostgresTestDatabase, type TestDatabase } from '../../test/support/databases';
import { seedSite } from '../../test/support/sql-seed';
import type { Database } from '../db/database';
import { SqlConsentStore } from './consent-store';

const T0 = Date.UTC(2026, 10, 30, 10, 0, 0) + 123;

function runConsentStoreBasics(createDatabase: () => Promise<TestDatabase>): void {
  let testDb: TestDatabase;
  let db: Database;
  let store: SqlConsentStore;

  beforeAll(async () => {
    testDb = await createDatabase();
    db = testDb.db;
    store = new SqlConsentStore(db);
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  async function stored(siteId: string) {
    const { rows } = await db.query<{ visitor_id: string; state: string; recorded_at: Date }>(
      'SELECT visitor_id, state, recorded_at FROM consents WHERE site_id = $1 ORDER BY recorded_at',
      [siteId],
    );
    return rows.map((r) => ({ ...r, recorded_at: new Date(r.recorded_at).getTime() }));
  }

  it('when consent is given and then withdrawn, then both records are kept with their times', async () => {
    const siteId = await seedSite(db);

    await store.insert({ siteId, visitorId: 'vr_visitor0001', state: 'given', at: T0 });
    await store.insert({ siteId, visitorId: 'vr_visitor0001', state: 'withdrawn', at: T0 + 1000 });

    expect(await stored(siteId)).toEqual([
      { visitor_id: 'vr_visitor0001', state: 'given', recorded_at: T0 },
      { visitor_id: 'vr_visitor0001', state: 'withdrawn', recorded_at: T0 + 1000 },
    ]);
  });

  it('when the site was deleted meanwhile, then the record is dropped without an error', async () => {
    const siteId = await seedSite(db);
    await db.query('DELETE FROM sites WHERE id = $1', [siteId]);

    await store.insert({ siteId, visitorId: 'vr_visitor0001', state: 'given', at: T0 });

    expect(await stored(siteId)).toEqual([]);
  });
}

describeWithPostgres('SqlConsentStore on Postgres', () => runConsentStoreBasics(createPostgresTestDatabase));
describe('SqlConsentStore on PGlite', () => runConsentStoreBasics(createPgliteTestDatabase));
