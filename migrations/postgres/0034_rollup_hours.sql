-- The per-minute rollups summed per whole hour (UTC) and execution type, every stripe together, so
-- `metrics.byType` over a month adds up some 720 rows a type rather than a row per minute, queue, service
-- and stripe. The workers' upkeep writes them for the hours before `tb_rollup_hour_mark.through` (no
-- row before the first round), one process at a time (the mark's row is locked); a read takes the minutes on
-- either side of the summed hours. The minute rows stay: the Overview, the alerts and a window's first
-- and last hour read them. Pruned with the history. Nothing on the settle's path writes here.
CREATE TABLE jobs.tb_job_rollup_hour (
  hour timestamptz NOT NULL,
  execution_type text NOT NULL,
  completed bigint NOT NULL,
  failed bigint NOT NULL,
  retried bigint NOT NULL,
  PRIMARY KEY (hour, execution_type)
);

-- Completed jobs per hour, type and duration bucket (shared/latencyBuckets.ts), from tb_job_latency.
CREATE TABLE jobs.tb_job_latency_hour (
  hour timestamptz NOT NULL,
  execution_type text NOT NULL,
  bucket smallint NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (hour, execution_type, bucket)
);

-- Its one row is written by the first round, `through` null until that round commits.
CREATE TABLE jobs.tb_rollup_hour_mark (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  through timestamptz
);
