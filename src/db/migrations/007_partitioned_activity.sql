-- Visits and page views become tables partitioned by calendar month (UTC) of their time column:
-- visits_2026_11 holds the visits started in November 2026, page_views_2026_11 the page views of that
-- month. Retention drops a whole month once every site's retention has passed it, and the
-- partition-maintenance job keeps the coming months' partitions ready (src/db/partitions.ts, which
-- names and bounds partitions exactly as this migration does). A row no monthly partition takes (far
-- in the past, or beyond the prepared months) lands in the DEFAULT partition.
--
-- A unique key of a partitioned table must include its partition column. Visits are keyed by
-- (id, started_at): every write of a visit derives started_at from the visit id (which carries its
-- start time, src/tracking/visit-ids.ts), so all of them name the same row. Page views by
-- (id, viewed_at): a page view is written with the same time whenever its batch is replayed.
--
-- The rows are copied in this migration's transaction: on a large installation it holds both tables
-- for the length of the copy (docs/operations.md, "Partitioned tables").

ALTER TABLE visits RENAME TO visits_unpartitioned;
CREATE TABLE visits (LIKE visits_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (started_at);
CREATE TABLE visits_default PARTITION OF visits DEFAULT;

ALTER TABLE page_views RENAME TO page_views_unpartitioned;
CREATE TABLE page_views (LIKE page_views_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (viewed_at);
CREATE TABLE page_views_default PARTITION OF page_views DEFAULT;

-- A partition for every month that has rows (within ten years: the longest retention), and for this
-- month and the next two.
DO $$
DECLARE
  t record;
  this_month timestamp := date_trunc('month', now() AT TIME ZONE 'UTC');
  m timestamp;
BEGIN
  FOR t IN SELECT * FROM (VALUES ('visits', 'started_at'), ('page_views', 'viewed_at')) AS p(name, col) LOOP
    FOR m IN EXECUTE format(
      'SELECT DISTINCT date_trunc(''month'', %1$I AT TIME ZONE ''UTC'') FROM %2$I WHERE %1$I >= $1 AND %1$I < $2
       UNION SELECT generate_series($2, $2 + interval ''2 months'', interval ''1 month'') ORDER BY 1',
      t.col, t.name || '_unpartitioned') USING this_month - interval '120 months', this_month
    LOOP
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
        t.name || '_' || to_char(m, 'YYYY_MM'), t.name, m AT TIME ZONE 'UTC', (m + interval '1 month') AT TIME ZONE 'UTC');
    END LOOP;
  END LOOP;
END
$$;

INSERT INTO visits SELECT * FROM visits_unpartitioned;
DROP TABLE visits_unpartitioned;
INSERT INTO page_views SELECT * FROM page_views_unpartitioned;
DROP TABLE page_views_unpartitioned;

-- Keys, references and indexes as before (built once the rows are in); each partition gets its own.
ALTER TABLE visits ADD CONSTRAINT visits_pkey PRIMARY KEY (id, started_at);
ALTER TABLE visits ADD CONSTRAINT visits_site_id_fkey FOREIGN KEY (site_id) REFERENCES sites(id) ON DELETE CASCADE;
CREATE INDEX visits_site_started_idx ON visits (site_id, started_at);
CREATE INDEX visits_visitor_idx ON visits (visitor_id);
CREATE INDEX visits_started_idx ON visits (started_at);

ALTER TABLE page_views ADD CONSTRAINT page_views_pkey PRIMARY KEY (id, viewed_at);
ALTER TABLE page_views ADD CONSTRAINT page_views_site_id_fkey FOREIGN KEY (site_id) REFERENCES sites(id) ON DELETE CASCADE;
CREATE INDEX page_views_visit_idx ON page_views (visit_id, viewed_at);
CREATE INDEX page_views_site_viewed_idx ON page_views (site_id, viewed_at);
CREATE INDEX page_views_viewed_idx ON page_views (viewed_at);
