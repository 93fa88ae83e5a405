-- The dead-letter groups filtered by a phrase read every open dead letter that contains it. Through the
-- trigram index of all error text each match is a heap page of its own among a history of failed attempts;
-- this index holds only the open dead letters, so a common phrase reads thousands of rows, not tens of
-- thousands. It indexes lower(error_message), which only the groups search states: the dead-letter list
-- searches error_message itself and keeps walking its newest-first index, which stops at one page.
-- Built from the open dead letters alone, so it takes a moment even on a long history.
DO $$
DECLARE
  v_schema text;
BEGIN
  SELECT n.nspname INTO v_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
  IF v_schema IS NOT NULL THEN
    EXECUTE format(
      'CREATE INDEX idx_tb_job_run_open_dead_letter_text ON jobs.tb_job_run USING gin (lower(error_message) %I.gin_trgm_ops)
         WHERE status = ''failed'' AND resolved_at IS NULL',
      v_schema);
  END IF;
END
$$;
