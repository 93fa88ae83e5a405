-- The runbook's index by execution type holds finished jobs only. Enqueue then writes a job row, its
-- identifier and its place in the claim order, and nothing a pending job does not need; the index still
-- serves what reads it: durations of finished jobs per type (v_execution_performance_by_type's `done`),
-- which name `completed_at IS NOT NULL` and so may use it. The runbook rebuilds it by this name.
DROP INDEX idx_tb_job_run_execution_type;
CREATE INDEX idx_tb_job_run_execution_type ON tb_job_run (execution_type) WHERE completed_at IS NOT NULL;
