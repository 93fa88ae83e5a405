-- The dead-letter groups filtered by a phrase read every open dead letter that contains it. Through the
-- trigram index of all error text, each match is a heap page of its own among every job that ever failed
-- an attempt; at a million jobs that was 200 ms. The index below holds the open dead letters only.
--
-- Its predicate cannot name status: a column an index refers to (its predicate included) makes every
-- update that changes it a non-HOT update, and status changes on every claim and settle. A column
-- generated from status can: the HOT check compares values, and is_dead_letter stays false through every
-- claim and every settle but a failure, which writes index entries anyway. Generated, it cannot disagree
-- with status on any path. Adding it rewrites the table once (a few seconds at a million jobs).
-- The index is on lower(error_message), which only the groups search states: the dead-letter list
-- searches error_message itself and keeps walking its newest-first index, which stops at one page.
ALTER TABLE jobs.tb_job_run ADD COLUMN is_dead_letter boolean GENERATED ALWAYS AS (status = 'failed') STORED;

DO $$
DECLARE
  v_schema text;
BEGIN
  SELECT n.nspname INTO v_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
  IF v_schema IS NOT NULL THEN
    EXECUTE format(
      'CREATE INDEX idx_tb_job_run_open_dead_letter_text ON jobs.tb_job_run USING gin (lower(error_message) %I.gin_trgm_ops)
         WHERE is_dead_letter AND resolved_at IS NULL',
      v_schema);
  END IF;
END
$$;
