-- A claim of no jobs (limit 0) takes nothing and writes nothing, but runs through the claim's statements, so
-- a connection plans them before a job needs them (electron/store/postgres/warmUp.ts). PostgreSQL plans a
-- function's statement the first time a connection runs it; a claim that finds nothing stops before its
-- writes, so an idle worker's claims never planned them, and the first job into an idle worker paid for the
-- planning of the claim's update, lease and counts (3 to 6 ms of the server's CPU, far more on a loaded
-- machine). The settings are the function's as before: CREATE OR REPLACE sets them anew.
CREATE OR REPLACE FUNCTION jobs.opsdeck_claim(p_worker text, p_limit integer, p_lease_ms double precision, p_queues text[], p_excluded text[], p_cap_services text[], p_cap_values integer[])
 RETURNS text
 LANGUAGE plpgsql
 SET enable_bitmapscan TO 'off'
 SET enable_seqscan TO 'off'
 SET enable_hashjoin TO 'off'
 SET enable_mergejoin TO 'off'
 SET jit TO 'off'
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
DECLARE
  v_rows tid[];
  v_ids bigint[];
  v_claimed text;
  -- One lease for the whole batch: now() is the transaction's time, the same for every row.
  v_expires timestamptz := now() + p_lease_ms * interval '1 millisecond';
BEGIN
PERFORM set_config('synchronous_commit', 'off', true);
IF NOT EXISTS (SELECT 1 FROM jobs.tb_control WHERE NOT emergency_stop AND NOT safe_mode) THEN
  RETURN '{"jobs": []}';
END IF;
IF p_queues IS NULL AND coalesce(cardinality(p_excluded), 0) = 0 AND coalesce(cardinality(p_cap_services), 0) = 0
   AND NOT EXISTS (SELECT 1 FROM jobs.tb_paused_queue p WHERE EXISTS (SELECT 1 FROM jobs.tb_job_ready r WHERE r.queue = p.queue)) THEN
  -- Nothing to leave out (the common case): a walk of the dispatch order, nothing to merge.
  SELECT array_agg(row_id), array_agg(job_id) INTO v_rows, v_ids FROM jobs.opsdeck_ready_walk(p_limit, NULL, '{}', NULL);
ELSE
  -- Some jobs are not this claim's to take: by queue and service, never walking past the ones left out.
  SELECT array_agg(row_id), array_agg(job_id) INTO v_rows, v_ids
  FROM jobs.opsdeck_ready_pick(p_limit, p_queues, coalesce(p_excluded, '{}'), NULL, p_cap_services, p_cap_values);
END IF;
-- A claim of no jobs goes on over no rows: it plans the statements below and writes nothing (migration 0052).
IF v_ids IS NULL AND p_limit > 0 THEN
  RETURN '{"jobs": []}';
END IF;
-- The locked rows cannot move before this transaction ends, so their row ids still name them.
DELETE FROM jobs.tb_job_ready WHERE ctid = ANY(v_rows);
WITH claimed AS (
  UPDATE jobs.tb_job_run j SET
    status = 'running',
    attempts = j.attempts + 1,
    lease_owner = p_worker,
    lease_expires_at = v_expires,
    attempt_id = nextval('jobs.tb_job_attempt_id_seq'),
    started_at = now(),
    updated_at = now(),
    cancel_requested = false,
    resource_usage = NULL
  WHERE j.id = ANY(v_ids) AND j.status = 'pending'
  RETURNING j.id, j.identifier, j.queue, j.service_name, j.execution_type, j.payload, j.priority, j.attempts,
    j.max_attempts, j.attempt_id, j.run_at, j.interruptions
),
leased AS (
  -- HAVING: a claim whose every picked job changed state meanwhile leases nothing and writes no row.
  INSERT INTO jobs.tb_job_lease (worker_id, job_ids) SELECT p_worker, array_agg(id) FROM claimed HAVING count(*) > 0 RETURNING id
),
counted AS (
  INSERT INTO jobs.tb_job_count AS c (queue, service_name, execution_type, state, fingerprint, stripe, n)
  SELECT q.queue, q.service_name, q.execution_type, s.state, '', (pg_backend_pid() % 64)::smallint, s.sign * q.n
  FROM (SELECT queue, service_name, execution_type, count(*) AS n FROM claimed GROUP BY queue, service_name, execution_type) q
  CROSS JOIN (VALUES ('pending', -1), ('running', 1)) AS s(state, sign)
  ON CONFLICT (queue, service_name, execution_type, state, fingerprint, stripe) DO UPDATE SET n = c.n + excluded.n
)
SELECT json_build_object(
    'lease_id', (SELECT id FROM leased),
    'lease_expires_at', to_char(v_expires AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'jobs', coalesce(json_agg(json_build_array(c.id, c.identifier, c.queue, c.service_name, c.execution_type,
      c.payload, c.priority, c.attempts, c.max_attempts, c.attempt_id)), '[]'),
    'interruptions', json_object_agg(c.id, c.interruptions) FILTER (WHERE c.interruptions > 0))::text
INTO v_claimed
FROM (
  SELECT id, identifier, queue, service_name, execution_type, payload, priority, attempts, max_attempts, attempt_id,
    interruptions
  FROM claimed ORDER BY priority DESC, run_at, id
) c;
RETURN v_claimed;
END
$function$;
