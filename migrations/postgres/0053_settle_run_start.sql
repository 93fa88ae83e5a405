-- A job claimed ahead of a free slot waits in its worker's buffer, leased and shown running since its
-- claim, before its run starts; its attempt's start, its duration, the rollups' durations and latency
-- buckets and its workflow task's time all measured from the claim, so a 50 ms program read as the seconds
-- it waited. The engine now sends how long each attempt ran, `run_ms` (a length on its own steady clock, so
-- neither a worker's clock that disagrees with the server's nor a step of it moves a duration), and the
-- settle dates the run's start that long before its end (`ended_at`, else now()) on the job, which its
-- attempt row and `duration_ms` read, held between the claim and the end. Absent (a hand-back, a worker of
-- a version before): the claim, as before.
--
-- The lengths come as a third parameter, one per settlement by place (null: none), not in the records: a
-- plain completion's record stays five elements, its trailing empty fields left off, and the JSON the
-- settle parses per job does not grow. The two-argument form stays, passing none, for workers of a
-- version before. No other statement and no other row. Otherwise as 0044.
CREATE OR REPLACE FUNCTION jobs.opsdeck_settle(p_settlements jsonb, p_done_leases bigint[], p_run_ms int[])
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
    (e->>13)::timestamptz AS ended_at, coalesce((e->>14)::boolean, false) AS lease_unconfirmed,
    r.run_ms
  -- Zipped in one pass: a subscript into an array holding a null walks it from its start, for each record.
  FROM ROWS FROM (jsonb_array_elements(p_settlements), unnest(p_run_ms)) AS r(e, run_ms)
),
settled AS (
  UPDATE jobs.tb_job_run j SET
    status = CASE WHEN s.kind IN ('retry', 'interrupted') AND j.cancel_requested THEN 'cancelled'
      WHEN s.kind IN ('retry', 'interrupted') THEN 'pending' ELSE s.kind END,
    attempts = CASE WHEN s.kind = 'interrupted' OR NOT s.ran THEN greatest(j.attempts - 1, 0) ELSE j.attempts END,
    started_at = CASE WHEN NOT s.ran THEN (SELECT a.started_at FROM jobs.tb_job_attempt a WHERE a.job_id = j.id ORDER BY a.id DESC LIMIT 1)
      -- A run's start is its end less how long it ran (a job claimed ahead waited for a slot after its claim),
      -- held between its claim and its end: an end dated by a worker's clock behind the server's, or a length
      -- no run had, never dates it before the claim.
      WHEN s.run_ms IS NOT NULL THEN greatest(j.started_at, least(coalesce(s.ended_at, now()), coalesce(s.ended_at, now()) - s.run_ms * interval '1 millisecond'))
      ELSE j.started_at END,
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

CREATE OR REPLACE FUNCTION jobs.opsdeck_settle(p_settlements jsonb, p_done_leases bigint[])
 RETURNS TABLE(id bigint, readied boolean)
 LANGUAGE sql
AS $function$
SELECT * FROM jobs.opsdeck_settle(p_settlements, p_done_leases, NULL::int[])
$function$;
