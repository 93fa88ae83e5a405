-- A dead-letter group's first and last seen were the failure times of its lowest and highest job id. A dead
-- letter retried that failed again is the group's newest failure under an old id, so "last seen", what
-- tells an operator whether an error still happens, stayed where it was. The open dead letters' table
-- (migration 0019) now keeps each one's failure time, written by the trigger when the job fails, and the
-- groups read their earliest and latest failure from its index. The job table gets no index on it: one on
-- completed_at would cost every settle its HOT update.
ALTER TABLE jobs.tb_open_dead_letter ADD COLUMN failed_at timestamptz;
UPDATE jobs.tb_open_dead_letter d SET failed_at = coalesce(j.completed_at, j.updated_at) FROM jobs.tb_job_run j WHERE j.id = d.job_id;
UPDATE jobs.tb_open_dead_letter SET failed_at = now() WHERE failed_at IS NULL;
ALTER TABLE jobs.tb_open_dead_letter ALTER COLUMN failed_at SET NOT NULL;

CREATE OR REPLACE FUNCTION jobs.opsdeck_track_open_dead_letter() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM jobs.tb_open_dead_letter WHERE job_id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.status = 'failed' AND NEW.resolved_at IS NULL THEN
    INSERT INTO jobs.tb_open_dead_letter (job_id, error_lower, error_fingerprint, service_name, failed_at)
    VALUES (NEW.id, lower(coalesce(NEW.error_message, '')), coalesce(NEW.error_fingerprint, ''), NEW.service_name,
      coalesce(NEW.completed_at, NEW.updated_at, now()));
  END IF;
  RETURN NULL;
END
$$;

CREATE INDEX idx_tb_open_dead_letter_seen ON jobs.tb_open_dead_letter (error_fingerprint, failed_at);
