-- A dead-letter group's first and last seen were the failure times of its lowest and highest job id. A dead
-- letter retried that failed again is the group's newest failure under an old id, so "last seen", what
-- tells an operator whether an error still happens, stayed where it was. They are now the earliest and
-- latest failure times, each one seek of this index per group.
CREATE INDEX idx_tb_job_run_dlq_failed_at ON tb_job_run (error_fingerprint, completed_at) WHERE status = 'failed' AND resolved_at IS NULL;
