-- A claim that may not take every ready job (a service whose breaker is open or at its cap, a paused
-- queue, a worker serving some queues) walked the dispatch order from its head and stepped over every job
-- it could not take: behind 200 000 jobs of a paused queue each claim took 125 ms, behind as many of a
-- service with an open breaker 30 ms, on every worker, at every poll. Such a claim now finds the
-- (queue, service) groups that hold ready jobs by skipping through a second index, reads the head of each
-- group it may take no deeper than the claim could need, and locks, group by group, only as many as the
-- merged heads give each.
CREATE INDEX idx_tb_job_ready_group ON jobs.tb_job_ready (queue, service_name, priority DESC, run_at, job_id);

CREATE OR REPLACE FUNCTION jobs.opsdeck_ready_pick(p_limit integer, p_queues text[], p_excluded text[], p_service text,
  p_cap_services text[], p_cap_values integer[])
 RETURNS TABLE(row_id tid, job_id bigint)
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
  v_queues text[];
  v_services text[];
  -- The groups' services as numbers, so the merge below sorts integers, not text under a collation.
  v_service_nos integer[];
  -- The most a group can give this claim: its service's cap, never more than the claim takes.
  v_caps integer[];
  -- How far each group's head has been read.
  v_reads integer[];
  v_deeper integer[];
  v_take_queues text[];
  v_take_services text[];
  v_take_counts integer[];
BEGIN
WITH RECURSIVE grp AS (
  (SELECT r.queue, r.service_name FROM jobs.tb_job_ready r ORDER BY r.queue, r.service_name LIMIT 1)
  UNION ALL
  SELECT nxt.queue, nxt.service_name FROM grp g CROSS JOIN LATERAL (
    SELECT r.queue, r.service_name FROM jobs.tb_job_ready r
    WHERE (r.queue, r.service_name) > (g.queue, g.service_name)
    ORDER BY r.queue, r.service_name
    LIMIT 1
  ) nxt
)
SELECT array_agg(a.queue), array_agg(a.service_name), array_agg(a.service_no), array_agg(a.cap)
INTO v_queues, v_services, v_service_nos, v_caps
FROM (
  SELECT g.queue, g.service_name, dense_rank() OVER (ORDER BY g.service_name)::integer AS service_no,
    least(p_limit, greatest(coalesce(c.cap, p_limit), 0)) AS cap
  FROM grp g LEFT JOIN unnest(p_cap_services, p_cap_values) AS c(service_name, cap) ON c.service_name = g.service_name
  WHERE (p_queues IS NULL OR g.queue = ANY(p_queues))
    AND (p_service IS NULL OR g.service_name = p_service)
    AND g.service_name <> ALL(p_excluded)
    AND NOT EXISTS (SELECT 1 FROM jobs.tb_paused_queue p WHERE p.queue = g.queue)
) a;
IF v_queues IS NULL THEN
  RETURN;
END IF;
IF cardinality(v_queues) = 1 THEN
  v_take_queues := v_queues;
  v_take_services := v_services;
  v_take_counts := v_caps;
ELSE
  -- Each group's head is read only as deep as the claim could need it: about twice an even share at first,
  -- then all of it for a group whose last row read still made the claim (it may hold more that would).
  SELECT array_agg(least(c, greatest(16, ceil(2.0 * p_limit / cardinality(v_queues))::integer)) ORDER BY i)
  INTO v_reads FROM unnest(v_caps) WITH ORDINALITY AS u(c, i);
  LOOP
    WITH peeked AS MATERIALIZED (
      SELECT g.i::integer AS i, g.service_no, g.cap, g.reads, h.k, h.priority, h.run_at, h.job_id
      FROM unnest(v_queues, v_services, v_service_nos, v_caps, v_reads) WITH ORDINALITY AS g(queue, service_name, service_no, cap, reads, i)
      CROSS JOIN LATERAL (
        -- k: the row's place in its group's head, as read.
        SELECT row_number() OVER () AS k, o.priority, o.run_at, o.job_id FROM (
          SELECT r.priority, r.run_at, r.job_id FROM jobs.tb_job_ready r
          WHERE r.queue = g.queue AND r.service_name = g.service_name AND r.run_at <= now()
          ORDER BY r.priority DESC, r.run_at, r.job_id
          LIMIT g.reads
        ) o
      ) h
    ),
    head AS MATERIALIZED (
      SELECT u.i, u.priority, u.run_at, u.job_id FROM (
        SELECT p.i, p.priority, p.run_at, p.job_id FROM peeked p WHERE p.cap >= p_limit
        UNION ALL
        -- A cap holds for the service across its queues: counted only where there is one.
        SELECT c.i, c.priority, c.run_at, c.job_id FROM (
          SELECT p.*, row_number() OVER (PARTITION BY p.service_no ORDER BY p.priority DESC, p.run_at, p.job_id) AS nth
          FROM peeked p WHERE p.cap < p_limit
        ) c
        WHERE c.nth <= c.cap
      ) u
      ORDER BY u.priority DESC, u.run_at, u.job_id
      LIMIT p_limit
    ),
    last AS MATERIALIZED (
      SELECT h.priority, h.run_at, h.job_id FROM head h ORDER BY h.priority, h.run_at DESC, h.job_id DESC LIMIT 1
    ),
    -- A group read to its depth, with more it could give, whose last row read still made the claim.
    deeper AS (
      SELECT p.i FROM peeked p
      WHERE p.k = p.reads AND p.reads < p.cap
        AND ((SELECT count(*) FROM head) < p_limit
          OR (-p.priority, p.run_at, p.job_id) <= (SELECT -l.priority, l.run_at, l.job_id FROM last l))
    ),
    taken AS (
      SELECT h.i, count(*)::integer AS n FROM head h GROUP BY h.i
    )
    SELECT (SELECT array_agg(d.i) FROM deeper d), array_agg(v_queues[t.i]), array_agg(v_services[t.i]), array_agg(t.n)
    FROM taken t
    INTO v_deeper, v_take_queues, v_take_services, v_take_counts;
    EXIT WHEN v_deeper IS NULL;
    -- Every unread row of a group left as it is sorts after the claim's last: no deeper read can change it.
    SELECT array_agg(CASE WHEN u.i::integer = ANY(v_deeper) THEN v_caps[u.i::integer] ELSE u.r END ORDER BY u.i)
    INTO v_reads FROM unnest(v_reads) WITH ORDINALITY AS u(r, i);
  END LOOP;
END IF;
IF v_take_queues IS NULL THEN
  RETURN;
END IF;
-- Locked group by group, as many as the merged head gave each: a row another claim holds is skipped for
-- the group's next, so no claim locks more than it takes.
RETURN QUERY
SELECT t.row_id, t.job_id FROM unnest(v_take_queues, v_take_services, v_take_counts) AS q(queue, service_name, n)
CROSS JOIN LATERAL (
  SELECT r.ctid AS row_id, r.job_id FROM jobs.tb_job_ready r
  WHERE r.queue = q.queue AND r.service_name = q.service_name AND r.run_at <= now()
  ORDER BY r.priority DESC, r.run_at, r.job_id
  LIMIT q.n
  FOR UPDATE OF r SKIP LOCKED
) t;
END
$function$;

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
   AND NOT EXISTS (SELECT 1 FROM jobs.tb_paused_queue) THEN
  -- Nothing to leave out (the common case): one LIMITed walk of the dispatch order, nothing to merge.
  SELECT array_agg(row_id), array_agg(job_id) INTO v_rows, v_ids FROM (
    SELECT r.ctid AS row_id, r.job_id FROM jobs.tb_job_ready r
    WHERE r.run_at <= now()
    ORDER BY r.priority DESC, r.run_at, r.job_id
    LIMIT p_limit
    FOR UPDATE OF r SKIP LOCKED
  ) picked;
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
