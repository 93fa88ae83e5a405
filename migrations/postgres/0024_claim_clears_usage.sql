-- A job's resource usage told of an earlier attempt (one interrupted, or whose lease ran out) until a
-- later one reported its own: a job failed by an operator, or still running, showed the earlier attempt's
-- duration and signal as its own. Both claims now clear it; each attempt keeps its own in tb_job_attempt.
CREATE OR REPLACE FUNCTION jobs.opsdeck_claim(p_worker text, p_limit integer, p_lease_ms double precision, p_queues text[], p_excluded text[], p_cap_services text[], p_cap_values integer[])
 RETURNS text
 LANGUAGE plpgsql
 SET enable_bitmapscan TO 'off'
 SET enable_seqscan TO 'off'
 SET enable_hashjoin TO 'off'
 SET enable_mergejoin TO 'off'
 SET jit TO 'off'
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
IF coalesce(cardinality(p_cap_services), 0) = 0 THEN
  -- No per-service caps (the common case): one LIMITed walk of the index, nothing to merge.
  SELECT array_agg(row_id), array_agg(job_id) INTO v_rows, v_ids FROM (
    SELECT r.ctid AS row_id, r.job_id FROM jobs.tb_job_ready r
    WHERE r.run_at <= now()
      AND (p_queues IS NULL OR r.queue = ANY(p_queues))
      AND r.service_name <> ALL(p_excluded)
      AND NOT EXISTS (SELECT 1 FROM jobs.tb_paused_queue p WHERE p.queue = r.queue)
    ORDER BY r.priority DESC, r.run_at, r.job_id
    LIMIT p_limit
    FOR UPDATE OF r SKIP LOCKED
  ) picked;
ELSE
  -- Capped services by their own LIMITed branch each, so a cap never hides other services' jobs.
  WITH caps AS (
    SELECT c.service_name, greatest(c.cap, 0) AS cap FROM unnest(p_cap_services, p_cap_values) AS c(service_name, cap)
  ),
  uncapped AS (
    SELECT r.ctid AS row_id, r.job_id, r.priority, r.run_at FROM jobs.tb_job_ready r
    WHERE r.run_at <= now()
      AND (p_queues IS NULL OR r.queue = ANY(p_queues))
      AND r.service_name <> ALL(p_excluded)
      AND r.service_name <> ALL(p_cap_services)
      AND NOT EXISTS (SELECT 1 FROM jobs.tb_paused_queue p WHERE p.queue = r.queue)
    ORDER BY r.priority DESC, r.run_at, r.job_id
    LIMIT p_limit
    FOR UPDATE OF r SKIP LOCKED
  ),
  capped AS (
    SELECT l.row_id, l.job_id, l.priority, l.run_at FROM caps CROSS JOIN LATERAL (
      SELECT r.ctid AS row_id, r.job_id, r.priority, r.run_at FROM jobs.tb_job_ready r
      WHERE r.run_at <= now()
        AND (p_queues IS NULL OR r.queue = ANY(p_queues))
        AND r.service_name <> ALL(p_excluded)
        AND r.service_name = caps.service_name
        AND NOT EXISTS (SELECT 1 FROM jobs.tb_paused_queue p WHERE p.queue = r.queue)
      ORDER BY r.priority DESC, r.run_at, r.job_id
      LIMIT least(caps.cap, p_limit)
      FOR UPDATE OF r SKIP LOCKED
    ) l
  )
  SELECT array_agg(row_id), array_agg(job_id) INTO v_rows, v_ids FROM (
    SELECT row_id, job_id FROM (SELECT * FROM uncapped UNION ALL SELECT * FROM capped) u
    ORDER BY priority DESC, run_at, job_id
    LIMIT p_limit
  ) picked;
  -- Rows a branch locked but the merge left out stay locked until commit, untouched: they are still
  -- ready for the next claim.
END IF;
IF v_ids IS NULL THEN
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
    j.max_attempts, j.attempt_id, j.run_at
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
      c.payload, c.priority, c.attempts, c.max_attempts, c.attempt_id)), '[]'))::text
INTO v_claimed
FROM (
  SELECT id, identifier, queue, service_name, execution_type, payload, priority, attempts, max_attempts, attempt_id
  FROM claimed ORDER BY priority DESC, run_at, id
) c;
RETURN v_claimed;
END
$function$;

CREATE OR REPLACE FUNCTION jobs.opsdeck_claim_gated(p_worker text, p_limit integer, p_lease_ms double precision, p_queues text[], p_service text, p_rate integer, p_per_ms double precision, p_max_running integer)
 RETURNS text
 LANGUAGE plpgsql
 SET enable_bitmapscan TO 'off'
 SET enable_seqscan TO 'off'
 SET enable_hashjoin TO 'off'
 SET enable_mergejoin TO 'off'
 SET jit TO 'off'
AS $function$
DECLARE
  v_room integer := p_limit;
  v_used integer;
  v_running integer;
  v_rows tid[];
  v_ids bigint[];
  v_claimed text;
  v_expires timestamptz := now() + p_lease_ms * interval '1 millisecond';
BEGIN
PERFORM set_config('synchronous_commit', 'off', true);
IF NOT EXISTS (SELECT 1 FROM jobs.tb_control WHERE NOT emergency_stop AND NOT safe_mode) THEN
  RETURN '{"jobs": []}';
END IF;
IF NOT pg_try_advisory_xact_lock(hashtext('opsdeck.gate'), hashtext(p_service)) THEN
  RETURN '{"jobs": []}';
END IF;
IF EXISTS (SELECT 1 FROM jobs.tb_service_pause WHERE service_name = p_service AND until > now()) THEN
  RETURN '{"jobs": []}';
END IF;
IF p_rate IS NOT NULL THEN
  SELECT coalesce(sum(n), 0) INTO v_used FROM jobs.tb_rate_start
  WHERE service_name = p_service AND at > now() - p_per_ms * interval '1 millisecond';
  v_room := least(v_room, p_rate - v_used);
END IF;
IF p_max_running IS NOT NULL THEN
  SELECT coalesce(sum(n), 0) INTO v_running FROM jobs.tb_job_count WHERE service_name = p_service AND state = 'running';
  v_room := least(v_room, p_max_running - v_running);
END IF;
IF v_room <= 0 THEN
  RETURN '{"jobs": []}';
END IF;
-- No pending job of the service at all (the kept counts say so): no walk of the ready index for it.
IF (SELECT coalesce(sum(n), 0) FROM jobs.tb_job_count WHERE service_name = p_service AND state = 'pending') <= 0 THEN
  RETURN '{"jobs": []}';
END IF;
SELECT array_agg(row_id), array_agg(job_id) INTO v_rows, v_ids FROM (
  SELECT r.ctid AS row_id, r.job_id FROM jobs.tb_job_ready r
  WHERE r.run_at <= now()
    AND r.service_name = p_service
    AND (p_queues IS NULL OR r.queue = ANY(p_queues))
    AND NOT EXISTS (SELECT 1 FROM jobs.tb_paused_queue p WHERE p.queue = r.queue)
  ORDER BY r.priority DESC, r.run_at, r.job_id
  LIMIT v_room
  FOR UPDATE OF r SKIP LOCKED
) picked;
IF v_ids IS NULL THEN
  -- Budget left and pending jobs, but none due (or all held by others): the caller may rest this service a moment.
  RETURN '{"jobs": [], "none_due": true}';
END IF;
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
    j.max_attempts, j.attempt_id, j.run_at
),
leased AS (
  INSERT INTO jobs.tb_job_lease (worker_id, job_ids) SELECT p_worker, array_agg(id) FROM claimed HAVING count(*) > 0 RETURNING id
),
counted AS (
  INSERT INTO jobs.tb_job_count AS c (queue, service_name, execution_type, state, fingerprint, stripe, n)
  SELECT q.queue, q.service_name, q.execution_type, s.state, '', (pg_backend_pid() % 64)::smallint, s.sign * q.n
  FROM (SELECT queue, service_name, execution_type, count(*) AS n FROM claimed GROUP BY queue, service_name, execution_type) q
  CROSS JOIN (VALUES ('pending', -1), ('running', 1)) AS s(state, sign)
  ON CONFLICT (queue, service_name, execution_type, state, fingerprint, stripe) DO UPDATE SET n = c.n + excluded.n
),
started AS (
  INSERT INTO jobs.tb_rate_start (service_name, at, n)
  SELECT p_service, now(), count(*) FROM claimed WHERE p_rate IS NOT NULL HAVING count(*) > 0
)
SELECT json_build_object(
    'lease_id', (SELECT id FROM leased),
    'lease_expires_at', to_char(v_expires AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'jobs', coalesce(json_agg(json_build_array(c.id, c.identifier, c.queue, c.service_name, c.execution_type,
      c.payload, c.priority, c.attempts, c.max_attempts, c.attempt_id)), '[]'))::text
INTO v_claimed
FROM (
  SELECT id, identifier, queue, service_name, execution_type, payload, priority, attempts, max_attempts, attempt_id
  FROM claimed ORDER BY priority DESC, run_at, id
) c;
-- Starts older than the period (and a minute's grace for slow claimers) are no longer counted.
IF p_rate IS NOT NULL THEN
  DELETE FROM jobs.tb_rate_start WHERE service_name = p_service
    AND at < now() - p_per_ms * interval '1 millisecond' - interval '1 minute';
END IF;
RETURN v_claimed;
END
$function$;
