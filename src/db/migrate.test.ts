import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate, MIGRATIONS_DIR, splitStatements } from './migrate';
import { PgliteDatabase } from './pglite-database';
import { comingPartitions, listMonthPartitions } from './partitions';

describe('splitStatements', () => {
  it('when statements end with semicolons on their lines, then each becomes one trimmed statement', () => {
    const sql = 'CREATE TABLE a (id int);\n\n  CREATE INDEX a_idx ON a (id);  \nALTER TABLE a ADD COLUMN b text;';

    expect(splitStatements(sql)).toEqual(['CREATE TABLE a (id int)', 'CREATE INDEX a_idx ON a (id)', 'ALTER TABLE a ADD COLUMN b text']);
  });

  it('when a statement spans several lines, then its lines stay together', () => {
    const sql = 'CREATE TABLE a (\n  id int,\n  name text\n);\n';

    expect(splitStatements(sql)).toEqual(['CREATE TABLE a (\n  id int,\n  name text\n)']);
  });

  it('when the file has comments, then they are dropped, including comment-only lines and trailing comments', () => {
    const sql = '-- header\n-- more header\nCREATE TABLE a (\n  id int -- the key\n);\n-- footer\n';

    expect(splitStatements(sql)).toEqual(['CREATE TABLE a (\n  id int \n)']);
  });

  it('when the last statement has no semicolon, then it is still returned', () => {
    expect(splitStatements('SELECT 1;\nSELECT 2')).toEqual(['SELECT 1', 'SELECT 2']);
  });

  it('when a semicolon sits inside a line (a string literal), then the statement is not cut there', () => {
    expect(splitStatements("INSERT INTO t VALUES ('a;b');\n")).toEqual(["INSERT INTO t VALUES ('a;b')"]);
  });

  it('when a statement has a dollar-quoted body, then the semicolons inside it do not cut it', () => {
    const sql = "CREATE TABLE a (id int);\nDO $$\nBEGIN\n  PERFORM 1;\n  PERFORM 2;\nEND\n$$;\nSELECT $tag$ x;\n $tag$;\nSELECT $1::int;\n";

    expect(splitStatements(sql)).toEqual(['CREATE TABLE a (id int)', 'DO $$\nBEGIN\n  PERFORM 1;\n  PERFORM 2;\nEND\n$$', 'SELECT $tag$ x;\n $tag$', 'SELECT $1::int']);
  });

  it('when a dollar-quoted body is never closed, then splitting fails rather than guessing', () => {
    expect(() => splitStatements('DO $$ BEGIN PERFORM 1;\nEND;\n')).toThrow(/Unterminated/);
  });

  it('when the input is only whitespace and comments, then there are no statements', () => {
    expect(splitStatements('\n  -- nothing here\n\n')).toEqual([]);
  });

  it.each(readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')))('when the shipped migration %s is split, then no statement keeps a semicolon or a comment', (file) => {
    const statements = splitStatements(readFileSync(path.join(MIGRATIONS_DIR, file), 'utf8'));

    expect(statements.length).toBeGreaterThan(0);
    expect(statements.filter((s) => s.endsWith(';') || s.includes('--'))).toEqual([]);
  });
});

describe('migrate on PGlite', () => {
  let db: PgliteDatabase;
  let dir: string;

  beforeEach(async () => {
    db = await PgliteDatabase.open();
    dir = mkdtempSync(path.join(tmpdir(), 'ct-migrations-'));
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const appliedNames = async () => (await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name')).rows.map((r) => r.name);

  // (Each test opens a fresh PGlite, which takes seconds: this one checks the shipped schema too.)
  it('when the service migrates a fresh database twice, then the first run builds the schema and the second applies nothing', async () => {
    const first = await migrate(db);

    const second = await migrate(db);

    const shipped = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort();
    expect(first).toEqual(shipped);
    expect(first[0]).toBe('001_foundation.sql');
    expect(second).toEqual([]);
    expect(await appliedNames()).toEqual(shipped);
    const { rows } = await db.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    expect(rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(['call_events', 'calls', 'clients', 'job_runs', 'leases', 'page_views', 'pools', 'sites', 'tracking_numbers', 'visits']));
  });

  it('when visits and page views exist before they are partitioned, then every row lands in its month, keys and references hold, and this month and the next two are ready', async () => {
    for (const f of readdirSync(MIGRATIONS_DIR).filter((f) => f < '007')) copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
    await migrate(db, dir);
    const client = await db.query<{ id: string }>("INSERT INTO clients (name) VALUES ('Before partitions') RETURNING id");
    const site = (await db.query<{ id: string }>("INSERT INTO sites (client_id, name, site_key) VALUES ($1, 'Shop', 'sk_before_partitions') RETURNING id", [client.rows[0].id])).rows[0].id;
    await db.query(
      `INSERT INTO visits (id, site_id, visitor_id, started_at, landing_page, source, medium) VALUES
         ('vs_march', $1, 'vr_1', '2025-03-05T10:00:00Z', 'https://shop.example/', 'direct', 'none'),
         ('vs_now', $1, 'vr_1', now(), 'https://shop.example/', 'direct', 'none'),
         ('vs_ancient', $1, 'vr_1', '2001-01-01T00:00:00Z', 'https://shop.example/', 'direct', 'none')`,
      [site],
    );
    await db.query("INSERT INTO page_views (id, site_id, visit_id, kind, url, viewed_at) VALUES (gen_random_uuid(), $1, 'vs_march', 'entry', 'https://shop.example/', '2025-03-05T10:00:00Z')", [site]);
    for (const f of readdirSync(MIGRATIONS_DIR)) copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));

    await migrate(db, dir);

    const where = await db.query<{ id: string; part: string }>('SELECT id, tableoid::regclass::text AS part FROM visits ORDER BY id');
    const coming = comingPartitions('visits', new Date((await db.query<{ now: Date }>('SELECT now()')).rows[0].now), 2).map((p) => p.name);
    expect(where.rows).toEqual([
      { id: 'vs_ancient', part: 'visits_default' },
      { id: 'vs_march', part: 'visits_2025_03' },
      { id: 'vs_now', part: coming[0] },
    ]);
    expect((await db.query<{ part: string }>('SELECT tableoid::regclass::text AS part FROM page_views')).rows).toEqual([{ part: 'page_views_2025_03' }]);
    expect((await listMonthPartitions(db, 'visits')).map((p) => p.name)).toEqual(['visits_2025_03', ...coming]);
    expect((await listMonthPartitions(db, 'page_views')).map((p) => p.name)).toEqual(['page_views_2025_03', ...coming.map((n) => n.replace('visits', 'page_views'))]);
    await db.query('DELETE FROM sites WHERE id = $1', [site]);
    expect((await db.query('SELECT 1 FROM visits UNION ALL SELECT 1 FROM page_views')).rowCount).toBe(0);
  });

  it('when a new migration file appears, then only it is applied, in name order after the earlier ones', async () => {
    writeFileSync(path.join(dir, '001_a.sql'), 'CREATE TABLE a (id int);\n');
    await migrate(db, dir);
    writeFileSync(path.join(dir, '003_c.sql'), 'ALTER TABLE b ADD COLUMN c int;\n');
    writeFileSync(path.join(dir, '002_b.sql'), 'CREATE TABLE b (id int);\n');
    writeFileSync(path.join(dir, 'README.md'), 'not a migration');

    const applied = await migrate(db, dir);

    expect(applied).toEqual(['002_b.sql', '003_c.sql']);
    expect(await appliedNames()).toEqual(['001_a.sql', '002_b.sql', '003_c.sql']);
  });

  it('when a migration fails halfway, then none of the run is kept and it is not recorded', async () => {
    writeFileSync(path.join(dir, '001_a.sql'), 'CREATE TABLE a (id int);\n');
    writeFileSync(path.join(dir, '002_broken.sql'), 'CREATE TABLE b (id int);\nALTER TABLE missing ADD COLUMN x int;\n');

    await expect(migrate(db, dir)).rejects.toThrow(/missing/);

    const tables = await db.query("SELECT 1 FROM information_schema.tables WHERE table_name IN ('a', 'b', 'schema_migrations')");
    expect(tables.rowCount).toBe(0);
  });
});
