-- A job its worker stopped because the store did not confirm its lease is interrupted with its attempt given
-- back, and a store that keeps going away (or a job that keeps its worker's lease extensions from being
-- answered in time) would have it run and stop for ever. The job counts those interruptions
-- (`interruptions`), each claim tells the worker the count so far, and past a few of them the worker
-- settles the next one as a failure that spends an attempt (engine/classify.ts). The settle counts a
-- settlement whose fifteenth field, `lease_unconfirmed`, is true; the claims return the counts beside the
-- jobs, by job id and only those above zero (`interruptions`), since a worker of the version before reads each
-- job's array by its exact length. Otherwise as 0040 (the settle), 0028 (the claim) and 0027 (the gated claim).
ALTER TABLE jobs.tb_job_run ADD COLUMN interruptions integer NOT NULL DEFAULT 0;

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

CREATE OR REPLACE FUNCTION jobs.opsdeck_claim_gated(p_worker text, p_limit integer, p_lease_ms double precision, p_queues text[], p_service text, p_rate integer, p_per_ms double precision, p_max_running integer)
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
SELECT array_agg(row_id), array_agg(job_id) INTO v_rows, v_ids
FROM jobs.opsdeck_ready_pick(v_room, p_queues, '{}', p_service, NULL, NULL);
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
    j.max_attempts, j.attempt_id, j.run_at, j.interruptions
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
      c.payload, c.priority, c.attempts, c.max_attempts, c.attempt_id)), '[]'),
    'interruptions', json_object_agg(c.id, c.interruptions) FILTER (WHERE c.interruptions > 0))::text
INTO v_claimed
FROM (
  SELECT id, identifier, queue, service_name, execution_type, payload, priority, attempts, max_attempts, attempt_id,
    interruptions
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

CREATE OR REPLACE FUNCTION jobs.opsdeck_settle(p_settlements jsonb, p_done_leases bigint[])
 RETURNS TABLE(id bigint, readied boolean)
 LANGUAGE plpgsql
 SET enable_bitmapscan TO 'off'
 SET enable_seqscan TO 'off'
 SET enable_hashjoin TO 'off'
 SET enable_mergejoin TO 'off'
 SET jit TO 'off'
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
#variable_conflict use_column
DECLARE
  v_ids bigint[];
  v_runs bigint[];
  v_requeued boolean;
BEGIN
PERFORM set_config('synchronous_commit', 'off', true);
WITH s AS (
  SELECT (e->>0)::bigint AS job_id, (e->>1)::bigint AS attempt_id, e->>2 AS worker_id, e->>3 AS kind,
    e->>4 AS outcome, nullif(e->5, 'null') AS resource_usage, e->>6 AS output_tail,
    nullif(e->7, 'null') AS security_context, e->>8 AS error_message, e->>9 AS error_class,
    e->>10 AS fingerprint, (e->>11)::timestamptz AS run_at, coalesce((e->>12)::boolean, true) AS ran,
    (e->>13)::timestamptz AS ended_at, coalesce((e->>14)::boolean, false) AS lease_unconfirmed
  FROM jsonb_array_elements(p_settlements) AS e
),
settled AS (
  UPDATE jobs.tb_job_run j SET
    status = CASE WHEN s.kind IN ('retry', 'interrupted') AND j.cancel_requested THEN 'cancelled'
      WHEN s.kind IN ('retry', 'interrupted') THEN 'pending' ELSE s.kind END,
    attempts = CASE WHEN s.kind = 'interrupted' OR NOT s.ran THEN greatest(j.attempts - 1, 0) ELSE j.attempts END,
    started_at = CASE WHEN s.ran THEN j.started_at
      ELSE (SELECT a.started_at FROM jobs.tb_job_attempt a WHERE a.job_id = j.id ORDER BY a.id DESC LIMIT 1) END,
    run_at = CASE s.kind WHEN 'retry' THEN coalesce(s.run_at, now()) WHEN 'interrupted' THEN now() ELSE j.run_at END,
    interruptions = CASE WHEN s.lease_unconfirmed THEN j.interruptions + 1 ELSE j.interruptions END,
    lease_owner = NULL,
    lease_expires_at = NULL,
    attempt_id = NULL,
    completed_at = CASE WHEN s.kind IN ('completed', 'failed', 'cancelled') OR j.cancel_requested THEN now() END,
    updated_at = now(),
    error_message = CASE WHEN s.kind IN ('retry', 'failed') THEN s.error_message ELSE j.error_message END,
    error_fingerprint = CASE WHEN s.kind IN ('retry', 'failed') THEN s.fingerprint ELSE j.error_fingerprint END,
    resource_usage = coalesce(s.resource_usage, j.resource_usage),
    security_context = coalesce(s.security_context, j.security_context),
    resolved_at = NULL,
    resolution = NULL
  FROM s
  WHERE j.id = s.job_id AND j.attempt_id = s.attempt_id AND j.lease_owner = s.worker_id
  RETURNING j.id, j.status, j.queue, j.service_name, j.execution_type, j.priority, j.run_at, j.attempts AS attempt,
    j.started_at, j.error_fingerprint AS fingerprint, j.workflow_run_id, s.kind, s.ran, s.attempt_id, s.worker_id, s.outcome, s.error_message,
    s.error_class, s.output_tail, s.resource_usage, s.ended_at,
    CASE WHEN j.status = 'completed' AND j.started_at IS NOT NULL
      THEN greatest(0, round(extract(epoch FROM now() - j.started_at) * 1000))::bigint END AS duration_ms
),
recorded AS (
  INSERT INTO jobs.tb_job_attempt (id, job_id, attempt, worker_id, started_at, finished_at, outcome, error_message,
    error_class, output_tail, resource_usage)
  SELECT attempt_id, id,
    -- An interrupted attempt is given back, so the job row counts one less than the attempt was.
    CASE WHEN outcome = 'interrupted' THEN attempt + 1 ELSE attempt END,
    worker_id, coalesce(started_at, now()), coalesce(ended_at, now()), outcome, error_message, error_class, output_tail, resource_usage
  FROM settled WHERE ran
),
requeued AS (
  INSERT INTO jobs.tb_job_ready (job_id, queue, service_name, priority, run_at)
  SELECT id, queue, service_name, priority, run_at FROM settled WHERE status = 'pending'
),
tally AS (
  -- One pass over the settled rows for every tally below: each reads a handful of groups, not the batch.
  SELECT queue, service_name, execution_type, status, kind,
    CASE WHEN status = 'failed' THEN coalesce(fingerprint, '') ELSE '' END AS fingerprint,
    CASE WHEN duration_ms IS NOT NULL THEN
      CASE WHEN duration_ms < 1 THEN 0 ELSE least(128, 1 + floor(4 * ln(duration_ms::float8) / ln(2::float8)))::int END END AS bucket,
    count(*) AS n, coalesce(sum(duration_ms), 0)::bigint AS duration_ms
  FROM settled
  GROUP BY 1, 2, 3, 4, 5, 6, 7
),
counted AS (
  INSERT INTO jobs.tb_job_count AS c (queue, service_name, execution_type, state, fingerprint, stripe, n)
  SELECT queue, service_name, execution_type, state, fingerprint, (pg_backend_pid() % 64)::smallint, sum(delta)::bigint FROM (
    SELECT queue, service_name, execution_type, 'running' AS state, '' AS fingerprint, -n AS delta FROM tally
    UNION ALL SELECT queue, service_name, execution_type, status, '', n FROM tally
    UNION ALL SELECT queue, service_name, execution_type, 'dead_letter', fingerprint, n FROM tally WHERE status = 'failed'
  ) d
  GROUP BY queue, service_name, execution_type, state, fingerprint HAVING sum(delta) <> 0
  ON CONFLICT (queue, service_name, execution_type, state, fingerprint, stripe) DO UPDATE SET n = c.n + excluded.n
),
rolled AS (
  INSERT INTO jobs.tb_job_rollup AS r (minute, queue, service_name, execution_type, stripe, completed, failed, retried,
    cancelled, duration_ms)
  SELECT date_trunc('minute', now()), queue, service_name, execution_type, (pg_backend_pid() % 64)::smallint,
    coalesce(sum(n) FILTER (WHERE status = 'completed'), 0)::bigint, coalesce(sum(n) FILTER (WHERE status = 'failed'), 0)::bigint,
    coalesce(sum(n) FILTER (WHERE kind = 'retry' AND status = 'pending'), 0)::bigint, coalesce(sum(n) FILTER (WHERE status = 'cancelled'), 0)::bigint,
    sum(duration_ms)::bigint
  FROM tally WHERE kind <> 'interrupted' OR status = 'cancelled'
  GROUP BY queue, service_name, execution_type
  ON CONFLICT (minute, queue, service_name, execution_type, stripe) DO UPDATE SET
    completed = r.completed + excluded.completed, failed = r.failed + excluded.failed, retried = r.retried + excluded.retried,
    cancelled = r.cancelled + excluded.cancelled, duration_ms = r.duration_ms + excluded.duration_ms
),
timed AS (
  INSERT INTO jobs.tb_job_latency AS t (minute, execution_type, service_name, bucket, stripe, n)
  SELECT date_trunc('minute', now()), execution_type, service_name, bucket, (pg_backend_pid() % 64)::smallint, sum(n)::bigint
  FROM tally WHERE bucket IS NOT NULL
  GROUP BY execution_type, service_name, bucket
  ON CONFLICT (minute, execution_type, service_name, bucket, stripe) DO UPDATE SET n = t.n + excluded.n
),
failures AS (
  INSERT INTO jobs.tb_failure_rollup AS f (minute, service_name, error_class, fingerprint, stripe, failures, dead_lettered,
    first_at, last_at, sample_error)
  SELECT date_trunc('minute', now()), service_name, error_class, coalesce(fingerprint, ''), (pg_backend_pid() % 64)::smallint,
    count(*), count(*) FILTER (WHERE status = 'failed'), now(), now(), left(coalesce(max(error_message), ''), 1000)
  FROM settled
  WHERE kind IN ('retry', 'failed') AND error_class IS NOT NULL
  GROUP BY service_name, error_class, coalesce(fingerprint, '')
  ON CONFLICT (minute, service_name, error_class, fingerprint, stripe) DO UPDATE SET
    failures = f.failures + excluded.failures, dead_lettered = f.dead_lettered + excluded.dead_lettered,
    first_at = least(f.first_at, excluded.first_at), last_at = greatest(f.last_at, excluded.last_at),
    sample_error = CASE WHEN excluded.last_at >= f.last_at THEN excluded.sample_error ELSE f.sample_error END
)
SELECT array_agg(settled.id),
  array_agg(DISTINCT settled.workflow_run_id) FILTER (WHERE settled.workflow_run_id IS NOT NULL AND settled.status IN ('completed', 'failed', 'cancelled')),
  coalesce(bool_or(settled.status = 'pending'), false)
INTO v_ids, v_runs, v_requeued FROM settled;
-- Workflow tasks that finished move their runs on here, in the settle's own transaction.
IF v_runs IS NOT NULL THEN
  PERFORM jobs.opsdeck_workflow_advance(v_runs);
END IF;
IF cardinality(p_done_leases) > 0 THEN
  DELETE FROM jobs.tb_job_lease l WHERE l.id = ANY(p_done_leases);
END IF;
RETURN QUERY SELECT unnest(v_ids), v_requeued OR v_runs IS NOT NULL;
END
$function$;
