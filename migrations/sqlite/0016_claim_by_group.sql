-- A claim that may not take every pending job (a service whose breaker is open or at its cap, a paused
-- queue, a worker serving some queues) walked the dispatch order from its head and stepped over every job
-- it could not take, under the write lock: 265 ms a claim behind a million jobs of a service with an open
-- breaker. Once such a claim has stepped over more than it may take, it now reads the head of each
-- (queue, service) group it may take from this index instead (electron/store/sqlite/claimPick.ts).
CREATE INDEX idx_tb_job_run_claim_group ON tb_job_run (queue, service_name, priority DESC, run_at, id) WHERE status = 'pending';
