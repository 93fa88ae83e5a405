-- Claims and settles that rewrite the job row in place. Until now every claim and every settle was a
-- non-HOT update: status (in the predicates of the claim, running and dead-letter indexes),
-- lease_expires_at and completed_at are indexed, so each wrote a new entry into every index of the table,
-- eight per job, and that was most of the database's work per job. An update that changes no indexed
-- column, and finds room on its page, is HOT: the row is rewritten beside itself and no index is touched.
--
-- So the job row's indexes no longer mention what a claim or a settle changes, and two narrow tables
-- carry what those indexes did:
--
-- * jobs.tb_job_ready: the pending jobs, in dispatch order. A row here exists exactly while its job is
--   `pending`, with the job's queue, service, priority and run_at. Enqueue and every way back to pending
--   insert it; the claim deletes the rows it takes (a delete touches no index), and so does a cancel.
-- * jobs.tb_job_running: the jobs holding a lease, by id. A row here exists exactly while its job is
--   `running`: the watchdog and the console's running counts read these few instead of the whole table.
--   The lease itself (owner, attempt, expiry) stays in the job row, where heartbeats renew it in place.
--
-- Every statement that moves a job into or out of `pending` or `running` keeps both in step, in the
-- same statement or transaction; locks are always taken ready row first, then job row, then running row,
-- so a claim and an operator's cancel never wait on each other in a circle.
--
-- The charts read finished jobs through the attempt that finished them (jobs.tb_job_attempt.finished_at,
-- indexed), which the settle writes anyway, instead of an index on the job's completed_at.

DROP INDEX jobs.idx_tb_job_run_claim;
DROP INDEX jobs.idx_tb_job_run_running;
DROP INDEX jobs.idx_tb_job_run_completed_at;

-- The dead letters by fingerprint: every failed job has one (the settle and the watchdog both set it;
-- the one failed job of an older opsdeck without one is given the empty fingerprint the console already
-- grouped it under), and a fingerprint changes only when an attempt fails. A job that failed once and then completed keeps its
-- entry; the queries filter on status, which no index may name any more.
UPDATE jobs.tb_job_run SET error_fingerprint = '' WHERE status = 'failed' AND error_fingerprint IS NULL;
ALTER TABLE jobs.tb_job_run
  ADD CONSTRAINT tb_job_run_failed_has_fingerprint CHECK (status <> 'failed' OR error_fingerprint IS NOT NULL);
DROP INDEX jobs.idx_tb_job_run_dlq;
CREATE INDEX idx_tb_job_run_dlq ON jobs.tb_job_run (error_fingerprint, id)
  WHERE error_fingerprint IS NOT NULL AND resolved_at IS NULL;

DROP INDEX jobs.idx_tb_job_run_resolved;
CREATE INDEX idx_tb_job_run_resolved ON jobs.tb_job_run (resolved_at) WHERE resolved_at IS NOT NULL;

-- Room on each page for the claim's new version of every row on it: a claim rewrites a run of
-- consecutive rows in one transaction, before any old version can be pruned. New pages only; existing
-- rows keep their packing.
ALTER TABLE jobs.tb_job_run SET (fillfactor = 50);

CREATE TABLE jobs.tb_job_ready (
  job_id bigint NOT NULL,
  queue text NOT NULL,
  service_name text NOT NULL,
  priority integer NOT NULL,
  run_at timestamptz NOT NULL
);

-- Dispatch order. The job id is the last key, so a row is found from its job row alone (priority,
-- run_at, id): no second index to keep.
CREATE INDEX idx_tb_job_ready_order ON jobs.tb_job_ready (priority DESC, run_at, job_id);

INSERT INTO jobs.tb_job_ready (job_id, queue, service_name, priority, run_at)
SELECT id, queue, service_name, priority, run_at FROM jobs.tb_job_run WHERE status = 'pending';

CREATE TABLE jobs.tb_job_running (
  job_id bigint PRIMARY KEY
);

INSERT INTO jobs.tb_job_running (job_id) SELECT id FROM jobs.tb_job_run WHERE status = 'running';

CREATE INDEX idx_tb_job_attempt_finished ON jobs.tb_job_attempt (finished_at);

DROP FUNCTION jobs.opsdeck_claim(text, integer, double precision, text[], text[], text[], integer[]);
DROP FUNCTION jobs.opsdeck_settle(json);

-- The claim: the head of jobs.tb_job_ready is locked (skipping rows other workers hold), deleted, and
-- its jobs leased in place. Arguments as in 0004. The result is one JSON object: `lease_expires_at`
-- (ISO-8601 UTC, the batch's one lease; absent when nothing was claimed) and `jobs`, in dispatch order,
-- each with id, identifier, queue, service_name, execution_type, payload, priority, attempts (counting
-- this one), max_attempts and attempt_id.
CREATE FUNCTION jobs.opsdeck_claim(
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
  INSERT INTO jobs.tb_job_running (job_id) SELECT id FROM claimed
)
SELECT json_build_object(
    'lease_expires_at', to_char(v_expires AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'jobs', coalesce(json_agg(c), '[]'))::text
INTO v_claimed
FROM (
  SELECT id, identifier, queue, service_name, execution_type, payload, priority, attempts, max_attempts, attempt_id
  FROM claimed ORDER BY priority DESC, run_at, id
) c;
RETURN v_claimed;
END
$fn$;

-- Settling a batch, as in 0004 (the same JSON array in, the ids that landed out), now also releasing
-- the running row and giving a job that goes back to pending its ready row.
CREATE FUNCTION jobs.opsdeck_settle(p_settlements json)
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
  SELECT * FROM json_to_recordset(p_settlements)
    AS s(job_id bigint, attempt_id bigint, worker_id text, kind text, outcome text, error_message text,
      error_class text, fingerprint text, run_at timestamptz, output_tail text, resource_usage jsonb,
      security_context jsonb)
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
