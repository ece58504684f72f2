-- Pool health (src/pool/health): one sample of every pool's live counts a minute, written by the
-- 'pool-health-sample' job from the pool store. exhausted_total is the store's cumulative count of lease
-- requests that found no number free; exhaustion events are its rises between consecutive samples (a
-- drop means the store lost its data and started again from 0). Kept 35 days, the longest window
-- GET /v1/pools/{id}/health reads.
CREATE TABLE pool_health_samples (
  pool_id          uuid NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
  sampled_at       timestamptz NOT NULL,
  total            integer NOT NULL,
  leased           integer NOT NULL,
  available        integer NOT NULL,
  cooling_down     integer NOT NULL,
  exhausted_total  bigint NOT NULL,
  PRIMARY KEY (pool_id, sampled_at)
);
-- For the trim, which deletes by age across every pool.
CREATE INDEX pool_health_samples_sampled_idx ON pool_health_samples (sampled_at);

-- The share of visits a client accepts finding every number of a pool taken (Erlang B blocking), which
-- the pool sizing advice aims at; 1 %, the usual grade of service, unless the client says otherwise.
ALTER TABLE clients ADD COLUMN pool_blocking_target numeric NOT NULL DEFAULT 0.01 CHECK (pool_blocking_target > 0 AND pool_blocking_target < 1);
