-- Workflows (the registry's `workflows:`): a run is a set of jobs, one per task, released in the order of
-- their dependencies. Two job states join the five: `waiting` (a task whose upstream tasks have not all
-- completed: it has no row in tb_job_ready, so no claim ever sees it) and `blocked` (a task whose upstream
-- failed or was cancelled, until that upstream is retried). Jobs that are not workflow tasks have a null
-- workflow_run_id and cost the settle one more column in its RETURNING, nothing else; the column never
-- changes after insert and its index is partial on it, so claims and settles stay HOT.
ALTER TABLE jobs.tb_job_run DROP CONSTRAINT tb_job_run_status_check;
ALTER TABLE jobs.tb_job_run ADD CONSTRAINT tb_job_run_status_check
  CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled', 'waiting', 'blocked')) NOT VALID;
ALTER TABLE jobs.tb_job_run VALIDATE CONSTRAINT tb_job_run_status_check;
ALTER TABLE jobs.tb_job_run ADD COLUMN workflow_run_id bigint;
CREATE INDEX idx_tb_job_run_workflow ON jobs.tb_job_run (workflow_run_id) WHERE workflow_run_id IS NOT NULL;

-- One row per run. `updated_at` is the run's last progress (a task released, finished, blocked or
-- retried): a running run whose updated_at is old is stuck. `identifier` makes starting a run idempotent.
CREATE TABLE jobs.tb_workflow_run (
  id bigserial PRIMARY KEY,
  identifier text NOT NULL UNIQUE,
  workflow_name text NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
  payload jsonb NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX idx_tb_workflow_run_running ON jobs.tb_workflow_run (updated_at) WHERE status = 'running';
CREATE INDEX idx_tb_workflow_run_name ON jobs.tb_workflow_run (workflow_name, id);

CREATE TABLE jobs.tb_workflow_task (
  job_id bigint PRIMARY KEY REFERENCES jobs.tb_job_run (id) ON DELETE CASCADE,
  run_id bigint NOT NULL REFERENCES jobs.tb_workflow_run (id) ON DELETE CASCADE,
  task_name text NOT NULL,
  pass_output text CHECK (pass_output IN ('tail', 'json')),
  position integer NOT NULL,
  UNIQUE (run_id, task_name)
);

-- job_id depends on upstream_job_id.
CREATE TABLE jobs.tb_workflow_dep (
  job_id bigint NOT NULL REFERENCES jobs.tb_job_run (id) ON DELETE CASCADE,
  upstream_job_id bigint NOT NULL REFERENCES jobs.tb_job_run (id) ON DELETE CASCADE,
  PRIMARY KEY (job_id, upstream_job_id)
);
CREATE INDEX idx_tb_workflow_dep_upstream ON jobs.tb_workflow_dep (upstream_job_id);

-- A task's output read as JSON, or null when it is not JSON.
CREATE FUNCTION jobs.opsdeck_try_jsonb(p_text text)
RETURNS jsonb
LANGUAGE plpgsql
IMMUTABLE
AS $fn$
BEGIN
  RETURN p_text::jsonb;
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$fn$;

-- Moves runs on, inside the transaction that changed one of their tasks. Each run row is locked first,
-- so two settles finishing the two upstreams of one task take turns, and the second (whose statements
-- read afresh once it holds the lock) sees both completed and releases the task: no release is lost.
-- In order: blocked tasks whose upstreams are no longer failed wait again; waiting tasks with a failed,
-- cancelled or blocked upstream are blocked, with the reason; waiting tasks whose upstreams all completed
-- are released to pending (with a place in tb_job_ready and their upstreams' outputs under
-- payload.workflow.upstream); the run's status follows its tasks. The kept counts move with each change.
CREATE FUNCTION jobs.opsdeck_workflow_advance(p_runs bigint[])
RETURNS void
LANGUAGE plpgsql
VOLATILE
AS $fn$
DECLARE
  v_run bigint;
  v_n bigint;
  v_total bigint;
  v_completed bigint;
  v_active bigint;
  v_was text;
  v_status text;
BEGIN
FOR v_run IN SELECT r.id FROM jobs.tb_workflow_run r WHERE r.id = ANY(p_runs) ORDER BY r.id FOR UPDATE OF r LOOP
  LOOP
    WITH moved AS (
      UPDATE jobs.tb_job_run j SET status = 'waiting', error_message = NULL, updated_at = now()
      WHERE j.workflow_run_id = v_run AND j.status = 'blocked'
        AND NOT EXISTS (SELECT 1 FROM jobs.tb_workflow_dep d JOIN jobs.tb_job_run u ON u.id = d.upstream_job_id
                        WHERE d.job_id = j.id AND u.status IN ('failed', 'cancelled', 'blocked'))
      RETURNING j.queue, j.service_name, j.execution_type
    ),
    counted AS (
      INSERT INTO jobs.tb_job_count AS c (queue, service_name, execution_type, state, fingerprint, stripe, n)
      SELECT m.queue, m.service_name, m.execution_type, s.state, '', (pg_backend_pid() % 64)::smallint, s.sign * count(*)
      FROM moved m CROSS JOIN (VALUES ('blocked', -1), ('waiting', 1)) AS s(state, sign)
      GROUP BY m.queue, m.service_name, m.execution_type, s.state, s.sign
      ON CONFLICT (queue, service_name, execution_type, state, fingerprint, stripe) DO UPDATE SET n = c.n + excluded.n
    )
    SELECT count(*) INTO v_n FROM moved;
    EXIT WHEN v_n = 0;
  END LOOP;
  LOOP
    WITH moved AS (
      UPDATE jobs.tb_job_run j SET status = 'blocked', updated_at = now(),
        error_message = (
          SELECT 'upstream task ''' || t.task_name || ''' ' || CASE u.status WHEN 'blocked' THEN 'is blocked' ELSE u.status END
          FROM jobs.tb_workflow_dep d JOIN jobs.tb_job_run u ON u.id = d.upstream_job_id JOIN jobs.tb_workflow_task t ON t.job_id = u.id
          WHERE d.job_id = j.id AND u.status IN ('failed', 'cancelled', 'blocked')
          ORDER BY t.position LIMIT 1)
      WHERE j.workflow_run_id = v_run AND j.status = 'waiting'
        AND EXISTS (SELECT 1 FROM jobs.tb_workflow_dep d JOIN jobs.tb_job_run u ON u.id = d.upstream_job_id
                    WHERE d.job_id = j.id AND u.status IN ('failed', 'cancelled', 'blocked'))
      RETURNING j.queue, j.service_name, j.execution_type
    ),
    counted AS (
      INSERT INTO jobs.tb_job_count AS c (queue, service_name, execution_type, state, fingerprint, stripe, n)
      SELECT m.queue, m.service_name, m.execution_type, s.state, '', (pg_backend_pid() % 64)::smallint, s.sign * count(*)
      FROM moved m CROSS JOIN (VALUES ('waiting', -1), ('blocked', 1)) AS s(state, sign)
      GROUP BY m.queue, m.service_name, m.execution_type, s.state, s.sign
      ON CONFLICT (queue, service_name, execution_type, state, fingerprint, stripe) DO UPDATE SET n = c.n + excluded.n
    )
    SELECT count(*) INTO v_n FROM moved;
    EXIT WHEN v_n = 0;
  END LOOP;
  WITH ready AS (
    SELECT j.id FROM jobs.tb_job_run j
    WHERE j.workflow_run_id = v_run AND j.status = 'waiting'
      AND NOT EXISTS (SELECT 1 FROM jobs.tb_workflow_dep d JOIN jobs.tb_job_run u ON u.id = d.upstream_job_id
                      WHERE d.job_id = j.id AND u.status <> 'completed')
  ),
  passed AS (
    SELECT d.job_id,
      jsonb_object_agg(t.task_name, CASE t.pass_output WHEN 'json' THEN jobs.opsdeck_try_jsonb(a.output_tail) ELSE to_jsonb(a.output_tail) END)
        AS upstream
    FROM ready r
    JOIN jobs.tb_workflow_dep d ON d.job_id = r.id
    JOIN jobs.tb_workflow_task t ON t.job_id = d.upstream_job_id
    LEFT JOIN LATERAL (
      SELECT x.output_tail FROM jobs.tb_job_attempt x WHERE x.job_id = t.job_id AND x.outcome = 'completed' ORDER BY x.id DESC LIMIT 1
    ) a ON true
    WHERE t.pass_output IS NOT NULL
    GROUP BY d.job_id
  ),
  moved AS (
    UPDATE jobs.tb_job_run j SET status = 'pending', run_at = now(), updated_at = now(),
      payload = CASE WHEN p.upstream IS NULL OR jsonb_typeof(j.payload) IS DISTINCT FROM 'object' THEN j.payload
        ELSE jsonb_set(j.payload, '{workflow}',
          coalesce(CASE WHEN jsonb_typeof(j.payload -> 'workflow') = 'object' THEN j.payload -> 'workflow' END, '{}'::jsonb)
            || jsonb_build_object('upstream', p.upstream)) END
    FROM ready r LEFT JOIN passed p ON p.job_id = r.id
    WHERE j.id = r.id AND j.status = 'waiting'
    RETURNING j.id, j.queue, j.service_name, j.execution_type, j.priority, j.run_at
  ),
  queued AS (
    INSERT INTO jobs.tb_job_ready (job_id, queue, service_name, priority, run_at)
    SELECT id, queue, service_name, priority, run_at FROM moved
  ),
  counted AS (
      INSERT INTO jobs.tb_job_count AS c (queue, service_name, execution_type, state, fingerprint, stripe, n)
      SELECT m.queue, m.service_name, m.execution_type, s.state, '', (pg_backend_pid() % 64)::smallint, s.sign * count(*)
      FROM moved m CROSS JOIN (VALUES ('waiting', -1), ('pending', 1)) AS s(state, sign)
      GROUP BY m.queue, m.service_name, m.execution_type, s.state, s.sign
      ON CONFLICT (queue, service_name, execution_type, state, fingerprint, stripe) DO UPDATE SET n = c.n + excluded.n
    )
  SELECT count(*) INTO v_n FROM moved;
  SELECT count(*), count(*) FILTER (WHERE status = 'completed'), count(*) FILTER (WHERE status IN ('pending', 'running', 'waiting'))
  INTO v_total, v_completed, v_active
  FROM jobs.tb_job_run WHERE workflow_run_id = v_run;
  SELECT status INTO v_was FROM jobs.tb_workflow_run WHERE id = v_run;
  v_status := CASE WHEN v_total > 0 AND v_completed = v_total THEN 'completed'
    WHEN v_was = 'cancelled' THEN 'cancelled'
    WHEN v_active > 0 THEN 'running'
    ELSE 'failed' END;
  UPDATE jobs.tb_workflow_run SET status = v_status, updated_at = now(),
    finished_at = CASE WHEN v_status = 'running' THEN NULL ELSE coalesce(finished_at, now()) END
  WHERE id = v_run;
END LOOP;
END
$fn$;

-- The settle as 0008 left it, and: a workflow task that completed, failed or was cancelled moves its run
-- on before the settle's transaction ends.
CREATE OR REPLACE FUNCTION jobs.opsdeck_settle(p_settlements jsonb, p_done_leases bigint[])
 RETURNS TABLE(id bigint)
 LANGUAGE plpgsql
 SET enable_bitmapscan TO 'off'
 SET enable_seqscan TO 'off'
 SET enable_hashjoin TO 'off'
 SET enable_mergejoin TO 'off'
 SET jit TO 'off'
AS $fn$
#variable_conflict use_column
DECLARE
  v_ids bigint[];
  v_runs bigint[];
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
    j.started_at, j.error_fingerprint AS fingerprint, j.workflow_run_id, s.kind, s.attempt_id, s.worker_id, s.outcome, s.error_message,
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
SELECT array_agg(settled.id),
  array_agg(DISTINCT settled.workflow_run_id) FILTER (WHERE settled.workflow_run_id IS NOT NULL AND settled.status IN ('completed', 'failed', 'cancelled'))
INTO v_ids, v_runs FROM settled;
-- Workflow tasks that finished move their runs on here, in the settle's own transaction.
IF v_runs IS NOT NULL THEN
  PERFORM jobs.opsdeck_workflow_advance(v_runs);
END IF;
IF cardinality(p_done_leases) > 0 THEN
  DELETE FROM jobs.tb_job_lease l WHERE l.id = ANY(p_done_leases);
END IF;
RETURN QUERY SELECT unnest(v_ids);
END
$fn$;
