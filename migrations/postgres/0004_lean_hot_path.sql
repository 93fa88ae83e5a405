-- A leaner claim and settle. Per job, the old pair wrote the job row twice, an attempt row at the claim
-- and again at the settle, and made every commit wait for the disk; measured on the bench, the database
-- spent half its time on that index and WAL work. Here:
--
-- * An attempt row is written once, when the attempt ends (settle, or the watchdog taking it back). The
--   attempt in progress is the job row itself (attempt_id, lease_owner, started_at): listAttempts shows
--   it from there. Attempt rows are keyed by (job_id, id), the way they are read, so one index, not two.
-- * The settle is fenced on attempt_id alone, not also on status: with lagging statistics the status
--   clause made the planner walk the partial index of running jobs once per settlement instead of one
--   primary-key lookup. attempt_id is set only by the claim that leases a job, from a sequence, and
--   cleared by every way out of running; the CHECK below makes that the database's rule, not only ours.
-- * Settlements arrive as one JSON array, claims leave as one: a batch crosses the wire as one value
--   instead of a dozen arrays escaped element by element.
-- * Claims and settles commit without waiting for the WAL flush (synchronous_commit off, for those
--   transactions only). Delivery is at least once already: a claim lost in a server crash leaves its job
--   pending, a settle lost leaves it running until its lease expires and the watchdog retries it. Nothing
--   an operator does, and no enqueue, is ever acknowledged before it is on disk.

-- Attempts in progress live in the job row from now on; a running one written by the old claim is
-- shown from there as well, so its row would only be written a second time by the settle.
DELETE FROM jobs.tb_job_attempt WHERE outcome = 'running';

ALTER TABLE jobs.tb_job_attempt DROP CONSTRAINT tb_job_attempt_pkey;
DROP INDEX jobs.idx_tb_job_attempt_job;
ALTER TABLE jobs.tb_job_attempt ADD CONSTRAINT tb_job_attempt_pkey PRIMARY KEY (job_id, id);
ALTER TABLE jobs.tb_job_attempt ALTER COLUMN outcome DROP DEFAULT;

ALTER TABLE jobs.tb_job_run
  ADD CONSTRAINT tb_job_run_attempt_iff_running CHECK ((attempt_id IS NOT NULL) = (status = 'running'));

DROP FUNCTION jobs.opsdeck_claim(text, integer, double precision, text[], text[], text[], integer[]);
DROP FUNCTION jobs.opsdeck_settle(bigint[], bigint[], text[], text[], text[], text[], text[], text[], timestamptz[],
  text[], text[], text[]);

-- The claim (planner settings as in 0002, for the same reasons): first the head of the queue is locked,
-- skipping rows other workers hold (the locks last until the claim commits), then leased in one update.
-- Returns the claimed jobs as one JSON array in dispatch order: id, identifier, queue, service_name,
-- execution_type, payload, priority, attempts (counting this one), max_attempts, attempt_id,
-- lease_expires_at (ISO-8601 UTC).
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
SET jit = off
AS $fn$
DECLARE
  v_ids bigint[];
  v_claimed text;
BEGIN
PERFORM set_config('synchronous_commit', 'off', true);
IF NOT EXISTS (SELECT 1 FROM jobs.tb_control WHERE NOT emergency_stop AND NOT safe_mode) THEN
  RETURN '[]';
END IF;
IF coalesce(cardinality(p_cap_services), 0) = 0 THEN
  -- No per-service caps (the common case): one LIMITed walk of the index, nothing to merge.
  SELECT array_agg(id) INTO v_ids FROM (
    SELECT j.id FROM jobs.tb_job_run j
    WHERE j.status = 'pending' AND j.run_at <= now()
      AND (p_queues IS NULL OR j.queue = ANY(p_queues))
      AND j.service_name <> ALL(p_excluded)
      AND NOT EXISTS (SELECT 1 FROM jobs.tb_paused_queue p WHERE p.queue = j.queue)
    ORDER BY j.priority DESC, j.run_at, j.id
    LIMIT p_limit
    FOR UPDATE OF j SKIP LOCKED
  ) picked;
ELSE
  -- Capped services by their own LIMITed branch each, so a cap never hides other services' jobs.
  WITH caps AS (
    SELECT c.service_name, greatest(c.cap, 0) AS cap FROM unnest(p_cap_services, p_cap_values) AS c(service_name, cap)
  ),
  uncapped AS (
    SELECT j.id, j.priority, j.run_at FROM jobs.tb_job_run j
    WHERE j.status = 'pending' AND j.run_at <= now()
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
        AND (p_queues IS NULL OR j.queue = ANY(p_queues))
        AND j.service_name <> ALL(p_excluded)
        AND j.service_name = caps.service_name
        AND NOT EXISTS (SELECT 1 FROM jobs.tb_paused_queue p WHERE p.queue = j.queue)
      ORDER BY j.priority DESC, j.run_at, j.id
      LIMIT least(caps.cap, p_limit)
      FOR UPDATE OF j SKIP LOCKED
    ) l
  )
  SELECT array_agg(id) INTO v_ids FROM (
    SELECT id FROM (SELECT * FROM uncapped UNION ALL SELECT * FROM capped) u
    ORDER BY priority DESC, run_at, id
    LIMIT p_limit
  ) picked;
END IF;
IF v_ids IS NULL THEN
  RETURN '[]';
END IF;
WITH claimed AS (
  UPDATE jobs.tb_job_run j SET
    status = 'running',
    attempts = j.attempts + 1,
    lease_owner = p_worker,
    lease_expires_at = now() + p_lease_ms * interval '1 millisecond',
    attempt_id = nextval('jobs.tb_job_attempt_id_seq'),
    started_at = now(),
    updated_at = now(),
    cancel_requested = false
  -- No status test here: these rows are locked by this claim since they were seen pending, and such a
  -- test would tempt the planner into walking the pending index instead of looking each id up.
  WHERE j.id = ANY(v_ids)
  RETURNING j.id, j.identifier, j.queue, j.service_name, j.execution_type, j.payload, j.priority, j.attempts,
    j.max_attempts, j.attempt_id, j.lease_expires_at, j.run_at
)
SELECT json_agg(json_build_object(
    'id', c.id, 'identifier', c.identifier, 'queue', c.queue, 'service_name', c.service_name,
    'execution_type', c.execution_type, 'payload', c.payload, 'priority', c.priority, 'attempts', c.attempts,
    'max_attempts', c.max_attempts, 'attempt_id', c.attempt_id,
    'lease_expires_at', to_char(c.lease_expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
  ORDER BY c.priority DESC, c.run_at, c.id)::text
INTO v_claimed
FROM claimed c;
RETURN coalesce(v_claimed, '[]');
END
$fn$;

-- Settling a batch: a JSON array of {job_id, attempt_id, worker_id, kind, outcome, error_message,
-- error_class, fingerprint, run_at, output_tail, resource_usage, security_context}. Each settlement is
-- one primary-key lookup, fenced on attempt and lease owner, and one attempt row; the ids that landed
-- are returned.
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
BEGIN
PERFORM set_config('synchronous_commit', 'off', true);
RETURN QUERY
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
  RETURNING j.id, j.attempts AS attempt, j.started_at, s.attempt_id, s.worker_id, s.outcome, s.error_message,
    s.error_class, s.output_tail, s.resource_usage
),
recorded AS (
  INSERT INTO jobs.tb_job_attempt (id, job_id, attempt, worker_id, started_at, finished_at, outcome, error_message,
    error_class, output_tail, resource_usage)
  SELECT attempt_id, id,
    -- An interrupted attempt is given back, so the job row counts one less than the attempt was.
    CASE WHEN outcome = 'interrupted' THEN attempt + 1 ELSE attempt END,
    worker_id, coalesce(started_at, now()), now(), outcome, error_message, error_class, output_tail, resource_usage
  FROM settled
)
SELECT id FROM settled;
END
$fn$;
