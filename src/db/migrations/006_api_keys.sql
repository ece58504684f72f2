-- API keys for clients and agencies. The key itself is shown once and stored only as a SHA-256 hash
-- (a 256-bit random key needs no slow hash); the prefix identifies it in lists. A key acts for one or
-- more clients (an agency), with one role: owner, admin, analyst or privacy (src/access/roles.ts).
CREATE TABLE api_keys (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  prefix        text NOT NULL,
  key_hash      text NOT NULL UNIQUE,
  role          text NOT NULL CHECK (role IN ('owner', 'admin', 'analyst', 'privacy')),
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz,
  revoked_by    text
);

CREATE TABLE api_key_clients (
  key_id     uuid NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
  client_id  uuid NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  PRIMARY KEY (key_id, client_id)
);
CREATE INDEX api_key_clients_client_idx ON api_key_clients (client_id);
