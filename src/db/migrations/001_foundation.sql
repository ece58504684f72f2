-- Foundation schema: clients, sites, pools, tracking numbers, visits, lease history, calls.
-- Runs unchanged on PostgreSQL 15+ and on PGlite.

CREATE TABLE clients (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sites (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  client_id         uuid NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  name              text NOT NULL,
  site_key          text NOT NULL UNIQUE,
  domains           text[] NOT NULL DEFAULT '{}',
  tracking_enabled  boolean NOT NULL DEFAULT false,
  swap_targets      text[] NOT NULL DEFAULT '{}',
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sites_client_idx ON sites (client_id);

CREATE TABLE pools (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  site_id             uuid NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  name                text NOT NULL,
  forward_to          text NOT NULL,
  lease_seconds       integer NOT NULL,
  grace_seconds       integer NOT NULL,
  cooldown_seconds    integer NOT NULL,
  exhaustion_policy   text NOT NULL DEFAULT 'overflow' CHECK (exhaustion_policy IN ('overflow', 'recycle')),
  overflow_number_id  uuid,
  created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pools_site_idx ON pools (site_id);

CREATE TABLE tracking_numbers (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  pool_id       uuid REFERENCES pools(id) ON DELETE SET NULL,
  e164          text NOT NULL UNIQUE,
  country       text NOT NULL,
  provider      text NOT NULL,
  provider_sid  text,
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'quarantined', 'released')),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tracking_numbers_pool_idx ON tracking_numbers (pool_id);

CREATE TABLE visits (
  id            text PRIMARY KEY,
  site_id       uuid NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  visitor_id    text NOT NULL,
  started_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  landing_page  text NOT NULL,
  referrer      text,
  title         text,
  source        text NOT NULL,
  medium        text NOT NULL,
  campaign      text,
  term          text,
  content       text,
  gclid         text,
  gbraid        text,
  wbraid        text,
  msclkid       text,
  fbclid        text
);
CREATE INDEX visits_site_started_idx ON visits (site_id, started_at);
CREATE INDEX visits_visitor_idx ON visits (visitor_id);

-- Lease history: one row per grant; written from the pool's event log, so a lease that Redis
-- acknowledged reaches Postgres even when the request that made it is long gone.
CREATE TABLE leases (
  pool_id     uuid NOT NULL,
  number_id   uuid NOT NULL,
  token       bigint NOT NULL,
  visit_id    text NOT NULL,
  started_at  timestamptz NOT NULL,
  renewed_at  timestamptz NOT NULL,
  ended_at    timestamptz,
  end_reason  text,
  PRIMARY KEY (number_id, token)
);
CREATE INDEX leases_visit_idx ON leases (visit_id);
CREATE INDEX leases_pool_started_idx ON leases (pool_id, started_at);

CREATE TABLE calls (
  id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  call_sid                text NOT NULL UNIQUE,
  site_id                 uuid REFERENCES sites(id) ON DELETE CASCADE,
  pool_id                 uuid,
  number_id               uuid,
  from_number             text,
  to_number               text,
  direction               text,
  status                  text NOT NULL,
  status_rank             smallint NOT NULL,
  duration_seconds        integer,
  dial_status             text,
  talk_seconds            integer,
  started_at              timestamptz NOT NULL,
  answered_at             timestamptz,
  ended_at                timestamptz,
  forwarded_to            text,
  visit_id                text,
  attribution             text NOT NULL DEFAULT 'none',
  attribution_candidates  jsonb NOT NULL DEFAULT '[]',
  lease_token             bigint,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX calls_site_started_idx ON calls (site_id, started_at DESC, id DESC);
CREATE INDEX calls_visit_idx ON calls (visit_id);

-- Every webhook delivery we accepted, keyed so a retried or duplicated delivery is recognised.
CREATE TABLE call_events (
  call_sid     text NOT NULL,
  event_key    text NOT NULL,
  status       text,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (call_sid, event_key)
);

-- A call answered while the pool store could not be asked: forwarded, attributed 'none' for now.
ALTER TABLE calls ADD COLUMN needs_reattribution boolean NOT NULL DEFAULT false;
-- True once the voice webhook itself was recorded (a status callback may arrive first).
ALTER TABLE calls ADD COLUMN inbound_recorded boolean NOT NULL DEFAULT false;
ALTER TABLE calls ADD COLUMN dial_call_sid text;
