-- Privacy by design: personal data sealed at rest, retention per client and site, data-subject
-- requests, consent records and an audit log. docs/privacy.md describes what each column holds.

-- Caller numbers (from_number), caller names and forwarded-from numbers are stored sealed
-- (AES-256-GCM, 'pd1.<keyId>.<...>', see src/privacy/personal-data-cipher.ts). from_index is the keyed
-- HMAC of the caller's E.164 number: repeat callers and subject requests are found through it.
ALTER TABLE calls ADD COLUMN from_index text;
DROP INDEX IF EXISTS calls_site_from_idx;
CREATE INDEX calls_site_from_index_idx ON calls (site_id, from_index, started_at DESC);
CREATE INDEX calls_from_index_idx ON calls (from_index) WHERE from_index IS NOT NULL;
-- The credited marketing source is copied onto the call before its visit is deleted (retention,
-- erasure), so a call keeps counting for its source after the visit is gone.
ALTER TABLE calls ADD COLUMN source text;
ALTER TABLE calls ADD COLUMN medium text;
ALTER TABLE calls ADD COLUMN campaign text;
-- Set when nothing identifying a person is left on the row (past retention, erasure, objection).
ALTER TABLE calls ADD COLUMN anonymised_at timestamptz;
-- Restricted processing (GDPR art. 18): kept, but left out of reports, exports and webhooks.
ALTER TABLE calls ADD COLUMN restricted boolean NOT NULL DEFAULT false;
ALTER TABLE visits ADD COLUMN restricted boolean NOT NULL DEFAULT false;
CREATE INDEX calls_started_idx ON calls (started_at) WHERE anonymised_at IS NULL;
CREATE INDEX visits_started_idx ON visits (started_at);
CREATE INDEX leases_started_idx ON leases (started_at);
CREATE INDEX page_views_viewed_idx ON page_views (viewed_at);

-- Retention: per client, a site may override. Website activity (visits, page views, leases, IP and
-- user agent) in days; call records in months, after which they are anonymised.
ALTER TABLE clients ADD COLUMN activity_retention_days integer NOT NULL DEFAULT 30 CHECK (activity_retention_days BETWEEN 1 AND 3650);
ALTER TABLE clients ADD COLUMN call_retention_months integer NOT NULL DEFAULT 13 CHECK (call_retention_months BETWEEN 1 AND 120);
ALTER TABLE sites ADD COLUMN activity_retention_days integer CHECK (activity_retention_days BETWEEN 1 AND 3650);
ALTER TABLE sites ADD COLUMN call_retention_months integer CHECK (call_retention_months BETWEEN 1 AND 120);

-- Data-subject requests. The subject is kept as its keyed index; its sealed value only while a
-- request needs it (a visitor id to look up visits), and never after an erasure.
CREATE TABLE privacy_requests (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  client_id       uuid NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  type            text NOT NULL CHECK (type IN ('access', 'portability', 'erasure', 'rectification', 'restriction', 'objection')),
  subject_kind    text NOT NULL CHECK (subject_kind IN ('phone', 'visitor')),
  subject_index   text NOT NULL,
  subject_sealed  text,
  status          text NOT NULL CHECK (status IN ('completed', 'failed')),
  requested_by    text NOT NULL,
  received_at     timestamptz NOT NULL,
  due_at          timestamptz NOT NULL,
  completed_at    timestamptz,
  -- What was done: counts per table, fields changed (names only), never values.
  outcome         jsonb NOT NULL DEFAULT '{}',
  lifted_at       timestamptz,
  lifted_by       text
);
CREATE INDEX privacy_requests_client_idx ON privacy_requests (client_id, received_at DESC);
CREATE INDEX privacy_requests_subject_idx ON privacy_requests (subject_index) WHERE type IN ('restriction', 'objection') AND lifted_at IS NULL;

-- Consent given or withdrawn in the tracking script of a site that asks for consent.
CREATE TABLE consents (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  site_id      uuid NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  visitor_id   text NOT NULL,
  state        text NOT NULL CHECK (state IN ('given', 'withdrawn')),
  recorded_at  timestamptz NOT NULL
);
CREATE INDEX consents_visitor_idx ON consents (visitor_id);
CREATE INDEX consents_recorded_idx ON consents (recorded_at);

-- Every admin and privacy action: who (the API key's id, never the key), what, on which ids, when.
CREATE TABLE audit_log (
  id           bigserial PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  actor        text NOT NULL,
  client_id    uuid,
  action       text NOT NULL,
  target_type  text,
  target_id    text,
  details      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_client_idx ON audit_log (client_id, at DESC);
