-- Settlements arrive as one jsonb array of arrays, each field at its place, instead of an array of
-- objects read by json_to_recordset, which builds a hash table of fields per object: on the bench that
-- cost the server 12 µs per settlement, positional fields in jsonb 4. The places, most used first so a
-- plain completion is six elements long (a missing element, like a JSON null, is NULL):
--   0 job_id, 1 attempt_id, 2 worker_id, 3 kind, 4 outcome, 5 resource_usage, 6 output_tail,
--   7 security_context, 8 error_message, 9 error_class, 10 fingerprint, 11 run_at.
-- The rest of the settle is 0005's.

DROP FUNCTION jobs.opsdeck_settle(json);

CREATE FUNCTION jobs.opsdeck_settle(p_settlements jsonb)
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
DECLARE
  v_ids bigint[];
BEGIN
PERFORM set_config('synchronous_commit', 'off', true);
WITH s AS (
  SELECT (e->>0)::bigint AS job_id, (e->>1)::bigint AS attempt_id, e->>2 AS worker_id, e->>3 AS kind,
    e->>4 AS outcome, nullif(e->5, 'null') AS resource_usage, e->>6 AS output_tail,
    nullif(e->7, 'null') AS security_context, e->>8 AS error_message, e->>9 AS error_class,
    e->>10 AS fingerprint, (e->>11)::timestamptz AS run_at
  FROM jsonb_array_elements(p_settlements) AS e
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
    resource_usage = coalesce(s.resource_usage, j.resource_usage),
    security_context = coalesce(s.security_context, j.security_context),
    resolved_at = NULL,
    resolution = NULL
  FROM s
  WHERE j.id = s.job_id AND j.attempt_id = s.attempt_id AND j.lease_owner = s.worker_id
  RETURNING j.id, j.status, j.queue, j.service_name, j.priority, j.run_at, j.attempts AS attempt, j.started_at,
    s.attempt_id, s.worker_id, s.outcome, s.error_message, s.error_class, s.output_tail, s.resource_usage
),
recorded AS (
  INSERT INTO jobs.tb_job_attempt (id, job_id, attempt, worker_id, started_at, finished_at, outcome, error_message,
    error_class, output_tail, resource_usage)
  SELECT attempt_id, id,
    -- An interrupted attempt is given back, so the job row counts one less than the attempt was.
    CASE WHEN outcome = 'interrupted' THEN attempt + 1 ELSE attempt END,
    worker_id, coalesce(started_at, now()), now(), outcome, error_message, error_class, output_tail, resource_usage
  FROM settled
),
requeued AS (
  INSERT INTO jobs.tb_job_ready (job_id, queue, service_name, priority, run_at)
  SELECT id, queue, service_name, priority, run_at FROM settled WHERE status = 'pending'
)
SELECT array_agg(settled.id) INTO v_ids FROM settled;
IF v_ids IS NULL THEN
  RETURN;
END IF;
DELETE FROM jobs.tb_job_running r WHERE r.job_id = ANY(v_ids);
RETURN QUERY SELECT unnest(v_ids);
END
$fn$;
