-- Workflows (the registry's `workflows:`): a run of a workflow is a set of jobs, one per task, released in
-- the order of their dependencies. Two job states join the five: `waiting` (a task whose upstream tasks
-- have not all completed; out of the claim index, so the claim never reads it) and `blocked` (a task whose
-- upstream failed or was cancelled, until that upstream is retried).
--
-- SQLite cannot change a CHECK in place, so the job table is rebuilt with the wider one and a nullable
-- workflow_run_id (null for every job that is not a workflow task: the settle reads it from the claim's
-- own RETURNING, and does nothing more for those). The attempts are rebuilt beside it, so that their
-- foreign key follows the new table and dropping the old one cascades to nothing. Every id is kept, and
-- with it the error-text index keyed by job id. Stop every worker on this file before upgrading.

-- The runbook views name the job table; they are made again below, as they were.
DROP VIEW v_execution_performance_by_type;
DROP VIEW dead_letter_queue;

CREATE TABLE tb_job_run_next (
  id                INTEGER PRIMARY KEY,
  identifier        TEXT    NOT NULL UNIQUE,
  queue             TEXT    NOT NULL DEFAULT 'default',
  service_name      TEXT    NOT NULL,
  execution_type    TEXT    NOT NULL CHECK (execution_type = 'shell' OR execution_type = 'http' OR execution_type = 'docker' OR execution_type = 'serverless' OR execution_type = 'noop'),
  payload           TEXT    NOT NULL DEFAULT 'null',
  status            TEXT    NOT NULL DEFAULT 'pending' CHECK (status = 'pending' OR status = 'running' OR status = 'completed' OR status = 'failed' OR status = 'cancelled' OR status = 'waiting' OR status = 'blocked'),
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
  cancel_requested  INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested = 0 OR cancel_requested = 1),
  workflow_run_id   INTEGER
);

INSERT INTO tb_job_run_next (id, identifier, queue, service_name, execution_type, payload, status, priority, attempts,
  max_attempts, run_at, lease_owner, lease_expires_at, created_at, started_at, completed_at, updated_at, error_message,
  error_fingerprint, resource_usage, security_context, resolved_at, resolution, cancel_requested)
SELECT id, identifier, queue, service_name, execution_type, payload, status, priority, attempts,
  max_attempts, run_at, lease_owner, lease_expires_at, created_at, started_at, completed_at, updated_at, error_message,
  error_fingerprint, resource_usage, security_context, resolved_at, resolution, cancel_requested
FROM tb_job_run;

CREATE TABLE tb_job_attempt_next (
  id             INTEGER PRIMARY KEY,
  job_id         INTEGER NOT NULL REFERENCES tb_job_run_next (id) ON DELETE CASCADE,
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
INSERT INTO tb_job_attempt_next SELECT id, job_id, attempt, worker_id, started_at, finished_at, outcome, error_message,
  error_class, output_tail, resource_usage FROM tb_job_attempt;

DROP TABLE tb_job_attempt;
DROP TABLE tb_job_run;
ALTER TABLE tb_job_run_next RENAME TO tb_job_run;
ALTER TABLE tb_job_attempt_next RENAME TO tb_job_attempt;
CREATE INDEX idx_tb_job_attempt_job ON tb_job_attempt (job_id);
CREATE INDEX idx_tb_job_attempt_error_class ON tb_job_attempt (error_class, job_id) WHERE error_class IS NOT NULL;

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

CREATE INDEX idx_tb_job_run_dlq ON tb_job_run (error_fingerprint) WHERE status = 'failed' AND resolved_at IS NULL;
CREATE INDEX idx_tb_job_run_execution_type ON tb_job_run (execution_type) WHERE completed_at IS NOT NULL;
CREATE INDEX idx_tb_job_run_claim ON tb_job_run (status, priority DESC, run_at, id, queue) WHERE status = 'pending';
CREATE INDEX idx_tb_job_run_running ON tb_job_run (status, id, service_name, execution_type, queue) WHERE status = 'running';
CREATE INDEX idx_tb_job_run_completed ON tb_job_run (status, id, service_name, execution_type, queue) WHERE status = 'completed';
CREATE INDEX idx_tb_job_run_failed ON tb_job_run (status, id, service_name, execution_type, queue) WHERE status = 'failed';
CREATE INDEX idx_tb_job_run_cancelled ON tb_job_run (status, id, service_name, execution_type, queue) WHERE status = 'cancelled';
CREATE INDEX idx_tb_job_run_waiting ON tb_job_run (status, id, service_name, execution_type, queue) WHERE status = 'waiting';
CREATE INDEX idx_tb_job_run_blocked ON tb_job_run (status, id, service_name, execution_type, queue) WHERE status = 'blocked';
-- A run's tasks, found from the run: only workflow tasks are in it.
CREATE INDEX idx_tb_job_run_workflow ON tb_job_run (workflow_run_id) WHERE workflow_run_id IS NOT NULL;

CREATE TRIGGER tb_job_run_error_text_insert AFTER INSERT ON tb_job_run
WHEN new.error_message IS NOT NULL
BEGIN
  INSERT INTO tb_job_error_text (rowid, message) VALUES (new.id, new.error_message);
END;

CREATE TRIGGER tb_job_run_error_text_update AFTER UPDATE OF error_message ON tb_job_run
WHEN new.error_message IS NOT old.error_message
BEGIN
  DELETE FROM tb_job_error_text WHERE rowid = old.id;
  INSERT INTO tb_job_error_text (rowid, message) SELECT new.id, new.error_message WHERE new.error_message IS NOT NULL;
END;

CREATE TRIGGER tb_job_run_error_text_delete AFTER DELETE ON tb_job_run
WHEN old.error_message IS NOT NULL
BEGIN
  DELETE FROM tb_job_error_text WHERE rowid = old.id;
END;

-- One row per run. `updated_at` is the run's last progress (a task released, finished, blocked or
-- retried): a running run whose updated_at is old is stuck. `identifier` makes starting a run idempotent
-- (a schedule's fire starts one run however often it is retried).
CREATE TABLE tb_workflow_run (
  id            INTEGER PRIMARY KEY,
  identifier    TEXT NOT NULL UNIQUE,
  workflow_name TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status = 'running' OR status = 'completed' OR status = 'failed' OR status = 'cancelled'),
  payload       TEXT NOT NULL,
  created_by    TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  finished_at   TEXT
);
CREATE INDEX idx_tb_workflow_run_running ON tb_workflow_run (updated_at) WHERE status = 'running';
CREATE INDEX idx_tb_workflow_run_name ON tb_workflow_run (workflow_name, id);

-- A task of a run is its job; the names and what each passes on live here, beside the job.
CREATE TABLE tb_workflow_task (
  job_id      INTEGER PRIMARY KEY REFERENCES tb_job_run (id) ON DELETE CASCADE,
  run_id      INTEGER NOT NULL REFERENCES tb_workflow_run (id) ON DELETE CASCADE,
  task_name   TEXT    NOT NULL,
  pass_output TEXT    CHECK (pass_output IS NULL OR pass_output = 'tail' OR pass_output = 'json'),
  position    INTEGER NOT NULL,
  UNIQUE (run_id, task_name)
);

-- job_id depends on upstream_job_id.
CREATE TABLE tb_workflow_dep (
  job_id          INTEGER NOT NULL REFERENCES tb_job_run (id) ON DELETE CASCADE,
  upstream_job_id INTEGER NOT NULL REFERENCES tb_job_run (id) ON DELETE CASCADE,
  PRIMARY KEY (job_id, upstream_job_id)
) WITHOUT ROWID;
CREATE INDEX idx_tb_workflow_dep_upstream ON tb_workflow_dep (upstream_job_id);
