-- Dead letters written before migration 0005 may have no fingerprint. The kept counts file them under ''
-- (0005's backfill), but the dead-letter groups match jobs to counts by fingerprint, and NULL matches
-- nothing: such a dead letter counted in the total and showed in no group. PostgreSQL's 0005 did the same.
UPDATE tb_job_run SET error_fingerprint = '' WHERE status = 'failed' AND error_fingerprint IS NULL;
