-- opsdeck schema for SQLite. Timestamps are TEXT in ISO-8601 UTC with milliseconds
-- ('2026-01-01T00:00:00.000Z'): they sort as text, read well in a runbook, and julianday() turns
-- them into numbers for durations.

CREATE TABLE tb_job_run (
  id                INTEGER PRIMARY KEY,
  identifier        TEXT    NOT NULL UNIQUE,
  queue             TEXT    NOT NULL DEFAULT 'default',
  service_name      TEXT    NOT NULL,
  execution_type    TEXT    NOT NULL CHECK (execution_type IN ('shell', 'http', 'docker', 'serverless', 'noop')),
  payload           TEXT    NOT NULL DEFAULT 'null',
  status            TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
  priority          INTEGER NOT NULL DEFAULT 0,
  attempts          INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts      INTEGER NOT NULL CHECK (max_attempts >= 1),
  run_at            TEXT    NOT NULL,
  lease_owner       TEXT,
  lease_expires_at  TEXT,
  created_at        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  started_at        TEXT,
  completed_at      TEXT,
  updated_at        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  error_message     TEXT,
  error_fingerprint TEXT,
  resource_usage    TEXT,
  security_context  TEXT,
  resolved_at       TEXT,
  resolution        TEXT,
  cancel_requested  INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1))
);

-- Claim walks this in dispatch order and stops at its limit; only pending rows are in it.
CREATE INDEX idx_tb_job_run_claim ON tb_job_run (priority DESC, run_at) WHERE status = 'pending';
-- Counts by status and queue; running jobs for leases, stuck jobs and cancel requests.
CREATE INDEX idx_tb_job_run_status ON tb_job_run (status, queue);
-- Open dead letters, grouped by fingerprint.
CREATE INDEX idx_tb_job_run_dlq ON tb_job_run (error_fingerprint) WHERE status = 'failed' AND resolved_at IS NULL;
-- Throughput and latency over a recent window.
CREATE INDEX idx_tb_job_run_completed_at ON tb_job_run (completed_at) WHERE completed_at IS NOT NULL;
-- The runbook's index (it REINDEXes it by name).
CREATE INDEX idx_tb_job_run_execution_type ON tb_job_run (execution_type);

CREATE TABLE tb_job_attempt (
  id             INTEGER PRIMARY KEY,
  job_id         INTEGER NOT NULL REFERENCES tb_job_run (id) ON DELETE CASCADE,
  attempt        INTEGER NOT NULL,
  worker_id      TEXT    NOT NULL,
  started_at     TEXT    NOT NULL,
  finished_at    TEXT,
  outcome        TEXT    NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'completed', 'failed', 'timed_out', 'lost', 'interrupted', 'cancelled')),
  error_message  TEXT,
  error_class    TEXT,
  output_tail    TEXT,
  resource_usage TEXT
);
CREATE INDEX idx_tb_job_attempt_job ON tb_job_attempt (job_id);

-- One row: the control plane every worker on this file obeys.
CREATE TABLE tb_control (
  id                    INTEGER PRIMARY KEY CHECK (id = 1),
  emergency_stop        INTEGER NOT NULL DEFAULT 0,
  emergency_stop_by     TEXT,
  emergency_stop_at     TEXT,
  emergency_stop_reason TEXT,
  safe_mode             INTEGER NOT NULL DEFAULT 0,
  safe_mode_by          TEXT,
  safe_mode_at          TEXT,
  safe_mode_reason      TEXT,
  version               INTEGER NOT NULL DEFAULT 1
);
INSERT INTO tb_control (id) VALUES (1);

CREATE TABLE tb_paused_queue (
  queue     TEXT PRIMARY KEY,
  paused_by TEXT NOT NULL,
  paused_at TEXT NOT NULL,
  reason    TEXT
) WITHOUT ROWID;

CREATE TABLE tb_breaker (
  service_name       TEXT PRIMARY KEY,
  state              TEXT    NOT NULL CHECK (state IN ('closed', 'open', 'half_open')),
  mode               TEXT    NOT NULL CHECK (mode IN ('auto', 'force_open', 'force_closed')),
  window_started_at  TEXT    NOT NULL,
  window_failures    INTEGER NOT NULL DEFAULT 0,
  window_successes   INTEGER NOT NULL DEFAULT 0,
  prev_failures      INTEGER NOT NULL DEFAULT 0,
  prev_successes     INTEGER NOT NULL DEFAULT 0,
  opened_at          TEXT,
  probes_in_flight   INTEGER NOT NULL DEFAULT 0,
  probe_started_at   TEXT,
  last_transition_at TEXT,
  last_error         TEXT,
  mode_set_by        TEXT,
  mode_set_at        TEXT,
  mode_reason        TEXT,
  version            INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE tb_worker (
  id                TEXT PRIMARY KEY,
  host              TEXT    NOT NULL,
  pid               INTEGER NOT NULL,
  version           TEXT    NOT NULL,
  started_at        TEXT    NOT NULL,
  concurrency       INTEGER NOT NULL,
  queues            TEXT,
  in_flight         INTEGER NOT NULL DEFAULT 0,
  state             TEXT    NOT NULL CHECK (state IN ('running', 'draining', 'stopped')),
  last_heartbeat_at TEXT    NOT NULL
) WITHOUT ROWID;

CREATE TABLE tb_audit_log (
  id        INTEGER PRIMARY KEY,
  at        TEXT NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  target    TEXT,
  job_count INTEGER,
  details   TEXT
);
CREATE INDEX idx_tb_audit_log_action ON tb_audit_log (action);

-- Runbook view: per execution type, volume, outcome and how long finished jobs took.
CREATE VIEW v_execution_performance_by_type AS
WITH finished AS (
  SELECT execution_type,
         (julianday(completed_at) - julianday(started_at)) * 86400000.0 AS duration_ms
  FROM tb_job_run
  WHERE status IN ('completed', 'failed') AND started_at IS NOT NULL AND completed_at IS NOT NULL
),
ranked AS (
  SELECT execution_type, duration_ms,
         row_number() OVER (PARTITION BY execution_type ORDER BY duration_ms) AS rn,
         count(*) OVER (PARTITION BY execution_type) AS n
  FROM finished
),
p95 AS (
  SELECT execution_type, duration_ms AS p95_duration_ms FROM ranked WHERE rn = (n * 95 + 99) / 100
),
totals AS (
  SELECT execution_type,
         count(*) AS total,
         sum(status = 'completed') AS completed,
         sum(status = 'failed') AS failed
  FROM tb_job_run
  GROUP BY execution_type
)
SELECT t.execution_type,
       t.total,
       t.completed,
       t.failed,
       CASE WHEN t.completed + t.failed > 0
            THEN round(100.0 * t.completed / (t.completed + t.failed), 2) END AS success_rate,
       round((SELECT avg(f.duration_ms) FROM finished f WHERE f.execution_type = t.execution_type), 1) AS avg_duration_ms,
       round(p.p95_duration_ms, 1) AS p95_duration_ms
FROM totals t
LEFT JOIN p95 p ON p.execution_type = t.execution_type;

-- Runbook view: the dead-letter queue is every failed job; open ones have no resolved_at.
CREATE VIEW dead_letter_queue AS
SELECT id,
       identifier    AS task_id,
       error_message AS failure_reason,
       created_at,
       status,
       resolved_at,
       resolution,
       service_name,
       error_fingerprint
FROM tb_job_run
WHERE status = 'failed';
