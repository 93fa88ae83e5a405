-- The Jobs page's time range (created from/to) answered through an index: without one, a range that
-- matches nothing, or one in the past, read every job newer than it, newest first (170 ms at a million
-- jobs; 1 s for everything before 20 days ago). A listing with a range goes newest created first,
-- (created_at, id) descending, walking this index backwards from the page cursor's position (reads.ts,
-- createdPages.ts); the id makes the order total, so pages neither skip nor repeat jobs created in the
-- same microsecond. Creation times only grow at the index's right edge, so an enqueue pays one append.
-- SQLite 0029 (whose index ends in the rowid, the id, by itself).
CREATE INDEX idx_tb_job_run_created_at ON jobs.tb_job_run (created_at, id);
