-- Rate limits and alerts (issue #19).
--
-- tb_rate_start: the starts of rate-limited services, one row per claim that started any (the claim's
-- time and how many), kept for a little longer than the longest period. Only services with a
-- `rate_limit` write here, only through opsdeck_claim_gated below: the common claim never touches it.
CREATE TABLE jobs.tb_rate_start (
  service_name text NOT NULL,
  at timestamptz NOT NULL,
  n integer NOT NULL
);
CREATE INDEX idx_tb_rate_start ON jobs.tb_rate_start (service_name, at);

-- tb_service_pause: a service whose upstream answered 429 with Retry-After; no worker starts its jobs
-- before `until`.
CREATE TABLE jobs.tb_service_pause (
  service_name text PRIMARY KEY,
  until timestamptz NOT NULL,
  reason text NOT NULL,
  set_at timestamptz NOT NULL DEFAULT now()
);

-- tb_alert_state: each alert rule's last evaluation, and what operators did about it (acknowledged with a
-- note, silenced until a time). tb_alert_event: the firing and resolved transitions and the channels'
-- deliveries, newest first on the Alerts page.
CREATE TABLE jobs.tb_alert_state (
  rule text PRIMARY KEY,
  severity text NOT NULL,
  firing boolean NOT NULL,
  since timestamptz NOT NULL,
  summary text NOT NULL,
  value double precision,
  acked_by text,
  acked_at timestamptz,
  ack_note text,
  silenced_until timestamptz,
  silenced_by text,
  evaluated_at timestamptz NOT NULL
);

CREATE TABLE jobs.tb_alert_event (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  rule text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('firing', 'resolved', 'delivery_failed', 'delivered')),
  severity text NOT NULL,
  summary text NOT NULL,
  channel text
);

-- tb_alert_rule: alert rules written in the console (the registry's live in its file): the rule as JSON,
-- validated by shared/alerts.ts before it is stored.
CREATE TABLE jobs.tb_alert_rule (
  name text PRIMARY KEY,
  rule jsonb NOT NULL,
  set_by text NOT NULL,
  set_at timestamptz NOT NULL DEFAULT now()
);


-- The claim of one service with a rate limit, a concurrency cap or both. One claimer of a service at a
-- time: the others skip it for this round (try-lock) instead of queueing behind it, so a limited service
-- never holds up anyone's claim. Under the lock it counts the starts of the last period (every start any
-- claimer recorded after now() - period, including those of claimers whose transactions began later)
-- and the service's running jobs (the kept counts), and leases at most what is left. Each claim records
-- its starts at its own now(), the attempts' started_at, so no window of the period ever holds more than
-- the limit, whatever order the claimers ran in.
CREATE FUNCTION jobs.opsdeck_claim_gated(
  p_worker text,
  p_limit integer,
  p_lease_ms double precision,
  p_queues text[],
  p_service text,
  p_rate integer,
  p_per_ms double precision,
  p_max_running integer
)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SET enable_bitmapscan = off
SET enable_seqscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off
SET jit = off
AS $$
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
    cancel_requested = false
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
$$;
