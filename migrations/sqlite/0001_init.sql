-- opsdeck schema for SQLite. Timestamps are TEXT in ISO-8601 UTC with milliseconds
-- ('2026-01-01T00:00:00.000Z'): they sort as text, read well in a runbook, and julianday() turns
-- them into numbers for durations. CHECKs on enumerations are OR chains, not IN lists: SQLite builds
-- an ephemeral table for an IN list on every row it checks, which costs more than the insert itself.

CREATE TABLE tb_job_run (
  id                INTEGER PRIMARY KEY,
  identifier        TEXT    NOT NULL UNIQUE,
  queue             TEXT    NOT NULL DEFAULT 'default',
  service_name      TEXT    NOT NULL,
  execution_type    TEXT    NOT NULL CHECK (execution_type = 'shell' OR execution_type = 'http' OR execution_type = 'docker' OR execution_type = 'serverless' OR execution_type = 'noop'),
  payload           TEXT    NOT NULL DEFAULT 'null',
  status            TEXT    NOT NULL DEFAULT 'pending' CHECK (status = 'pending' OR status = 'running' OR status = 'completed' OR status = 'failed' OR status = 'cancelled'),
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
  cancel_requested  INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested = 0 OR cancel_requested = 1)
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
  outcome        TEXT    NOT NULL DEFAULT 'running' CHECK (outcome = 'running' OR outcome = 'completed' OR outcome = 'failed' OR outcome = 'timed_out' OR outcome = 'lost' OR outcome = 'interrupted' OR outcome = 'cancelled'),
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
  state              TEXT    NOT NULL CHECK (state = 'closed' OR state = 'open' OR state = 'half_open'),
  mode               TEXT    NOT NULL CHECK (mode = 'auto' OR mode = 'force_open' OR mode = 'force_closed'),
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
  state             TEXT    NOT NULL CHECK (state = 'running' OR state = 'draining' OR state = 'stopped'),
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

-- Runbook views, reading the same on both dialects: success_rate is a fraction (0..1), durations are
-- those of completed jobs, p95 is interpolated like PostgreSQL's percentile_cont, and the dead-letter
-- queue says `pending` / `resolved` with created_at = when the job entered it.
CREATE VIEW v_execution_performance_by_type AS
WITH done AS (
  SELECT execution_type,
         (julianday(completed_at) - julianday(started_at)) * 86400000.0 AS duration_ms
  FROM tb_job_run
  WHERE status = 'completed' AND started_at IS NOT NULL AND completed_at IS NOT NULL
),
ranked AS (
  SELECT execution_type, duration_ms,
         row_number() OVER (PARTITION BY execution_type ORDER BY duration_ms) - 1 AS i,
         0.95 * (count(*) OVER (PARTITION BY execution_type) - 1) AS pos
  FROM done
),
p95 AS (
  SELECT execution_type,
         max(CASE WHEN i = CAST(pos AS INTEGER) THEN duration_ms END) AS lo,
         max(CASE WHEN i = CAST(pos AS INTEGER) + 1 THEN duration_ms END) AS hi,
         max(pos - CAST(pos AS INTEGER)) AS frac
  FROM ranked
  GROUP BY execution_type
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
       CASE WHEN t.completed + t.failed > 0 THEN round(1.0 * t.completed / (t.completed + t.failed), 4) END AS success_rate,
       (SELECT avg(d.duration_ms) FROM done d WHERE d.execution_type = t.execution_type) AS avg_duration_ms,
       p.lo + coalesce(p.hi - p.lo, 0) * p.frac AS p95_duration_ms
FROM totals t
LEFT JOIN p95 p ON p.execution_type = t.execution_type;

CREATE VIEW dead_letter_queue AS
SELECT id,
       identifier                        AS task_id,
       error_message                     AS failure_reason,
       coalesce(completed_at, updated_at) AS created_at,
       CASE WHEN resolved_at IS NULL THEN 'pending' ELSE 'resolved' END AS status,
       resolved_at,
       resolution
FROM tb_job_run
WHERE status = 'failed';
