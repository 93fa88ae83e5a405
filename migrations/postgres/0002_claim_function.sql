-- The claim, as a function so that its planner settings travel with it. A queue's pending set changes
-- faster than statistics follow: with stale statistics the planner believes the head of the queue is a
-- few rows and sorts the whole pending set by bitmap scan, which costs O(pending) per claim. Here the
-- claim always walks idx_tb_job_run_claim in dispatch order and stops at its LIMIT. PL/pgSQL keeps
-- the plan for the session, so a worker's claims are planned once, not on every call.
CREATE FUNCTION jobs.opsdeck_claim(
  p_worker text,
  p_limit integer,
  p_lease_ms double precision,
  p_queues text[],
  p_excluded text[],
  p_cap_services text[],
  p_cap_values integer[]
)
RETURNS TABLE (
  id bigint,
  identifier text,
  queue text,
  service_name text,
  execution_type text,
  payload jsonb,
  priority integer,
  attempts integer,
  max_attempts integer,
  attempt_id bigint,
  lease_expires_at timestamptz
)
LANGUAGE plpgsql
VOLATILE
SET enable_bitmapscan = off
SET enable_seqscan = off
SET jit = off
AS $fn$
#variable_conflict use_column
BEGIN
IF coalesce(cardinality(p_cap_services), 0) = 0 THEN
  -- No per-service caps (the common case): one LIMITed walk of the index, nothing to merge.
  RETURN QUERY
WITH open_gate AS (
  SELECT 1 FROM jobs.tb_control WHERE NOT emergency_stop AND NOT safe_mode
),
picked AS (
  SELECT j.id, j.priority, j.run_at FROM jobs.tb_job_run j
  WHERE j.status = 'pending' AND j.run_at <= now()
    AND EXISTS (SELECT 1 FROM open_gate)
    AND (p_queues IS NULL OR j.queue = ANY(p_queues))
    AND j.service_name <> ALL(p_excluded)
    AND NOT EXISTS (SELECT 1 FROM jobs.tb_paused_queue p WHERE p.queue = j.queue)
  ORDER BY j.priority DESC, j.run_at, j.id
  LIMIT p_limit
  FOR UPDATE OF j SKIP LOCKED
),
claimed AS (
  UPDATE jobs.tb_job_run j SET
    status = 'running',
    attempts = j.attempts + 1,
    lease_owner = p_worker,
    lease_expires_at = now() + p_lease_ms * interval '1 millisecond',
    attempt_id = nextval('jobs.tb_job_attempt_id_seq'),
    started_at = now(),
    updated_at = now(),
    cancel_requested = false
  FROM picked
  WHERE j.id = picked.id AND j.status = 'pending'
  RETURNING j.id, j.identifier, j.queue, j.service_name, j.execution_type, j.payload, j.priority, j.attempts,
    j.max_attempts, j.attempt_id, j.lease_expires_at, j.run_at
),
attempt_rows AS (
  INSERT INTO jobs.tb_job_attempt (id, job_id, attempt, worker_id, started_at)
  SELECT attempt_id, id, attempts, p_worker, now() FROM claimed
)
SELECT id, identifier, queue, service_name, execution_type, payload, priority, attempts, max_attempts, attempt_id,
  lease_expires_at
FROM claimed
ORDER BY priority DESC, run_at, id;
ELSE
  RETURN QUERY
WITH caps AS (
  SELECT c.service_name, greatest(c.cap, 0) AS cap FROM unnest(p_cap_services, p_cap_values) AS c(service_name, cap)
),
open_gate AS (
  SELECT 1 FROM jobs.tb_control WHERE NOT emergency_stop AND NOT safe_mode
),
uncapped AS (
  SELECT j.id, j.priority, j.run_at FROM jobs.tb_job_run j
  WHERE j.status = 'pending' AND j.run_at <= now()
    AND EXISTS (SELECT 1 FROM open_gate)
    AND (p_queues IS NULL OR j.queue = ANY(p_queues))
    AND j.service_name <> ALL(p_excluded)
    AND j.service_name <> ALL(p_cap_services)
    AND NOT EXISTS (SELECT 1 FROM jobs.tb_paused_queue p WHERE p.queue = j.queue)
  ORDER BY j.priority DESC, j.run_at, j.id
  LIMIT p_limit
  FOR UPDATE OF j SKIP LOCKED
),
capped AS (
  SELECT l.id, l.priority, l.run_at FROM caps CROSS JOIN LATERAL (
    SELECT j.id, j.priority, j.run_at FROM jobs.tb_job_run j
    WHERE j.status = 'pending' AND j.run_at <= now()
      AND EXISTS (SELECT 1 FROM open_gate)
      AND (p_queues IS NULL OR j.queue = ANY(p_queues))
      AND j.service_name <> ALL(p_excluded)
      AND j.service_name = caps.service_name
      AND NOT EXISTS (SELECT 1 FROM jobs.tb_paused_queue p WHERE p.queue = j.queue)
    ORDER BY j.priority DESC, j.run_at, j.id
    LIMIT least(caps.cap, p_limit)
    FOR UPDATE OF j SKIP LOCKED
  ) l
),
picked AS (
  SELECT id FROM (SELECT * FROM uncapped UNION ALL SELECT * FROM capped) u
  ORDER BY priority DESC, run_at, id
  LIMIT p_limit
),
claimed AS (
  UPDATE jobs.tb_job_run j SET
    status = 'running',
    attempts = j.attempts + 1,
    lease_owner = p_worker,
    lease_expires_at = now() + p_lease_ms * interval '1 millisecond',
    attempt_id = nextval('jobs.tb_job_attempt_id_seq'),
    started_at = now(),
    updated_at = now(),
    cancel_requested = false
  FROM picked
  WHERE j.id = picked.id AND j.status = 'pending'
  RETURNING j.id, j.identifier, j.queue, j.service_name, j.execution_type, j.payload, j.priority, j.attempts,
    j.max_attempts, j.attempt_id, j.lease_expires_at, j.run_at
),
attempt_rows AS (
  INSERT INTO jobs.tb_job_attempt (id, job_id, attempt, worker_id, started_at)
  SELECT attempt_id, id, attempts, p_worker, now() FROM claimed
)
SELECT id, identifier, queue, service_name, execution_type, payload, priority, attempts, max_attempts, attempt_id,
  lease_expires_at
FROM claimed
ORDER BY priority DESC, run_at, id;
END IF;
END
$fn$;
