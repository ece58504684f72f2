-- A pool's numbers have roles: 'pool' numbers rotate between visits; the 'overflow' number is shown
-- when the pool is exhausted; 'static' numbers are printed in one place (an advert, a listing) and
-- credit their calls to a fixed source. Only 'pool' numbers enter the lease rotation.
ALTER TABLE tracking_numbers ADD COLUMN role text NOT NULL DEFAULT 'pool' CHECK (role IN ('pool', 'overflow', 'static'));
ALTER TABLE tracking_numbers ADD COLUMN static_source text;

-- The source credited to a call that no visit explains (static or overflow number).
ALTER TABLE calls ADD COLUMN static_source text;
-- A caller who called this site before is linked to their previous call.
ALTER TABLE calls ADD COLUMN previous_call_id uuid;
CREATE INDEX calls_site_from_idx ON calls (site_id, from_number, started_at DESC);
