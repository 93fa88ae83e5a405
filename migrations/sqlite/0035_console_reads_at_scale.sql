-- The per-minute rollups summed per whole hour, service and execution type, beside the hours per type
-- (0021): `metrics.byType` of one service over a month, or by service over a day, read these hours and
-- only the minutes on either side, where they read every minute row of the window. Summed by the same
-- upkeep step as the hours per type, up to the same mark (tb_rollup_hour_mark), and pruned with them. The
-- key leads with the service (one service's hours are one range); the index by hour holds every column, so
-- every service's hours of a window are one range of it too. PostgreSQL 0049.
CREATE TABLE tb_job_rollup_service_hour (
  hour           INTEGER NOT NULL,
  service_name   TEXT    NOT NULL,
  execution_type TEXT    NOT NULL,
  completed      INTEGER NOT NULL,
  failed         INTEGER NOT NULL,
  retried        INTEGER NOT NULL,
  PRIMARY KEY (service_name, hour, execution_type)
) WITHOUT ROWID;
CREATE INDEX idx_tb_job_rollup_service_hour_hour ON tb_job_rollup_service_hour (hour, service_name, execution_type, completed, failed, retried);

CREATE TABLE tb_job_latency_service_hour (
  hour           INTEGER NOT NULL,
  service_name   TEXT    NOT NULL,
  execution_type TEXT    NOT NULL,
  bucket         INTEGER NOT NULL,
  n              INTEGER NOT NULL,
  PRIMARY KEY (service_name, hour, execution_type, bucket)
) WITHOUT ROWID;
CREATE INDEX idx_tb_job_latency_service_hour_hour ON tb_job_latency_service_hour (hour, service_name, execution_type, bucket, n);

-- The hours already summed per type, now per service too, from the same minutes.
INSERT INTO tb_job_rollup_service_hour (hour, service_name, execution_type, completed, failed, retried)
SELECT minute / 3600 * 3600, service_name, execution_type, sum(completed), sum(failed), sum(retried)
FROM tb_job_rollup WHERE minute < (SELECT coalesce(max(through), 0) FROM tb_rollup_hour_mark)
GROUP BY 1, 2, 3 HAVING sum(completed) + sum(failed) + sum(retried) > 0;
INSERT INTO tb_job_latency_service_hour (hour, service_name, execution_type, bucket, n)
SELECT minute / 3600 * 3600, service_name, execution_type, bucket, sum(n)
FROM tb_job_latency WHERE minute < (SELECT coalesce(max(through), 0) FROM tb_rollup_hour_mark)
GROUP BY 1, 2, 3, 4;

-- The dead-letter groups filtered by text read the open dead letters' fingerprint, service, type, failure
-- time and error from this index alone, where they looked up every job whose error matched, dead letter or
-- not, a random read of the job table each (26 000 of them for a common word at a million jobs).
CREATE INDEX idx_tb_job_run_dlq_text ON tb_job_run (error_fingerprint, service_name, execution_type, completed_at, updated_at, error_message)
  WHERE status = 'failed' AND resolved_at IS NULL;

-- `metrics.byType` over a month and the Overview's day sum the hours' duration buckets per type: in this
-- order the sum walks the index once, where by hour it sorted every hour's rows (some 25 000 a month).
CREATE INDEX idx_tb_job_latency_hour_bucket ON tb_job_latency_hour (execution_type, bucket, hour, n);

-- The failure rollups (0019) summed per whole hour and group by the same upkeep step, up to the same mark:
-- `failures.recent` over a day reads these hours and the minutes on either side, where a burst's every
-- minute of every group was sorted into its groups. `last_minute`: the group's latest minute in the hour,
-- whose row holds its sample error. Pruned with the failure rollups.
CREATE TABLE tb_failure_rollup_hour (
  hour          INTEGER NOT NULL,
  service_name  TEXT    NOT NULL,
  error_class   TEXT    NOT NULL,
  fingerprint   TEXT    NOT NULL,
  failures      INTEGER NOT NULL,
  dead_lettered INTEGER NOT NULL,
  first_at      TEXT    NOT NULL,
  last_at       TEXT    NOT NULL,
  last_minute   INTEGER NOT NULL,
  PRIMARY KEY (hour, service_name, error_class, fingerprint)
) WITHOUT ROWID;
INSERT INTO tb_failure_rollup_hour (hour, service_name, error_class, fingerprint, failures, dead_lettered, first_at, last_at, last_minute)
SELECT minute / 3600 * 3600, service_name, error_class, fingerprint, sum(failures), sum(dead_lettered), min(first_at), max(last_at), max(minute)
FROM tb_failure_rollup WHERE minute < (SELECT coalesce(max(through), 0) FROM tb_rollup_hour_mark)
GROUP BY 1, 2, 3, 4;
