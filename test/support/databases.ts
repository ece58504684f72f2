import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { PgDatabase } from '../../src/db/pg-database';
import { PgliteDatabase } from '../../src/db/pglite-database';
import { migrate } from '../../src/db/migrate';
import type { Database } from '../../src/db/database';
import { TEST_POSTGRES_URL, templateDatabaseName, withDatabase } from './test-env';

export interface TestDatabase {
  db: Database;
  url?: string;
  drop(): Promise<void>;
}

/** A private, migrated database on the machine's Postgres, cloned from the template. */
export async function createPostgresTestDatabase(): Promise<TestDatabase & { url: string }> {
  const name = `ct_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${templateDatabaseName()}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(TEST_POSTGRES_URL, name);
  const db = new PgDatabase({ connectionString: url, max: 5 });
  return {
    db,
    url,
    async drop() {
      await db.close();
      const c = new Client({ connectionString: TEST_POSTGRES_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** An in-memory PGlite database with the same migrations. */
export async function createPgliteTestDatabase(): Promise<TestDatabase> {
  const db = await PgliteDatabase.open();
  await migrate(db);
  return { db, drop: () => db.close() };
}
