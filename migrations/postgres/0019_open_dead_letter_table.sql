-- Migration 0018's generated column cost every claim and every settle about a tenth of the server's time:
-- PostgreSQL forms the whole job row once more to compute a stored generated column, on every update.
-- The open dead letters' error text moves to a table of its own, kept by triggers that act only when a
-- job becomes or stops being an open dead letter: a healthy settle evaluates their WHEN and nothing more,
-- and a claim skips them. Being triggers, no statement has to remember them; the one condition (see the
-- update trigger) is that a statement making or ending an open dead letter writes resolved_at, and
-- electron/store/postgres/hotPath.test.ts holds every such path of the store to it.
-- With the fingerprint and service beside the text, the dead-letter list's search finds its page of ids in
-- this small table and then reads only those jobs, where matching on the job table read a page of it for
-- every candidate.
CREATE TABLE jobs.tb_open_dead_letter (
  job_id bigint PRIMARY KEY,
  -- lower(error_message): what searches compare, and lowering it once here spares every search doing it
  -- for each row it reads.
  error_lower text NOT NULL,
  error_fingerprint text NOT NULL,
  service_name text NOT NULL
);

CREATE FUNCTION jobs.opsdeck_track_open_dead_letter() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM jobs.tb_open_dead_letter WHERE job_id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.status = 'failed' AND NEW.resolved_at IS NULL THEN
    INSERT INTO jobs.tb_open_dead_letter (job_id, error_lower, error_fingerprint, service_name)
    VALUES (NEW.id, lower(coalesce(NEW.error_message, '')), coalesce(NEW.error_fingerprint, ''), NEW.service_name);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER tr_open_dead_letter_insert AFTER INSERT ON jobs.tb_job_run FOR EACH ROW
  WHEN (NEW.status = 'failed' AND NEW.resolved_at IS NULL)
  EXECUTE FUNCTION jobs.opsdeck_track_open_dead_letter();
-- Not UPDATE OF status: every statement that makes a job an open dead letter or ends one writes resolved_at
-- (settles, reclaims, failing, retrying, resolving), and a claim, which writes none of these columns, then
-- skips the trigger altogether, where merely weighing its WHEN took a sixth of the claim's update.
CREATE TRIGGER tr_open_dead_letter_update AFTER UPDATE OF resolved_at, error_message, error_fingerprint, service_name ON jobs.tb_job_run FOR EACH ROW
  WHEN ((OLD.status = 'failed' AND OLD.resolved_at IS NULL) OR (NEW.status = 'failed' AND NEW.resolved_at IS NULL))
  EXECUTE FUNCTION jobs.opsdeck_track_open_dead_letter();
CREATE TRIGGER tr_open_dead_letter_delete AFTER DELETE ON jobs.tb_job_run FOR EACH ROW
  WHEN (OLD.status = 'failed' AND OLD.resolved_at IS NULL)
  EXECUTE FUNCTION jobs.opsdeck_track_open_dead_letter();

INSERT INTO jobs.tb_open_dead_letter (job_id, error_lower, error_fingerprint, service_name)
SELECT id, lower(coalesce(error_message, '')), coalesce(error_fingerprint, ''), service_name FROM jobs.tb_job_run
WHERE status = 'failed' AND resolved_at IS NULL;

DROP INDEX IF EXISTS jobs.idx_tb_job_run_open_dead_letter_text;
-- Dropping a column only marks it dropped; the table is not rewritten.
ALTER TABLE jobs.tb_job_run DROP COLUMN is_dead_letter;

DO $$
DECLARE
  v_schema text;
BEGIN
  SELECT n.nspname INTO v_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
  IF v_schema IS NOT NULL THEN
    EXECUTE format(
      'CREATE INDEX idx_tb_open_dead_letter_text ON jobs.tb_open_dead_letter USING gin (error_lower %I.gin_trgm_ops)',
      v_schema);
  END IF;
END
$$;

-- A claim's lease row holds its job ids, 4 kB for 500. Above about 2 kB PostgreSQL compresses a row before
-- storing it, which was 2% of the server's time on the hot path; rows this size fit a page as they are.
ALTER TABLE jobs.tb_job_lease SET (toast_tuple_target = 8160);
