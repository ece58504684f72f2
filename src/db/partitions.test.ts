import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { describeWithPostgres } from '../../test/support/conditional';
import { createPgliteTestDatabase, createPostgresTestDatabase, type TestDatabase } from '../../test/support/databases';
import { seedSite } from '../../test/support/sql-seed';
import type { Database } from './database';
import { comingPartitions, dropPartition, ensureActivityPartitions, listMonthPartitions, monthPartition, partitionsEndedBy } from './partitions';

describe('monthly partitions', () => {
  it('when the months ahead cross a new year, then names and bounds follow the calendar in UTC', () => {
    const months = comingPartitions('visits', new Date('2030-11-30T23:59:59.999Z'), 2);

    expect(months.map((m) => [m.name, m.from.toISOString(), m.to.toISOString()])).toEqual([
      ['visits_2030_11', '2030-11-01T00:00:00.000Z', '2030-12-01T00:00:00.000Z'],
      ['visits_2030_12', '2030-12-01T00:00:00.000Z', '2031-01-01T00:00:00.000Z'],
      ['visits_2031_01', '2031-01-01T00:00:00.000Z', '2031-02-01T00:00:00.000Z'],
    ]);
  });

  it('when asked which months ended by a cut-off, then only months wholly before it are named', () => {
    const months = ['2030-01-15', '2030-02-15', '2030-03-15'].map((d) => monthPartition('page_views', new Date(d)));

    expect(partitionsEndedBy(months, new Date('2030-03-01T00:00:00Z')).map((m) => m.name)).toEqual(['page_views_2030_01', 'page_views_2030_02']);
  });
});

/** Far from today, so the months the migration made for the current date never interfere. */
const NOW = new Date('2031-05-10T12:00:00Z');

function runPartitionTests(createDatabase: () => Promise<TestDatabase>): void {
  let testDb: TestDatabase;
  let db: Database;
  let siteId: string;

  beforeAll(async () => {
    testDb = await createDatabase();
    db = testDb.db;
    siteId = await seedSite(db);
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  const names = async (table: 'visits' | 'page_views') => (await listMonthPartitions(db, table)).map((p) => p.name);
  const partitionOf = async (table: 'visits' | 'page_views', id: string) =>
    (await db.query<{ part: string }>(`SELECT tableoid::regclass::text AS part FROM ${table} WHERE id = $1`, [id])).rows.map((r) => r.part);
  const insertVisit = async (id: string, startedAt: string) =>
    db.query("INSERT INTO visits (id, site_id, visitor_id, started_at, last_seen_at, landing_page, source, medium) VALUES ($1, $2, 'vr_p', $3, $3, 'https://shop.example/', 'direct', 'none')", [id, siteId, startedAt]);
  const insertPageView = async (startedAt: string) => {
    const id = randomUUID();
    await db.query("INSERT INTO page_views (id, site_id, visit_id, kind, url, viewed_at) VALUES ($1, $2, 'vs_p', 'entry', 'https://shop.example/', $3)", [id, siteId, startedAt]);
    return id;
  };

  it('when partitions are ensured, then this month and the next ones exist for both tables, and ensuring again changes nothing', async () => {
    const created = await ensureActivityPartitions(db, NOW, 2);
    const again = await ensureActivityPartitions(db, NOW, 2);

    expect(created).toEqual(['visits_2031_05', 'visits_2031_06', 'visits_2031_07', 'page_views_2031_05', 'page_views_2031_06', 'page_views_2031_07']);
    expect(again).toEqual([]);
    expect(await names('visits')).toEqual(expect.arrayContaining(['visits_2031_05', 'visits_2031_06', 'visits_2031_07']));
    expect(await names('page_views')).toEqual(expect.arrayContaining(['page_views_2031_05', 'page_views_2031_06', 'page_views_2031_07']));
  });

  it('when rows of a month arrived before its partition existed, then creating the partition moves them out of the default partition', async () => {
    await insertVisit('vs_early', '2031-09-03T08:00:00Z');
    const view = await insertPageView('2031-09-03T08:00:00Z');
    expect(await partitionOf('visits', 'vs_early')).toEqual(['visits_default']);

    await ensureActivityPartitions(db, new Date('2031-08-20T00:00:00Z'), 1);

    expect(await partitionOf('visits', 'vs_early')).toEqual(['visits_2031_09']);
    expect(await partitionOf('page_views', view)).toEqual(['page_views_2031_09']);
    // The new partition has the table's key: the same (id, started_at) cannot be stored twice.
    await expect(insertVisit('vs_early', '2031-09-03T08:00:00Z')).rejects.toThrow(/duplicate key|unique/i);
  });

  it('when a partition is dropped, then its rows are gone and counted, and the other months keep theirs', async () => {
    await ensureActivityPartitions(db, new Date('2031-01-10T00:00:00Z'), 1);
    await insertVisit('vs_jan', '2031-01-10T00:00:00Z');
    await insertVisit('vs_feb', '2031-02-10T00:00:00Z');
    const [january] = (await listMonthPartitions(db, 'visits')).filter((p) => p.name === 'visits_2031_01');

    const outcome = await dropPartition(db, january);

    expect(outcome).toEqual({ outcome: 'dropped', rows: 1 });
    expect(await names('visits')).not.toContain('visits_2031_01');
    expect(await partitionOf('visits', 'vs_jan')).toEqual([]);
    expect(await partitionOf('visits', 'vs_feb')).toEqual(['visits_2031_02']);
  });

  it('when the preparation says a partition must stay, then nothing is dropped', async () => {
    const [february] = (await listMonthPartitions(db, 'visits')).filter((p) => p.name === 'visits_2031_02');

    expect(await dropPartition(db, february, async () => false)).toEqual({ outcome: 'kept' });
    expect(await partitionOf('visits', 'vs_feb')).toEqual(['visits_2031_02']);
  });
}

describeWithPostgres('partitions on Postgres', () => {
  runPartitionTests(createPostgresTestDatabase);

  it('when a query holds the table while a partition is dropped, then the drop gives up after its lock timeout and the partition stays', async () => {
    const testDb = await createPostgresTestDatabase();
    const other = new Client({ connectionString: testDb.url });
    await other.connect();
    try {
      const [march] = comingPartitions('visits', new Date('2032-03-01T00:00:00Z'), 0);
      await ensureActivityPartitions(testDb.db, march.from, 0);
      await other.query('BEGIN');
      await other.query('SELECT count(*) FROM visits');

      const outcome = await dropPartition(testDb.db, march);

      expect(outcome).toEqual({ outcome: 'busy' });
      await other.query('ROLLBACK');
      expect((await listMonthPartitions(testDb.db, 'visits')).map((p) => p.name)).toContain('visits_2032_03');
    } finally {
      await other.end();
      await testDb.drop();
    }
  }, 20_000);
});
describe('partitions on PGlite', () => runPartitionTests(createPgliteTestDatabase));
