-- Twilio in depth: regulatory documents per client, call routing per pool (and per number), number
-- quarantine before release, every caller detail Twilio sends, forwarded legs and recordings.

-- Regulated countries (GB and most of Europe) sell numbers only with an approved bundle and address.
ALTER TABLE clients ADD COLUMN twilio_bundle_sid text;
ALTER TABLE clients ADD COLUMN twilio_address_sid text;

-- How a pool's calls are put through: ring time, the whisper the agent hears (a template such as
-- 'Call from {source}'; NULL = none), recording with an announcement to the caller, and where a
-- busy, unanswered or failed forward goes next (an E.164 number, 'voicemail', or NULL = nowhere).
ALTER TABLE pools ADD COLUMN dial_timeout_seconds integer NOT NULL DEFAULT 30 CHECK (dial_timeout_seconds BETWEEN 5 AND 600);
ALTER TABLE pools ADD COLUMN whisper text;
ALTER TABLE pools ADD COLUMN record boolean NOT NULL DEFAULT false;
ALTER TABLE pools ADD COLUMN record_announcement text;
ALTER TABLE pools ADD COLUMN fallback_to text;

-- Per-number overrides of the pool's routing (NULL = as the pool says).
ALTER TABLE tracking_numbers ADD COLUMN whisper text;
ALTER TABLE tracking_numbers ADD COLUMN record boolean;
ALTER TABLE tracking_numbers ADD COLUMN fallback_to text;

-- A released number is quarantined first: calls are still forwarded (and recorded as
-- 'released-number') until release_after, when a job gives it back to the carrier.
ALTER TABLE tracking_numbers ADD COLUMN quarantined_at timestamptz;
ALTER TABLE tracking_numbers ADD COLUMN release_after timestamptz;
ALTER TABLE tracking_numbers ADD COLUMN released_at timestamptz;
CREATE INDEX tracking_numbers_release_idx ON tracking_numbers (release_after) WHERE status = 'quarantined';

-- What Twilio tells us about the caller, kept for the client.
ALTER TABLE calls ADD COLUMN caller_name text;
ALTER TABLE calls ADD COLUMN forwarded_from text;
ALTER TABLE calls ADD COLUMN from_city text;
ALTER TABLE calls ADD COLUMN from_state text;
ALTER TABLE calls ADD COLUMN from_zip text;
ALTER TABLE calls ADD COLUMN from_country text;
ALTER TABLE calls ADD COLUMN stir_verstat text;
-- 'number' or 'voicemail' when the forward was not answered and the pool's fallback took over.
ALTER TABLE calls ADD COLUMN fallback text;
-- The call's recording ('call') or the voicemail the caller left ('voicemail').
ALTER TABLE calls ADD COLUMN recording_sid text;
ALTER TABLE calls ADD COLUMN recording_url text;
ALTER TABLE calls ADD COLUMN recording_duration_seconds integer;
ALTER TABLE calls ADD COLUMN recording_kind text;
CREATE INDEX calls_reattribution_idx ON calls (started_at) WHERE needs_reattribution;

-- The forwarded legs of a call (<Dial><Number statusCallback>), one row per child CallSid. Their
-- events are deduplicated in call_events under the child's CallSid ('leg:seq:N').
CREATE TABLE call_legs (
  call_sid          text PRIMARY KEY,
  parent_call_sid   text NOT NULL,
  to_number         text,
  status            text NOT NULL,
  status_rank       smallint NOT NULL,
  duration_seconds  integer,
  started_at        timestamptz NOT NULL,
  answered_at       timestamptz,
  ended_at          timestamptz,
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX call_legs_parent_idx ON call_legs (parent_call_sid);
