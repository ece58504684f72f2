import { randomBytes } from 'node:crypto';
import { describeWithPostgres } from '../../test/support/conditional';
import { createPgliteTestDatabase, createPostgresTestDatabase, type TestDatabase } from '../../test/support/databases';
import { seedSite } from '../../test/support/sql-seed';
import { testCipher } from '../../test/support/personal-data';
import { SqlCallStore } from './call-store';
import { runCallStoreContract, type CallStoreFixture } from './call-store.contract';

/** SqlCallStore over one database for the whole file; sites and visits are seeded with plain SQL. */
function sqlFixture(createDatabase: () => Promise<TestDatabase>): () => Promise<CallStoreFixture> {
  return async () => {
    const testDb = await createDatabase();
    const { db } = testDb;
    return {
      store: new SqlCallStore(db, testCipher()),
      createSite: () => seedSite(db),
      async createVisit(siteId, v) {
        const id = `vis_${randomBytes(8).toString('hex')}`;
        await db.query(
          `INSERT INTO visits (id, site_id, visitor_id, landing_page, referrer, source, medium, campaign, gclid)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [id, siteId, `vtr_${randomBytes(8).toString('hex')}`, v.landingPage, v.referrer ?? null, v.source, v.medium, v.campaign ?? null, v.gclid ?? null],
        );
        return id;
      },
      close: () => testDb.drop(),
    };
  };
}

describeWithPostgres('on Postgres', () => runCallStoreContract('SqlCallStore', sqlFixture(createPostgresTestDatabase)));
describe('on PGlite', () => runCallStoreContract('SqlCallStore', sqlFixture(createPgliteTestDatabase)));
