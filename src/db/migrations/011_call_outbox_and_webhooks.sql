-- Call events for clients (docs/webhooks.md): a transactional outbox written with the call write that
-- caused the event, the clients' webhook endpoints, and one delivery row per event and target, which
-- the sender retries with backoff for up to a day (src/integrations).

-- One row per event and call: (call_id, type) is unique, so a retried Twilio webhook, a queued write
-- applied twice or a re-attribution that races the voice webhook never yields a second event.
CREATE TABLE call_outbox (
  id             bigserial PRIMARY KEY,
  type           text NOT NULL CHECK (type IN ('call.started', 'call.completed', 'call.attributed')),
  call_id        uuid NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
  call_sid       text NOT NULL,
  site_id        uuid NOT NULL,
  occurred_at    timestamptz NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  dispatched_at  timestamptz,
  UNIQUE (call_id, type)
);
CREATE INDEX call_outbox_undispatched_idx ON call_outbox (id) WHERE dispatched_at IS NULL;
CREATE INDEX call_outbox_dispatched_idx ON call_outbox (dispatched_at) WHERE dispatched_at IS NOT NULL;

-- The signing secret is sealed like personal data (PersonalDataCipher): it must be readable to sign,
-- so it cannot be hashed like an API key.
CREATE TABLE webhook_endpoints (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  client_id      uuid NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  url            text NOT NULL,
  events         text[] NOT NULL,
  description    text,
  secret_sealed  text NOT NULL,
  active         boolean NOT NULL DEFAULT true,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_client_idx ON webhook_endpoints (client_id);

-- id is the idempotency id receivers see (Calltracking-Delivery). The body is sealed at rest (it holds
-- the caller's number) and byte-identical on every attempt. next_attempt_at is when a pending delivery
-- is due; locked_until is the lease of the sender that claimed the current attempt; give_up_at ends the
-- retries (24 h after creation, or after a retry asked for through the API).
CREATE TABLE deliveries (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  outbox_id         bigint NOT NULL REFERENCES call_outbox(id) ON DELETE CASCADE,
  client_id         uuid NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  target            text NOT NULL CHECK (target IN ('webhook', 'ga4')),
  target_id         uuid NOT NULL,
  event             text NOT NULL,
  body_sealed       text NOT NULL,
  status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'skipped')),
  attempts          integer NOT NULL DEFAULT 0,
  next_attempt_at   timestamptz,
  locked_until      timestamptz,
  last_attempt_at   timestamptz,
  last_status_code  integer,
  last_error        text,
  give_up_at        timestamptz NOT NULL,
  created_at        timestamptz NOT NULL,
  delivered_at      timestamptz,
  UNIQUE (outbox_id, target, target_id)
);
CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_target_idx ON deliveries (target, target_id, created_at DESC, id DESC);
CREATE INDEX deliveries_created_idx ON deliveries (created_at);
