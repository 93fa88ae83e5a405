-- The Jobs page's time range (created from/to) answered through an index: without one, a range that
-- matches nothing, or one in the past, read every job newer than it, newest first (150 ms at a million
-- jobs). A ranged listing walks this index newest created first (createdPages.ts). Creation
-- times only grow at the index's right edge, so an enqueue pays one append. PostgreSQL 0043.
CREATE INDEX idx_tb_job_run_created_at ON tb_job_run (created_at);
