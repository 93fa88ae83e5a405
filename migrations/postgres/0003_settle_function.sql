-- Settling a batch, as a function for the same reason as the claim: with statistics that lag the
-- queue, the planner joins a large batch against every running row (bitmap scans cannot mark dead
-- index entries, so that set only grows until vacuum). Here each settlement is one primary-key
-- lookup, fenced on status, lease owner and attempt.
CREATE FUNCTION jobs.opsdeck_settle(
  p_job_ids bigint[],
  p_attempt_ids bigint[],
  p_workers text[],
  p_kinds text[],
  p_outcomes text[],
  p_messages text[],
  p_classes text[],
  p_fingerprints text[],
  p_run_ats timestamptz[],
  p_tails text[],
  p_usages text[],
  p_contexts text[]
)
RETURNS TABLE (id bigint)
LANGUAGE plpgsql
VOLATILE
SET enable_bitmapscan = off
SET enable_seqscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off
SET jit = off
AS $fn$
#variable_conflict use_column
BEGIN
RETURN QUERY
WITH s AS (
  SELECT * FROM unnest(p_job_ids, p_attempt_ids, p_workers, p_kinds, p_outcomes, p_messages, p_classes,
    p_fingerprints, p_run_ats, p_tails, p_usages, p_contexts)
    AS s(job_id, attempt_id, worker_id, kind, outcome, error_message, error_class, fingerprint, run_at, output_tail,
      resource_usage, security_context)
),
settled AS (
  UPDATE jobs.tb_job_run j SET
    status = CASE s.kind WHEN 'retry' THEN 'pending' WHEN 'interrupted' THEN 'pending' ELSE s.kind END,
    attempts = CASE WHEN s.kind = 'interrupted' THEN greatest(j.attempts - 1, 0) ELSE j.attempts END,
    run_at = CASE s.kind WHEN 'retry' THEN coalesce(s.run_at, now()) WHEN 'interrupted' THEN now() ELSE j.run_at END,
    lease_owner = NULL,
    lease_expires_at = NULL,
    attempt_id = NULL,
    completed_at = CASE WHEN s.kind IN ('completed', 'failed', 'cancelled') THEN now() END,
    updated_at = now(),
    error_message = CASE WHEN s.kind IN ('retry', 'failed') THEN s.error_message ELSE j.error_message END,
    error_fingerprint = CASE WHEN s.kind IN ('retry', 'failed') THEN s.fingerprint ELSE j.error_fingerprint END,
    resource_usage = coalesce(s.resource_usage::jsonb, j.resource_usage),
    security_context = coalesce(s.security_context::jsonb, j.security_context),
    resolved_at = NULL,
    resolution = NULL
  FROM s
  WHERE j.id = s.job_id AND j.status = 'running' AND j.lease_owner = s.worker_id AND j.attempt_id = s.attempt_id
  RETURNING j.id, s.attempt_id, s.outcome, s.error_message, s.error_class, s.output_tail, s.resource_usage
),
finished AS (
  UPDATE jobs.tb_job_attempt a SET
    finished_at = now(),
    outcome = settled.outcome,
    error_message = settled.error_message,
    error_class = settled.error_class,
    output_tail = settled.output_tail,
    resource_usage = settled.resource_usage::jsonb
  FROM settled
  WHERE a.id = settled.attempt_id
)
SELECT id FROM settled;
END
$fn$;
