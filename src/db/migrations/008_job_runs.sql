-- The history of single-instance job runs (src/jobs/job-run-log.ts), for operators: which instance
-- ran which job, for which scheduled tick (NULL: a run outside the schedule, e.g. at start), under
-- which fencing token of the job's lock, and how it ended (NULL while it runs). Kept 30 days.
CREATE TABLE job_runs (
  id             bigserial PRIMARY KEY,
  job            text NOT NULL,
  tick           timestamptz,
  instance       text NOT NULL,
  fencing_token  bigint,
  started_at     timestamptz NOT NULL,
  finished_at    timestamptz,
  outcome        text CHECK (outcome IN ('ok', 'failed')),
  lock_lost      boolean NOT NULL DEFAULT false
);
CREATE INDEX job_runs_job_started_idx ON job_runs (job, started_at DESC);
CREATE INDEX job_runs_started_idx ON job_runs (started_at);
