-- What the overview shows, kept as jobs move instead of counted from the history on every read. A store
-- with a million finished jobs answered the overview by reading every one of them, every two seconds
-- while a console was open; these tables grow with the number of queues and minutes, not with history.
--
-- tb_job_count: how many jobs each queue holds of each service and type in each state. `state` is a job
-- status, or `dead_letter` for a failed job nobody resolved yet, counted per error fingerprint (the
-- dead-letter groups); `fingerprint` is '' for every other state. Every statement that adds, moves or
-- deletes jobs changes these rows in the same transaction (electron/store/sqlite/tally.ts).
CREATE TABLE tb_job_count (
  queue          TEXT    NOT NULL,
  service_name   TEXT    NOT NULL,
  execution_type TEXT    NOT NULL,
  state          TEXT    NOT NULL,
  fingerprint    TEXT    NOT NULL,
  n              INTEGER NOT NULL,
  PRIMARY KEY (queue, service_name, execution_type, state, fingerprint)
) WITHOUT ROWID;

INSERT INTO tb_job_count (queue, service_name, execution_type, state, fingerprint, n)
SELECT queue, service_name, execution_type, status, '', count(*) FROM tb_job_run GROUP BY queue, service_name, execution_type, status;
INSERT INTO tb_job_count (queue, service_name, execution_type, state, fingerprint, n)
SELECT queue, service_name, execution_type, 'dead_letter', coalesce(error_fingerprint, ''), count(*)
FROM tb_job_run WHERE status = 'failed' AND resolved_at IS NULL
GROUP BY queue, service_name, execution_type, coalesce(error_fingerprint, '');

-- tb_job_rollup: what finished in each minute (unix seconds at its start), per queue, service and type.
-- `failed` counts jobs that went into the dead-letter queue, `retried` attempts that failed with another
-- to follow, `duration_ms` the sum of the completed jobs' last attempts. Pruning jobs leaves it alone:
-- the charts keep their history after the jobs are gone.
CREATE TABLE tb_job_rollup (
  minute         INTEGER NOT NULL,
  queue          TEXT    NOT NULL,
  service_name   TEXT    NOT NULL,
  execution_type TEXT    NOT NULL,
  completed      INTEGER NOT NULL DEFAULT 0,
  failed         INTEGER NOT NULL DEFAULT 0,
  retried        INTEGER NOT NULL DEFAULT 0,
  cancelled      INTEGER NOT NULL DEFAULT 0,
  duration_ms    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (minute, queue, service_name, execution_type)
) WITHOUT ROWID;

-- tb_job_latency: completed jobs per minute, type, service and duration bucket (shared/latencyBuckets.ts:
-- bucket 0 is under 1 ms, bucket b >= 1 holds [2^((b-1)/4), 2^(b/4)) ms, four to each doubling).
-- Percentiles are read from the buckets, to within a bucket's width (about 19%).
CREATE TABLE tb_job_latency (
  minute         INTEGER NOT NULL,
  execution_type TEXT    NOT NULL,
  service_name   TEXT    NOT NULL,
  bucket         INTEGER NOT NULL,
  n              INTEGER NOT NULL,
  PRIMARY KEY (minute, execution_type, service_name, bucket)
) WITHOUT ROWID;

-- The history already here, as the settles would have written it.
INSERT INTO tb_job_rollup (minute, queue, service_name, execution_type, completed, failed, cancelled, duration_ms)
SELECT CAST(unixepoch(completed_at) / 60 AS INTEGER) * 60, queue, service_name, execution_type,
       sum(status = 'completed'), sum(status = 'failed'), sum(status = 'cancelled'),
       coalesce(sum(CASE WHEN status = 'completed' AND started_at IS NOT NULL
                         THEN max(0, CAST(round((julianday(completed_at) - julianday(started_at)) * 86400000.0) AS INTEGER)) END), 0)
FROM tb_job_run
WHERE completed_at IS NOT NULL AND status IN ('completed', 'failed', 'cancelled')
GROUP BY 1, 2, 3, 4;

INSERT INTO tb_job_latency (minute, execution_type, service_name, bucket, n)
SELECT minute, execution_type, service_name, bucket, count(*)
FROM (
  SELECT CAST(unixepoch(completed_at) / 60 AS INTEGER) * 60 AS minute, execution_type, service_name,
         CASE WHEN ms < 1 THEN 0 ELSE min(128, 1 + CAST(floor(4 * log2(ms)) AS INTEGER)) END AS bucket
  FROM (
    SELECT completed_at, execution_type, service_name,
           max(0, CAST(round((julianday(completed_at) - julianday(started_at)) * 86400000.0) AS INTEGER)) AS ms
    FROM tb_job_run
    WHERE status = 'completed' AND completed_at IS NOT NULL AND started_at IS NOT NULL
  )
)
GROUP BY 1, 2, 3, 4;

-- The charts read these now; finished jobs by finish time are no longer a question anyone asks of the
-- job table, and each completion writes one index entry less.
DROP INDEX idx_tb_job_run_completed_at;
