-- The per-minute rollups summed per whole hour (UTC), service and execution type, every stripe together,
-- beside the hours per type (0034): `metrics.byType` of one service over a month, or by service over a day,
-- read these hours and only the minutes on either side, where they read every minute row of the window.
-- Summed by the same upkeep step as the hours per type, up to the same mark (tb_rollup_hour_mark), and
-- pruned with them; nothing on the settle's path writes here. The key leads with the hour (every
-- service's hours of a window are one range), the index with the service (one service's are). SQLite 0035.
CREATE TABLE jobs.tb_job_rollup_service_hour (
  hour timestamptz NOT NULL,
  service_name text NOT NULL,
  execution_type text NOT NULL,
  completed bigint NOT NULL,
  failed bigint NOT NULL,
  retried bigint NOT NULL,
  PRIMARY KEY (hour, service_name, execution_type)
);
CREATE INDEX idx_tb_job_rollup_service_hour_service ON jobs.tb_job_rollup_service_hour (service_name, hour);

CREATE TABLE jobs.tb_job_latency_service_hour (
  hour timestamptz NOT NULL,
  service_name text NOT NULL,
  execution_type text NOT NULL,
  bucket smallint NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (hour, service_name, execution_type, bucket)
);
CREATE INDEX idx_tb_job_latency_service_hour_service ON jobs.tb_job_latency_service_hour (service_name, hour);

-- The hours already summed per type, now per service too, from the same minutes.
INSERT INTO jobs.tb_job_rollup_service_hour (hour, service_name, execution_type, completed, failed, retried)
SELECT to_timestamp(floor(extract(epoch FROM minute) / 3600) * 3600), service_name, execution_type, sum(completed), sum(failed), sum(retried)
FROM jobs.tb_job_rollup WHERE minute < (SELECT through FROM jobs.tb_rollup_hour_mark)
GROUP BY 1, 2, 3 HAVING sum(completed) + sum(failed) + sum(retried) > 0;
INSERT INTO jobs.tb_job_latency_service_hour (hour, service_name, execution_type, bucket, n)
SELECT to_timestamp(floor(extract(epoch FROM minute) / 3600) * 3600), service_name, execution_type, bucket, sum(n)
FROM jobs.tb_job_latency WHERE minute < (SELECT through FROM jobs.tb_rollup_hour_mark)
GROUP BY 1, 2, 3, 4;

-- The failure rollups (0031) summed per whole hour (UTC) and group, every stripe together, by the same
-- upkeep step, up to the same mark: `failures.recent` over a day reads these hours and the minutes on either
-- side, where a burst's every minute of every group was grouped. `last_minute`: the group's latest minute
-- in the hour, whose rows hold its sample error. Pruned with the failure rollups.
CREATE TABLE jobs.tb_failure_rollup_hour (
  hour timestamptz NOT NULL,
  service_name text NOT NULL,
  error_class text NOT NULL,
  fingerprint text NOT NULL,
  failures bigint NOT NULL,
  dead_lettered bigint NOT NULL,
  first_at timestamptz NOT NULL,
  last_at timestamptz NOT NULL,
  last_minute timestamptz NOT NULL,
  PRIMARY KEY (hour, service_name, error_class, fingerprint)
);
INSERT INTO jobs.tb_failure_rollup_hour (hour, service_name, error_class, fingerprint, failures, dead_lettered, first_at, last_at, last_minute)
SELECT to_timestamp(floor(extract(epoch FROM minute) / 3600) * 3600), service_name, error_class, fingerprint, sum(failures), sum(dead_lettered),
  min(first_at), max(last_at), max(minute)
FROM jobs.tb_failure_rollup WHERE minute < (SELECT through FROM jobs.tb_rollup_hour_mark)
GROUP BY 1, 2, 3, 4;
