-- Failed attempts kept per minute (unix seconds at its start) by service, failure class and error
-- fingerprint, whether the job retries or was dead-lettered: `failures.recent` (opsdeck errors, the
-- Overview's "Failing" panel) sums them, so grouping a burst of a hundred thousand failures costs what
-- grouping ten does. Written in the transaction that records the failure, with the other rollups (0005).
CREATE TABLE tb_failure_rollup (
  minute INTEGER NOT NULL,
  service_name TEXT NOT NULL,
  error_class TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  failures INTEGER NOT NULL DEFAULT 0,
  dead_lettered INTEGER NOT NULL DEFAULT 0,
  -- When the first and the latest failure the row counted were recorded (ISO-8601), and the latest one's error.
  first_at TEXT NOT NULL,
  last_at TEXT NOT NULL,
  sample_error TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (minute, service_name, error_class, fingerprint)
) WITHOUT ROWID;

-- The last day's failures from the attempts already recorded, so the console does not read "no failures"
-- just after an upgrade in the middle of an incident. An attempt keeps no fingerprint of its own: it is
-- counted under its job's latest one. The sample is the error of the group's latest attempt (a bare column
-- beside a lone max() comes from that row).
INSERT INTO tb_failure_rollup (minute, service_name, error_class, fingerprint, failures, dead_lettered, first_at, last_at, sample_error)
SELECT g.minute, g.service_name, g.error_class, g.fingerprint, g.failures, g.dead_lettered, g.first_at, l.last_at, l.sample_error
FROM (
  SELECT CAST(unixepoch(a.finished_at) / 60 AS INTEGER) * 60 AS minute, j.service_name, a.error_class,
    coalesce(j.error_fingerprint, '') AS fingerprint, count(*) AS failures,
    sum(j.status = 'failed' AND a.attempt = j.attempts) AS dead_lettered, min(a.finished_at) AS first_at
  FROM tb_job_attempt a JOIN tb_job_run j ON j.id = a.job_id
  WHERE a.error_class IS NOT NULL AND a.finished_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-25 hours')
  GROUP BY 1, 2, 3, 4
) g
JOIN (
  SELECT CAST(unixepoch(a.finished_at) / 60 AS INTEGER) * 60 AS minute, j.service_name, a.error_class,
    coalesce(j.error_fingerprint, '') AS fingerprint, max(a.finished_at) AS last_at,
    substr(coalesce(a.error_message, ''), 1, 1000) AS sample_error
  FROM tb_job_attempt a JOIN tb_job_run j ON j.id = a.job_id
  WHERE a.error_class IS NOT NULL AND a.finished_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-25 hours')
  GROUP BY 1, 2, 3, 4
) l ON l.minute = g.minute AND l.service_name = g.service_name AND l.error_class = g.error_class AND l.fingerprint = g.fingerprint;
