-- The per-minute rollups summed per whole hour and execution type (hour: unix seconds at its start), so
-- `metrics.byType` over a month adds up some 720 rows a type rather than a row per minute, queue and
-- service. The workers' upkeep writes them for the hours before `tb_rollup_hour_mark.through` (no row
-- before the first round); a read takes the minutes on either side of the summed hours. The minute rows stay:
-- the Overview, the alerts and a window's first and last hour read them. Pruned with the history.
CREATE TABLE tb_job_rollup_hour (
  hour           INTEGER NOT NULL,
  execution_type TEXT    NOT NULL,
  completed      INTEGER NOT NULL,
  failed         INTEGER NOT NULL,
  retried        INTEGER NOT NULL,
  PRIMARY KEY (hour, execution_type)
) WITHOUT ROWID;

-- Completed jobs per hour, type and duration bucket (shared/latencyBuckets.ts), from tb_job_latency.
CREATE TABLE tb_job_latency_hour (
  hour           INTEGER NOT NULL,
  execution_type TEXT    NOT NULL,
  bucket         INTEGER NOT NULL,
  n              INTEGER NOT NULL,
  PRIMARY KEY (hour, execution_type, bucket)
) WITHOUT ROWID;

-- Its one row is written by the first round.
CREATE TABLE tb_rollup_hour_mark (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  through INTEGER NOT NULL
);
