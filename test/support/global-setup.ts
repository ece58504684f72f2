import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import Redis from 'ioredis';
import { PgDatabase } from '../../src/db/pg-database';
import { migrate, MIGRATIONS_DIR } from '../../src/db/migrate';
import { TEST_POSTGRES_URL, TEST_REDIS_URL, withDatabase } from './test-env';

/**
 * Probes the machine's Postgres and Redis once. Integration suites skip (and the summary names them)
 * when a service is missing, unless REQUIRE_SERVICES=1 (CI), where a missing service fails the run.
 * Postgres: migrates a template database once; each test file clones it (CREATE DATABASE ... TEMPLATE).
 */
export default async function globalSetup(): Promise<void> {
  const required = process.env.REQUIRE_SERVICES === '1';
  const missing: string[] = [];

  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  try {
    await redis.connect();
    await redis.ping();
    process.env.CT_TEST_HAS_REDIS = '1';
  } catch {
    missing.push(`Redis (${TEST_REDIS_URL})`);
  } finally {
    redis.disconnect();
  }

  try {
    process.env.CT_TEST_TEMPLATE_DB = await prepareTemplate();
    process.env.CT_TEST_HAS_POSTGRES = '1';
  } catch (err) {
    missing.push(`Postgres (${TEST_POSTGRES_URL}): ${(err as Error).message}`);
  }

  if (missing.length) {
    const msg = `\nNot reachable: ${missing.join('; ')}.\nSuites that need it are SKIPPED; the embedded backends still run.\n`;
    if (required) throw new Error(`REQUIRE_SERVICES=1 and a service is missing.${msg}`);
    process.stdout.write(msg);
  }
}

async function prepareTemplate(): Promise<string> {
  const hash = createHash('sha256');
  for (const f of readdirSync(MIGRATIONS_DIR).sort()) hash.update(f).update(readFileSync(path.join(MIGRATIONS_DIR, f)));
  const name = `ct_template_${hash.digest('hex').slice(0, 12)}`;
  const admin = new Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 2000 });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock(7246002)');
    // Leftovers of earlier runs that crashed before their afterAll. Without FORCE: a database with
    // open connections belongs to a run still going (another terminal, a parallel CI job) and is kept.
    const stale = await admin.query<{ datname: string }>(
      "SELECT d.datname FROM pg_database d WHERE d.datname LIKE 'ct\\_test\\_%' AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)",
    );
    for (const { datname } of stale.rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => undefined);
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      await admin.query(`CREATE DATABASE "${name}"`);
      const db = new PgDatabase({ connectionString: withDatabase(TEST_POSTGRES_URL, name), max: 1 });
      try {
        await migrate(db);
      } finally {
        await db.close();
      }
    }
    await admin.query('SELECT pg_advisory_unlock(7246002)');
  } finally {
    await admin.end();
  }
  return name;
}
