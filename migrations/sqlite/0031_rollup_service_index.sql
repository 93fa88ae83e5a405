-- Performance of one service (`metrics.byType` with a service: `opsdeck performance --service`, the
-- Performance page's service selector) sums that service's per-minute rollups through these, so a month of
-- one service reads its own rows rather than every service's. The summed hours stay per type (0021), so the
-- month by type reads what it read before. Write cost: a new minute row of a queue, service and type adds one
-- entry to each; a settle that adds to a row already there changes no indexed column. PostgreSQL 0045.
CREATE INDEX idx_tb_job_rollup_service ON tb_job_rollup (service_name, minute);
CREATE INDEX idx_tb_job_latency_service ON tb_job_latency (service_name, minute);
