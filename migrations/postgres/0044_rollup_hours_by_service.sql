-- The summed hours kept per service as well as per type, so `metrics.byType` for one service, or service by
-- service (`opsdeck performance --service`, `--by service`), reads the hours over a month rather than every
-- minute row. Only the hours already summed are summed again here, from the minutes they came from (every
-- stripe together): the mark stays where it was, and the workers' upkeep goes on from it. SQLite 0030.
ALTER TABLE jobs.tb_job_rollup_hour ADD COLUMN service_name text NOT NULL DEFAULT '';
ALTER TABLE jobs.tb_job_rollup_hour ALTER COLUMN service_name DROP DEFAULT;
ALTER TABLE jobs.tb_job_rollup_hour DROP CONSTRAINT tb_job_rollup_hour_pkey;
ALTER TABLE jobs.tb_job_rollup_hour ADD PRIMARY KEY (hour, execution_type, service_name);
ALTER TABLE jobs.tb_job_latency_hour ADD COLUMN service_name text NOT NULL DEFAULT '';
ALTER TABLE jobs.tb_job_latency_hour ALTER COLUMN service_name DROP DEFAULT;
ALTER TABLE jobs.tb_job_latency_hour DROP CONSTRAINT tb_job_latency_hour_pkey;
ALTER TABLE jobs.tb_job_latency_hour ADD PRIMARY KEY (hour, execution_type, service_name, bucket);

TRUNCATE jobs.tb_job_rollup_hour, jobs.tb_job_latency_hour;

INSERT INTO jobs.tb_job_rollup_hour (hour, execution_type, service_name, completed, failed, retried)
SELECT to_timestamp(floor(extract(epoch FROM minute) / 3600) * 3600), execution_type, service_name, sum(completed), sum(failed), sum(retried)
FROM jobs.tb_job_rollup WHERE minute < (SELECT through FROM jobs.tb_rollup_hour_mark)
GROUP BY 1, 2, 3 HAVING sum(completed) + sum(failed) + sum(retried) > 0;

INSERT INTO jobs.tb_job_latency_hour (hour, execution_type, service_name, bucket, n)
SELECT to_timestamp(floor(extract(epoch FROM minute) / 3600) * 3600), execution_type, service_name, bucket, sum(n)
FROM jobs.tb_job_latency WHERE minute < (SELECT through FROM jobs.tb_rollup_hour_mark)
GROUP BY 1, 2, 3, 4;
