-- What the overview shows, kept as jobs move instead of counted from the history on every read: the
-- overview read every finished job of the last hour every two seconds per open console, seconds of
-- work on the database the fleet depends on once it held a million jobs. These tables grow with the
-- number of queues and minutes, not with the history.
--
-- Many workers write them at once, so no row is shared by all of them: every row carries a `stripe`,
-- the writing backend's pid modulo 64, and a reader sums the stripes. Two transactions meet on a row
-- only when their backends share a stripe and they move jobs of the same queue (or finish jobs of the
-- same service) in the same moment, and then one waits for the other's commit, not for the fleet.
-- The maintenance leader folds stripes of past minutes into stripe -1 (electron/store/postgres/maintenance.ts),
-- so reading a day of charts reads one row per minute and kind of job, not one per backend.
--
-- tb_job_count: how many jobs each queue holds of each service and type in each state (a job status, or
-- `dead_letter` for a failed job nobody resolved, counted per error fingerprint: the dead-letter groups;
-- `fingerprint` is '' for every other state). Every statement that adds, moves or deletes jobs changes it
-- in the same transaction: the claim and the settle below, and the statements in electron/store/postgres/
-- (tally.ts builds their part).
CREATE TABLE jobs.tb_job_count (
  queue text NOT NULL,
  service_name text NOT NULL,
  execution_type text NOT NULL,
  state text NOT NULL,
  fingerprint text NOT NULL,
  stripe smallint NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (queue, service_name, execution_type, state, fingerprint, stripe)
);

INSERT INTO jobs.tb_job_count (queue, service_name, execution_type, state, fingerprint, stripe, n)
SELECT queue, service_name, execution_type, status, '', -1, count(*) FROM jobs.tb_job_run
GROUP BY queue, service_name, execution_type, status;
INSERT INTO jobs.tb_job_count (queue, service_name, execution_type, state, fingerprint, stripe, n)
SELECT queue, service_name, execution_type, 'dead_letter', coalesce(error_fingerprint, ''), -1, count(*) FROM jobs.tb_job_run
WHERE status = 'failed' AND resolved_at IS NULL
GROUP BY queue, service_name, execution_type, coalesce(error_fingerprint, '');

-- tb_job_rollup: what finished in each minute, per queue, service and type. `failed` counts jobs that went
-- into the dead-letter queue, `retried` attempts that failed with another to follow, `duration_ms` the sum
-- of the completed jobs' last attempts. Pruning jobs leaves it alone: the charts keep their history.
CREATE TABLE jobs.tb_job_rollup (
  minute timestamptz NOT NULL,
  queue text NOT NULL,
  service_name text NOT NULL,
  execution_type text NOT NULL,
  stripe smallint NOT NULL,
  completed integer NOT NULL DEFAULT 0,
  failed integer NOT NULL DEFAULT 0,
  retried integer NOT NULL DEFAULT 0,
  cancelled integer NOT NULL DEFAULT 0,
  duration_ms bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (minute, queue, service_name, execution_type, stripe)
);

-- tb_job_latency: completed jobs per minute, type, service and duration bucket (shared/latencyBuckets.ts:
-- bucket 0 is under 1 ms, bucket b >= 1 holds [2^((b-1)/4), 2^(b/4)) ms). Percentiles are read from the
-- buckets, to within a bucket's width (about 19%).
CREATE TABLE jobs.tb_job_latency (
  minute timestamptz NOT NULL,
  execution_type text NOT NULL,
  service_name text NOT NULL,
  bucket smallint NOT NULL,
  stripe smallint NOT NULL,
  n integer NOT NULL,
  PRIMARY KEY (minute, execution_type, service_name, bucket, stripe)
);

-- The history already here, as the settles would have written it.
INSERT INTO jobs.tb_job_rollup (minute, queue, service_name, execution_type, stripe, completed, failed, cancelled, duration_ms)
SELECT date_trunc('minute', completed_at), queue, service_name, execution_type, -1,
  count(*) FILTER (WHERE status = 'completed'), count(*) FILTER (WHERE status = 'failed'),
  count(*) FILTER (WHERE status = 'cancelled'),
  coalesce(sum(greatest(0, round(extract(epoch FROM completed_at - started_at) * 1000))::bigint)
    FILTER (WHERE status = 'completed' AND started_at IS NOT NULL), 0)
FROM jobs.tb_job_run
WHERE completed_at IS NOT NULL AND status IN ('completed', 'failed', 'cancelled')
GROUP BY 1, 2, 3, 4;

INSERT INTO jobs.tb_job_latency (minute, execution_type, service_name, bucket, stripe, n)
SELECT minute, execution_type, service_name,
  CASE WHEN ms < 1 THEN 0 ELSE least(128, 1 + floor(4 * ln(ms::float8) / ln(2::float8)))::int END, -1, count(*)
FROM (
  SELECT date_trunc('minute', completed_at) AS minute, execution_type, service_name,
    greatest(0, round(extract(epoch FROM completed_at - started_at) * 1000))::bigint AS ms
  FROM jobs.tb_job_run
  WHERE status = 'completed' AND completed_at IS NOT NULL AND started_at IS NOT NULL
) d
GROUP BY 1, 2, 3, 4;

-- The charts read the rollups now: the attempts' finish times are no longer read by finish time.
DROP INDEX jobs.idx_tb_job_attempt_finished;

-- The claim of 0007, counting the jobs it moves from pending to running.
CREATE OR REPLACE FUNCTION jobs.opsdeck_claim(
  p_worker text,
  p_limit integer,
  p_lease_ms double precision,
  p_queues text[],
  p_excluded text[],
  p_cap_services text[],
  p_cap_values integer[]
)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SET enable_bitmapscan = off
SET enable_seqscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off
SET jit = off
AS $fn$
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
    cancel_requested = false
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
$fn$;

-- The settle of 0007, counting the jobs it moves and rolling up what finished.
CREATE OR REPLACE FUNCTION jobs.opsdeck_settle(p_settlements jsonb, p_done_leases bigint[])
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
  RETURNING j.id, j.status, j.queue, j.service_name, j.execution_type, j.priority, j.run_at, j.attempts AS attempt,
    j.started_at, j.error_fingerprint AS fingerprint, s.kind, s.attempt_id, s.worker_id, s.outcome, s.error_message,
    s.error_class, s.output_tail, s.resource_usage,
    CASE WHEN j.status = 'completed' AND j.started_at IS NOT NULL
      THEN greatest(0, round(extract(epoch FROM now() - j.started_at) * 1000))::bigint END AS duration_ms
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
),
counted AS (
  INSERT INTO jobs.tb_job_count AS c (queue, service_name, execution_type, state, fingerprint, stripe, n)
  SELECT queue, service_name, execution_type, state, fingerprint, (pg_backend_pid() % 64)::smallint, sum(delta) FROM (
    SELECT queue, service_name, execution_type, 'running' AS state, '' AS fingerprint, -1 AS delta FROM settled
    UNION ALL SELECT queue, service_name, execution_type, status, '', 1 FROM settled
    UNION ALL SELECT queue, service_name, execution_type, 'dead_letter', coalesce(fingerprint, ''), 1 FROM settled WHERE status = 'failed'
  ) d
  GROUP BY queue, service_name, execution_type, state, fingerprint HAVING sum(delta) <> 0
  ON CONFLICT (queue, service_name, execution_type, state, fingerprint, stripe) DO UPDATE SET n = c.n + excluded.n
),
rolled AS (
  INSERT INTO jobs.tb_job_rollup AS r (minute, queue, service_name, execution_type, stripe, completed, failed, retried,
    cancelled, duration_ms)
  SELECT date_trunc('minute', now()), queue, service_name, execution_type, (pg_backend_pid() % 64)::smallint,
    count(*) FILTER (WHERE status = 'completed'), count(*) FILTER (WHERE status = 'failed'),
    count(*) FILTER (WHERE kind = 'retry'), count(*) FILTER (WHERE status = 'cancelled'), coalesce(sum(duration_ms), 0)
  FROM settled WHERE kind <> 'interrupted'
  GROUP BY queue, service_name, execution_type
  ON CONFLICT (minute, queue, service_name, execution_type, stripe) DO UPDATE SET
    completed = r.completed + excluded.completed, failed = r.failed + excluded.failed, retried = r.retried + excluded.retried,
    cancelled = r.cancelled + excluded.cancelled, duration_ms = r.duration_ms + excluded.duration_ms
),
timed AS (
  INSERT INTO jobs.tb_job_latency AS t (minute, execution_type, service_name, bucket, stripe, n)
  SELECT date_trunc('minute', now()), execution_type, service_name,
    CASE WHEN duration_ms < 1 THEN 0 ELSE least(128, 1 + floor(4 * ln(duration_ms::float8) / ln(2::float8)))::int END,
    (pg_backend_pid() % 64)::smallint, count(*)
  FROM settled WHERE duration_ms IS NOT NULL
  GROUP BY 1, 2, 3, 4
  ON CONFLICT (minute, execution_type, service_name, bucket, stripe) DO UPDATE SET n = t.n + excluded.n
)
SELECT array_agg(settled.id) INTO v_ids FROM settled;
IF cardinality(p_done_leases) > 0 THEN
  DELETE FROM jobs.tb_job_lease l WHERE l.id = ANY(p_done_leases);
END IF;
RETURN QUERY SELECT unnest(v_ids);
END
$fn$;
