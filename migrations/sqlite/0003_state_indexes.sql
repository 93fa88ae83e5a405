-- Each job in exactly one partial index, the one of its state. Until now enqueue wrote four b-trees per
-- job: the row, its identifier, its place in the claim order, and the status index (status, queue),
-- whose pending entries told nothing the claim index could not; on the bench, leaving them out made a
-- 20 000-job enqueue about a fifth faster. Pending jobs are now in the claim index alone, which also
-- carries the queue so that pending counts per queue read nothing else (the id comes before it, so the
-- index still yields jobs in dispatch order: priority, run_at, id). Every other state has an index of
-- its own, (status, queue) where status is that state: a query naming one state (`status = 'running'`,
-- as the watchdog's and the runbooks' do) finds it by its own condition, which is how SQLite decides it
-- may read a partial index, and the leading status tells its planner the index is a narrow one. A claim
-- moves a job from one index to another instead of editing two.
DROP INDEX idx_tb_job_run_claim;
CREATE INDEX idx_tb_job_run_claim ON tb_job_run (status, priority DESC, run_at, id, queue) WHERE status = 'pending';
DROP INDEX idx_tb_job_run_status;
CREATE INDEX idx_tb_job_run_running ON tb_job_run (status, queue) WHERE status = 'running';
CREATE INDEX idx_tb_job_run_completed ON tb_job_run (status, queue) WHERE status = 'completed';
CREATE INDEX idx_tb_job_run_failed ON tb_job_run (status, queue) WHERE status = 'failed';
CREATE INDEX idx_tb_job_run_cancelled ON tb_job_run (status, queue) WHERE status = 'cancelled';
