-- The summed hours kept per service as well as per type, so `metrics.byType` for one service, or service by
-- service (`opsdeck performance --service`, `--by service`), reads the hours over a month rather than every
-- minute row. Only the hours already summed are summed again here, from the minutes they came from: the mark
-- stays where it was, and the workers' upkeep goes on from it. PostgreSQL 0044.
DROP TABLE tb_job_rollup_hour;
DROP TABLE tb_job_latency_hour;

CREATE TABLE tb_job_rollup_hour (
  hour           INTEGER NOT NULL,
  execution_type TEXT    NOT NULL,
  service_name   TEXT    NOT NULL,
  completed      INTEGER NOT NULL,
  failed         INTEGER NOT NULL,
  retried        INTEGER NOT NULL,
  PRIMARY KEY (hour, execution_type, service_name)
) WITHOUT ROWID;

CREATE TABLE tb_job_latency_hour (
  hour           INTEGER NOT NULL,
  execution_type TEXT    NOT NULL,
  service_name   TEXT    NOT NULL,
  bucket         INTEGER NOT NULL,
  n              INTEGER NOT NULL,
  PRIMARY KEY (hour, execution_type, service_name, bucket)
) WITHOUT ROWID;

INSERT INTO tb_job_rollup_hour (hour, execution_type, service_name, completed, failed, retried)
SELECT minute / 3600 * 3600, execution_type, service_name, sum(completed), sum(failed), sum(retried)
FROM tb_job_rollup WHERE minute < coalesce((SELECT through FROM tb_rollup_hour_mark WHERE id = 1), 0)
GROUP BY 1, 2, 3 HAVING sum(completed) + sum(failed) + sum(retried) > 0;

INSERT INTO tb_job_latency_hour (hour, execution_type, service_name, bucket, n)
SELECT minute / 3600 * 3600, execution_type, service_name, bucket, sum(n)
FROM tb_job_latency WHERE minute < coalesce((SELECT through FROM tb_rollup_hour_mark WHERE id = 1), 0)
GROUP BY 1, 2, 3, 4;
