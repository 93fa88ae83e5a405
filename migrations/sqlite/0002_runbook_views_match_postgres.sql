-- The runbook views read the same on both dialects: success_rate is a fraction (0..1), durations
-- are those of completed jobs, p95 is interpolated like PostgreSQL's percentile_cont, and the
-- dead-letter queue says `pending` / `resolved` with created_at = when the job entered it.

DROP VIEW v_execution_performance_by_type;
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

DROP VIEW dead_letter_queue;
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
