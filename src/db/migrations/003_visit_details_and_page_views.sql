-- Tracking script settings per site: whether visitors must consent before anything is stored, and
-- whether the browser's Do Not Track and Global Privacy Control signals switch tracking off.
ALTER TABLE sites ADD COLUMN consent text NOT NULL DEFAULT 'not-required' CHECK (consent IN ('required', 'not-required'));
ALTER TABLE sites ADD COLUMN honor_dnt boolean NOT NULL DEFAULT false;
ALTER TABLE sites ADD COLUMN honor_gpc boolean NOT NULL DEFAULT true;

-- Who visited: the browser and network behind a visit, and the Google Analytics ids that join a call
-- to the visitor's analytics session. The IP address is stored as received (text, so that a later
-- migration can hold it encrypted in the same column).
ALTER TABLE visits ADD COLUMN user_agent text;
ALTER TABLE visits ADD COLUMN browser text;
ALTER TABLE visits ADD COLUMN os text;
ALTER TABLE visits ADD COLUMN device_type text;
ALTER TABLE visits ADD COLUMN ip_address text;
ALTER TABLE visits ADD COLUMN country text;
ALTER TABLE visits ADD COLUMN asn integer;
ALTER TABLE visits ADD COLUMN isp text;
ALTER TABLE visits ADD COLUMN ga_client_id text;
ALTER TABLE visits ADD COLUMN ga_session_id text;

-- The pages of a visit, in order: 'entry' (the first page), 'view' (each later page, including
-- single-page-app navigation) and 'exit' (the visitor left that page). No foreign key to visits: page
-- views and visits reach Postgres by separate batches, in either order.
CREATE TABLE page_views (
  id          uuid PRIMARY KEY,
  site_id     uuid NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  visit_id    text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('entry', 'view', 'exit')),
  url         text NOT NULL,
  title       text,
  viewed_at   timestamptz NOT NULL
);
CREATE INDEX page_views_visit_idx ON page_views (visit_id, viewed_at);
CREATE INDEX page_views_site_viewed_idx ON page_views (site_id, viewed_at);
