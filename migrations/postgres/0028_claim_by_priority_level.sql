-- A claim walked the dispatch order (priority, run_at, id) and read, at the priority of its last due job,
-- every job scheduled for later: an idle claim beside 100 000 retries in backoff read all 100 000, on
-- every worker, at every poll. The walk now goes a priority at a time, each read ending at its first job
-- not yet due, and seeks the next priority below; past 16 priorities it reads the rest in one go.
CREATE FUNCTION jobs.opsdeck_ready_walk(p_limit integer, p_queues text[], p_excluded text[], p_service text)
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
  -- Read once and compared as an array: a probe of the table per job read cost a claim of 500 a fifth more.
  v_paused text[] := ARRAY(SELECT p.queue FROM jobs.tb_paused_queue p);
BEGIN
-- The first 16 priorities are read one at a time (each read ends at the priority's first job not yet due);
-- the rest in one read, since a seek per priority costs more than stepping over the jobs of thin ones.
-- The reads are pulled only as far as the claim's limit, and SKIP LOCKED passes jobs other claims hold.
IF p_queues IS NULL AND p_service IS NULL AND coalesce(cardinality(p_excluded), 0) = 0 AND cardinality(v_paused) = 0 THEN
  RETURN QUERY
  WITH RECURSIVE level(priority, n) AS (
    (SELECT r.priority, 1 FROM jobs.tb_job_ready r ORDER BY r.priority DESC LIMIT 1)
    UNION ALL
    SELECT (SELECT r.priority FROM jobs.tb_job_ready r WHERE r.priority < l.priority ORDER BY r.priority DESC LIMIT 1), l.n + 1
    FROM level l WHERE l.priority IS NOT NULL AND l.n <= 16
  )
  SELECT t.row_id, t.job_id FROM (
    SELECT d.row_id, d.job_id FROM level l CROSS JOIN LATERAL (
      SELECT r.ctid AS row_id, r.job_id FROM jobs.tb_job_ready r
      WHERE r.priority = l.priority AND r.run_at <= now()
      ORDER BY r.run_at, r.job_id
      LIMIT p_limit
      FOR UPDATE OF r SKIP LOCKED
    ) d
    WHERE l.priority IS NOT NULL AND l.n <= 16
    UNION ALL
    SELECT x.row_id, x.job_id FROM (
      SELECT r.ctid AS row_id, r.job_id FROM jobs.tb_job_ready r
      WHERE r.priority <= (SELECT l.priority FROM level l WHERE l.n = 17) AND r.run_at <= now()
      ORDER BY r.priority DESC, r.run_at, r.job_id
      LIMIT p_limit
      FOR UPDATE OF r SKIP LOCKED
    ) x
  ) t
  LIMIT p_limit;
ELSE
  RETURN QUERY
  WITH RECURSIVE level(priority, n) AS (
    (SELECT r.priority, 1 FROM jobs.tb_job_ready r ORDER BY r.priority DESC LIMIT 1)
    UNION ALL
    SELECT (SELECT r.priority FROM jobs.tb_job_ready r WHERE r.priority < l.priority ORDER BY r.priority DESC LIMIT 1), l.n + 1
    FROM level l WHERE l.priority IS NOT NULL AND l.n <= 16
  )
  SELECT t.row_id, t.job_id FROM (
    SELECT d.row_id, d.job_id FROM level l CROSS JOIN LATERAL (
      SELECT r.ctid AS row_id, r.job_id FROM jobs.tb_job_ready r
      WHERE r.priority = l.priority AND r.run_at <= now()
      AND (p_queues IS NULL OR r.queue = ANY(p_queues))
      AND (p_service IS NULL OR r.service_name = p_service)
      AND r.service_name <> ALL(coalesce(p_excluded, '{}'))
      AND r.queue <> ALL(v_paused)
      ORDER BY r.run_at, r.job_id
      LIMIT p_limit
      FOR UPDATE OF r SKIP LOCKED
    ) d
    WHERE l.priority IS NOT NULL AND l.n <= 16
    UNION ALL
    SELECT x.row_id, x.job_id FROM (
      SELECT r.ctid AS row_id, r.job_id FROM jobs.tb_job_ready r
      WHERE r.priority <= (SELECT l.priority FROM level l WHERE l.n = 17) AND r.run_at <= now()
      AND (p_queues IS NULL OR r.queue = ANY(p_queues))
      AND (p_service IS NULL OR r.service_name = p_service)
      AND r.service_name <> ALL(coalesce(p_excluded, '{}'))
      AND r.queue <> ALL(v_paused)
      ORDER BY r.priority DESC, r.run_at, r.job_id
      LIMIT p_limit
      FOR UPDATE OF r SKIP LOCKED
    ) x
  ) t
  LIMIT p_limit;
END IF;
END
$function$;

CREATE OR REPLACE FUNCTION jobs.opsdeck_ready_pick(p_limit integer, p_queues text[], p_excluded text[], p_service text, p_cap_services text[], p_cap_values integer[])
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
  -- The lanes this claim may take, one entry each.
  v_queues text[];
  v_services text[];
  v_priorities integer[];
  -- The lanes' services as numbers, so the merge sorts integers, not text under a collation.
  v_service_nos integer[];
  -- The most a lane's service may give this claim: its cap, never more than the claim takes.
  v_caps integer[];
  -- What is left of that once this claim's earlier rounds locked some; nothing for a lane found spent.
  v_room integer[];
  -- How deep each lane's head is read.
  v_reads integer[];
  v_deeper integer[];
  -- The merged head, by lane: how many it chose of each.
  v_head_lanes integer[];
  v_head_counts integer[];
  v_head_size integer;
  v_new_rows tid[];
  v_new_ids bigint[];
  v_new_lanes integer[];
  -- Locked so far, and the lanes they came from.
  v_rows tid[] := '{}';
  v_ids bigint[] := '{}';
  v_lanes integer[] := '{}';
  v_need integer;
  v_round integer := 0;
  -- The lanes this claim leaves out.
  v_out_queues text[];
  v_out_services text[];
  v_out_priorities integer[];
BEGIN
WITH RECURSIVE lane AS (
  (SELECT r.queue, r.service_name, r.priority FROM jobs.tb_job_ready r ORDER BY r.queue, r.service_name, r.priority DESC LIMIT 1)
  UNION ALL
  SELECT n.queue, n.service_name, n.priority FROM lane l CROSS JOIN LATERAL (
    -- The next priority of the same queue and service, else the first of the next queue and service.
    (SELECT r.queue, r.service_name, r.priority FROM jobs.tb_job_ready r
     WHERE r.queue = l.queue AND r.service_name = l.service_name AND r.priority < l.priority
     ORDER BY r.priority DESC LIMIT 1)
    UNION ALL
    (SELECT r.queue, r.service_name, r.priority FROM jobs.tb_job_ready r
     WHERE (r.queue, r.service_name) > (l.queue, l.service_name)
     ORDER BY r.queue, r.service_name, r.priority DESC LIMIT 1)
    LIMIT 1
  ) n
)
SELECT array_agg(a.queue) FILTER (WHERE a.takes), array_agg(a.service_name) FILTER (WHERE a.takes),
  array_agg(a.priority) FILTER (WHERE a.takes), array_agg(a.service_no) FILTER (WHERE a.takes), array_agg(a.cap) FILTER (WHERE a.takes),
  array_agg(a.queue) FILTER (WHERE NOT a.takes), array_agg(a.service_name) FILTER (WHERE NOT a.takes),
  array_agg(a.priority) FILTER (WHERE NOT a.takes)
INTO v_queues, v_services, v_priorities, v_service_nos, v_caps, v_out_queues, v_out_services, v_out_priorities
FROM (
  SELECT l.queue, l.service_name, l.priority, dense_rank() OVER (ORDER BY l.service_name)::integer AS service_no,
    least(p_limit, greatest(coalesce(c.cap, p_limit), 0)) AS cap,
    (p_queues IS NULL OR l.queue = ANY(p_queues))
      AND (p_service IS NULL OR l.service_name = p_service)
      AND l.service_name <> ALL(p_excluded)
      AND NOT EXISTS (SELECT 1 FROM jobs.tb_paused_queue p WHERE p.queue = l.queue) AS takes
  FROM lane l LEFT JOIN unnest(p_cap_services, p_cap_values) AS c(service_name, cap) ON c.service_name = l.service_name
) a;
IF v_queues IS NULL THEN
  RETURN;
END IF;
-- Few jobs left out (up to 2 048) and no cap to count: the walk of the dispatch order steps over at most
-- those, which costs less than reading and merging the lanes.
IF NOT EXISTS (SELECT 1 FROM unnest(v_caps) AS c(cap) WHERE c.cap < p_limit)
   AND (SELECT count(*) FROM (
     SELECT 1 FROM unnest(v_out_queues, v_out_services, v_out_priorities) AS o(queue, service_name, priority)
     CROSS JOIN LATERAL (
       SELECT 1 FROM jobs.tb_job_ready r WHERE r.queue = o.queue AND r.service_name = o.service_name AND r.priority = o.priority
       LIMIT 2049
     ) x
     LIMIT 2049
   ) n) <= 2048 THEN
  RETURN QUERY SELECT w.row_id, w.job_id FROM jobs.opsdeck_ready_walk(p_limit, p_queues, p_excluded, p_service) w;
  RETURN;
END IF;
IF cardinality(v_queues) = 1 THEN
  -- One lane is already in dispatch order: lock its head, skipping what other claims hold.
  RETURN QUERY
  SELECT r.ctid, r.job_id FROM jobs.tb_job_ready r
  WHERE r.queue = v_queues[1] AND r.service_name = v_services[1] AND r.priority = v_priorities[1] AND r.run_at <= now()
  ORDER BY r.run_at, r.job_id
  LIMIT v_caps[1]
  FOR UPDATE OF r SKIP LOCKED;
  RETURN;
END IF;
v_room := v_caps;
-- A round merges the lanes' heads, read without locks, and locks as many of each lane as the merge gave
-- it, skipping what other claims hold: a lane's next free jobs, of the same priority, stand in for held
-- ones. A lane that had fewer free due jobs than that has none left and is out of the next round, which
-- chooses again for what is still missing. So rounds end when the claim is full or every lane is spent.
LOOP
  v_need := p_limit - cardinality(v_ids);
  v_round := v_round + 1;
  EXIT WHEN v_need <= 0 OR v_round > 16;
  -- Each head is read about twice an even share deep at first, then all of it where its last row read
  -- still made the claim (it may hold more that would).
  SELECT array_agg(least(r, greatest(least(v_need, 8), ceil(2.0 * v_need / cardinality(v_queues))::integer)) ORDER BY i)
  INTO v_reads FROM unnest(v_room) WITH ORDINALITY AS u(r, i);
  LOOP
    WITH peeked AS MATERIALIZED (
      SELECT g.i::integer AS i, g.priority, g.service_no, g.room, g.reads, h.k, h.run_at, h.job_id
      FROM unnest(v_queues, v_services, v_priorities, v_service_nos, v_room, v_reads)
        WITH ORDINALITY AS g(queue, service_name, priority, service_no, room, reads, i)
      CROSS JOIN LATERAL (
        -- k: the job's place in its lane's head, as read.
        SELECT row_number() OVER () AS k, o.run_at, o.job_id FROM (
          SELECT r.run_at, r.job_id FROM jobs.tb_job_ready r
          WHERE r.queue = g.queue AND r.service_name = g.service_name AND r.priority = g.priority AND r.run_at <= now()
            AND r.job_id <> ALL(v_ids)
          ORDER BY r.run_at, r.job_id
          LIMIT g.reads
        ) o
      ) h
      WHERE g.reads > 0
    ),
    head AS MATERIALIZED (
      SELECT u.i, u.priority, u.run_at, u.job_id FROM (
        SELECT p.i, p.priority, p.run_at, p.job_id FROM peeked p WHERE p.room >= p_limit
        UNION ALL
        -- A cap holds for the service across its lanes: counted only where there is one.
        SELECT c.i, c.priority, c.run_at, c.job_id FROM (
          SELECT p.*, row_number() OVER (PARTITION BY p.service_no ORDER BY p.priority DESC, p.run_at, p.job_id) AS nth
          FROM peeked p WHERE p.room < p_limit
        ) c
        WHERE c.nth <= c.room
      ) u
      ORDER BY u.priority DESC, u.run_at, u.job_id
      LIMIT v_need
    ),
    last AS MATERIALIZED (
      SELECT h.priority, h.run_at, h.job_id FROM head h ORDER BY h.priority, h.run_at DESC, h.job_id DESC LIMIT 1
    ),
    -- A lane read to its depth, with more it could give, whose last row read still made the claim.
    deeper AS (
      SELECT p.i FROM peeked p
      WHERE p.k = p.reads AND p.reads < p.room
        AND ((SELECT count(*) FROM head) < v_need
          OR EXISTS (SELECT 1 FROM last l WHERE p.priority > l.priority
            OR (p.priority = l.priority AND (p.run_at, p.job_id) <= (l.run_at, l.job_id))))
    )
    SELECT (SELECT array_agg(d.i) FROM deeper d), array_agg(b.i), array_agg(b.n), coalesce(sum(b.n), 0)::integer
    FROM (SELECT h.i, count(*)::integer AS n FROM head h GROUP BY h.i) b
    INTO v_deeper, v_head_lanes, v_head_counts, v_head_size;
    EXIT WHEN v_deeper IS NULL;
    -- Every unread row of a lane left as it is sorts after the claim's last: no deeper read can change it.
    SELECT array_agg(CASE WHEN u.i::integer = ANY(v_deeper) THEN v_room[u.i::integer] ELSE u.r END ORDER BY u.i)
    INTO v_reads FROM unnest(v_reads) WITH ORDINALITY AS u(r, i);
  END LOOP;
  EXIT WHEN v_head_size = 0;
  SELECT array_agg(t.row_id), array_agg(t.job_id), array_agg(b.lane)
  INTO v_new_rows, v_new_ids, v_new_lanes
  FROM unnest(v_head_lanes, v_head_counts) AS b(lane, n)
  CROSS JOIN LATERAL (
    SELECT r.ctid AS row_id, r.job_id FROM jobs.tb_job_ready r
    WHERE r.queue = v_queues[b.lane] AND r.service_name = v_services[b.lane] AND r.priority = v_priorities[b.lane]
      AND r.run_at <= now() AND r.job_id <> ALL(v_ids)
    ORDER BY r.run_at, r.job_id
    LIMIT b.n
    FOR UPDATE OF r SKIP LOCKED
  ) t;
  v_rows := v_rows || coalesce(v_new_rows, '{}');
  v_ids := v_ids || coalesce(v_new_ids, '{}');
  v_lanes := v_lanes || coalesce(v_new_lanes, '{}');
  EXIT WHEN coalesce(cardinality(v_new_ids), 0) = v_head_size;
  -- A capped service's room shrinks by what this claim locked of it; a spent lane has none.
  SELECT array_agg(CASE
      WHEN (SELECT count(*) FROM unnest(v_new_lanes) AS t(lane) WHERE t.lane = u.i)
         < coalesce((SELECT h.n FROM unnest(v_head_lanes, v_head_counts) AS h(lane, n) WHERE h.lane = u.i), 0) THEN 0
      ELSE least(v_room[u.i::integer], greatest(0, v_caps[u.i::integer] - (
        SELECT count(*)::integer FROM unnest(v_lanes) AS t(lane) WHERE v_service_nos[t.lane] = v_service_nos[u.i::integer])))
    END ORDER BY u.i)
  INTO v_room FROM unnest(v_caps) WITH ORDINALITY AS u(c, i);
END LOOP;
RETURN QUERY SELECT unnest(v_rows), unnest(v_ids);
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
