-- The Jobs page's time range (created from/to) answered through an index: without one, a range that
-- matches nothing, or one in the past, read every job newer than it, newest first (170 ms at a million
-- jobs). The planner reads through it when its statistics say the range holds few jobs, and walks the
-- primary key newest first when it holds many. Creation times only grow at the index's right edge, so an
-- enqueue pays one append. SQLite 0029.
CREATE INDEX idx_tb_job_run_created_at ON jobs.tb_job_run (created_at);
