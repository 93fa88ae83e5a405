-- Error text search through a trigram index, so a search finds its jobs without reading the others and a
-- search that matches nothing is as quick as one that does (without it, both read every job). pg_trgm ships
-- with PostgreSQL's contrib modules; where it cannot be installed (no contrib package, or a role without
-- the right), the store still works and searches by reading the jobs, and the migration says so.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'pg_trgm is not available (%): error text search will read the jobs instead of an index', SQLERRM;
END
$$;

-- Indexing error_message keeps settles that leave it as it was (every completion) HOT: only the failures,
-- which write a new message and were never HOT (they enter the dead-letter index), pay for the entry.
DO $$
DECLARE
  v_schema text;
BEGIN
  SELECT n.nspname INTO v_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
  IF v_schema IS NOT NULL THEN
    EXECUTE format(
      'CREATE INDEX idx_tb_job_run_error_text ON jobs.tb_job_run USING gin (error_message %I.gin_trgm_ops) WHERE error_message IS NOT NULL',
      v_schema);
  END IF;
END
$$;

-- Every job that ever failed an attempt, newest first: the dead letters, the failed jobs and the jobs whose
-- error text is searched are found among these instead of among all jobs. Its columns are those of the
-- dead-letter index, which only a failure changes, so claims and settles stay HOT.
CREATE INDEX idx_tb_job_run_errored ON jobs.tb_job_run (id) WHERE error_fingerprint IS NOT NULL;
