-- opsdeck on PostgreSQL. Everything lives in the schema `jobs`, whose table and view names are the ones
-- operators' runbooks already query (jobs.tb_job_run, jobs.v_execution_performance_by_type,
-- jobs.dead_letter_queue): their SQL must keep running verbatim.

CREATE SCHEMA IF NOT EXISTS jobs;

-- The job table. `attempt_id` names the attempt currently holding the lease: settlements are fenced on
-- it, so a reclaimed job cannot be settled by the worker that lost it.
CREATE TABLE jobs.tb_job_run (
  id bigserial PRIMARY KEY,
  identifier text NOT NULL,
  queue text NOT NULL DEFAULT 'default',
  service_name text NOT NULL,
  execution_type text NOT NULL
    CHECK (execution_type IN ('shell', 'http', 'docker', 'serverless', 'noop')),
  payload jsonb,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
  priority integer NOT NULL DEFAULT 0,
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts integer NOT NULL DEFAULT 1 CHECK (max_attempts >= 1),
  run_at timestamptz NOT NULL DEFAULT now(),
  lease_owner text,
  lease_expires_at timestamptz,
  attempt_id bigint,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  completed_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  error_message text,
  error_fingerprint text,
  resource_usage jsonb,
  security_context jsonb,
  resolved_at timestamptz,
  resolution text,
  cancel_requested boolean NOT NULL DEFAULT false,
  CONSTRAINT tb_job_run_identifier_key UNIQUE (identifier)
) WITH (fillfactor = 85);

-- The runbook REINDEXes this one by name; it also serves the performance view's per-type filter.
CREATE INDEX idx_tb_job_run_execution_type ON jobs.tb_job_run (execution_type);

-- claim: the runnable head of the queue, in dispatch order. Partial, so finished jobs cost it nothing.
CREATE INDEX idx_tb_job_run_claim ON jobs.tb_job_run (priority DESC, run_at, id) WHERE status = 'pending';

-- reclaimExpired, runningByService, stuck filter, cancelRequested: only the running few.
CREATE INDEX idx_tb_job_run_running ON jobs.tb_job_run (lease_expires_at) WHERE status = 'running';

-- No plain index on status: every job changes status at least twice, and each index on the table
-- costs every one of those updates an insert. Lists by status walk the primary key newest first (or
-- the partial indexes above for the rare states); counts read the whole table anyway.

-- The open dead letters grouped by fingerprint, and their newest-first listing.
CREATE INDEX idx_tb_job_run_dlq ON jobs.tb_job_run (error_fingerprint, id)
  WHERE status = 'failed' AND resolved_at IS NULL;

-- purgeResolved: resolved dead letters by resolution time.
CREATE INDEX idx_tb_job_run_resolved ON jobs.tb_job_run (resolved_at)
  WHERE status = 'failed' AND resolved_at IS NOT NULL;

-- throughput and latency charts: finished jobs by finish time.
CREATE INDEX idx_tb_job_run_completed_at ON jobs.tb_job_run (completed_at) WHERE completed_at IS NOT NULL;

-- Every attempt of every job: the trace an operator reads in the job drawer. No foreign key: attempt
-- rows are only ever written by the claim that leases their job, and purge deletes them with their
-- jobs in the same statement; a key check per claimed job would tax the hottest statement for nothing.
CREATE TABLE jobs.tb_job_attempt (
  id bigserial PRIMARY KEY,
  job_id bigint NOT NULL,
  attempt integer NOT NULL,
  worker_id text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  outcome text NOT NULL DEFAULT 'running'
    CHECK (outcome IN ('running', 'completed', 'failed', 'timed_out', 'lost', 'interrupted', 'cancelled')),
  error_message text,
  error_class text,
  output_tail text,
  resource_usage jsonb
) WITH (fillfactor = 80); -- room on the page for the update that closes the attempt (a HOT update)

CREATE INDEX idx_tb_job_attempt_job ON jobs.tb_job_attempt (job_id, id);

-- The control plane: one row, shared by every worker. `version` lets a poller tell "changed" cheaply.
CREATE TABLE jobs.tb_control (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  emergency_stop boolean NOT NULL DEFAULT false,
  emergency_stop_by text,
  emergency_stop_at timestamptz,
  emergency_stop_reason text,
  safe_mode boolean NOT NULL DEFAULT false,
  safe_mode_by text,
  safe_mode_at timestamptz,
  safe_mode_reason text,
  version bigint NOT NULL DEFAULT 1
);

INSERT INTO jobs.tb_control DEFAULT VALUES;

CREATE TABLE jobs.tb_paused_queue (
  queue text PRIMARY KEY,
  paused_by text NOT NULL,
  paused_at timestamptz NOT NULL DEFAULT now(),
  reason text
);

CREATE TABLE jobs.tb_breaker (
  service_name text PRIMARY KEY,
  state text NOT NULL DEFAULT 'closed' CHECK (state IN ('closed', 'open', 'half_open')),
  mode text NOT NULL DEFAULT 'auto' CHECK (mode IN ('auto', 'force_open', 'force_closed')),
  window_started_at timestamptz NOT NULL DEFAULT now(),
  window_failures integer NOT NULL DEFAULT 0,
  window_successes integer NOT NULL DEFAULT 0,
  prev_failures integer NOT NULL DEFAULT 0,
  prev_successes integer NOT NULL DEFAULT 0,
  opened_at timestamptz,
  probes_in_flight integer NOT NULL DEFAULT 0,
  probe_started_at timestamptz,
  last_transition_at timestamptz,
  last_error text,
  mode_set_by text,
  mode_set_at timestamptz,
  mode_reason text,
  version integer NOT NULL DEFAULT 1
);

CREATE TABLE jobs.tb_worker (
  id text PRIMARY KEY,
  host text NOT NULL,
  pid integer NOT NULL,
  version text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  concurrency integer NOT NULL,
  queues text[],
  in_flight integer NOT NULL DEFAULT 0,
  state text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'draining', 'stopped')),
  last_heartbeat_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE jobs.tb_audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL,
  target text,
  job_count integer,
  details jsonb
);

CREATE INDEX idx_tb_audit_log_action ON jobs.tb_audit_log (action, id);

-- Per execution type, for the runbook's "check index usage" query and the console's latency panel.
-- Durations are in milliseconds, from the start of the last attempt to the finish.
CREATE VIEW jobs.v_execution_performance_by_type AS
SELECT
  execution_type,
  count(*) AS total,
  count(*) FILTER (WHERE status = 'completed') AS completed,
  count(*) FILTER (WHERE status = 'failed') AS failed,
  round(
    count(*) FILTER (WHERE status = 'completed')::numeric
      / nullif(count(*) FILTER (WHERE status IN ('completed', 'failed')), 0),
    4
  ) AS success_rate,
  avg(extract(epoch FROM completed_at - started_at) * 1000)
    FILTER (WHERE status = 'completed' AND started_at IS NOT NULL) AS avg_duration_ms,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - started_at) * 1000)
    FILTER (WHERE status = 'completed' AND started_at IS NOT NULL) AS p95_duration_ms
FROM jobs.tb_job_run
GROUP BY execution_type;

-- The dead-letter queue in the vocabulary of the second runbook: open items are `pending`, items an
-- operator resolved are `resolved`. `created_at` is when the job entered the queue (its failure).
CREATE VIEW jobs.dead_letter_queue AS
SELECT
  id,
  identifier AS task_id,
  error_message AS failure_reason,
  coalesce(completed_at, updated_at) AS created_at,
  CASE WHEN resolved_at IS NULL THEN 'pending' ELSE 'resolved' END AS status,
  resolved_at,
  resolution
FROM jobs.tb_job_run
WHERE status = 'failed';
