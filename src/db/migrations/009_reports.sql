-- Reports (src/reports): calls per source, medium, campaign, keyword, landing page, number, day or hour.
-- Visits are kept 30 days by default and calls 13 months, so a report over a year reads `calls` only:
-- the credited visit's attribution is copied onto its call (the 'call-source-snapshot' job, within a
-- minute of the call, and again by KEEP_VISIT_SOURCE before a visit is deleted). source, medium and
-- campaign (005) are joined by the keyword, the ad content and the landing page. landing_page holds
-- the page's URL without query string or fragment: utm parameters would split one page into many
-- groups, and a query string may carry what a visitor typed into a form.
ALTER TABLE calls ADD COLUMN term text;
ALTER TABLE calls ADD COLUMN content text;
ALTER TABLE calls ADD COLUMN landing_page text;

-- One site over a time range, holding the columns a report groups by or counts: a report is an
-- index-only scan of one range of it. Restricted calls (GDPR art. 18) and rows a status callback
-- created before the voice webhook never reach a report, so they are not in it. The landing page (a
-- long URL) is left out on purpose: it halves the index, and grouping by landing page, rarer, reads
-- the table instead (docs/performance.md, "Reports on a year of data").
CREATE INDEX calls_report_idx ON calls (site_id, started_at)
  INCLUDE (source, medium, campaign, term, static_source, to_number, visit_id,
           status, answered_at, dial_status, talk_seconds, previous_call_id)
  WHERE NOT restricted AND inbound_recorded;

-- The calls still waiting for their visit's attribution: the snapshot job's work list, and what a
-- report reads apart (joined to the visit). Small: a call leaves it within a minute, or when its visit
-- is deleted.
CREATE INDEX calls_source_pending_idx ON calls (site_id, started_at) WHERE source IS NULL AND visit_id IS NOT NULL;
