import { z } from 'zod';
import { JobStatus, JsonObject } from '../../../shared/domain.ts';
import type { Actor } from '../../../shared/domain.ts';
import { PassOutput, WorkflowRunStatus } from '../../../shared/workflow.ts';
import type { WorkflowRun, WorkflowRunDetail, WorkflowTask } from '../../../shared/workflow.ts';
import { actorName } from '../actor.ts';
import { RUN_CANCEL } from '../cancelRequest.ts';
import { clampLimit, decodeCursor, encodeCursor } from '../cursor.ts';
import { StoreInputError } from '../errors.ts';
import { checkNewJob } from '../newJobs.ts';
import type { Page, PageRequest } from '../store.ts';
import type { NewWorkflowRun, RunningRunFilter, StuckAfters, WorkflowCancelled, WorkflowRetried, WorkflowRunFilter, WorkflowRunStarted } from '../workflowTypes.ts';
import type { PgDb, Queryable, Row } from './db.ts';
import { rowsOf } from './db.ts';
import { reasonOf, writeAudit } from './operator.ts';
import { countsFrom, rollupFrom } from './tally.ts';
import { STUCK_RUNS, stuckParams } from './stuckRuns.ts';
import { jsonNoNul, noNul } from './text.ts';

/**
 * Workflow runs on PostgreSQL: starting one (its run row, a job per task, the dependencies, in one
 * transaction), reading runs and their tasks, and the operator's retry and cancel of a whole run. Runs move
 * on in jobs.opsdeck_workflow_advance (migration 0015), called by the settle itself and by every other
 * statement that finishes or revives a task, inside that statement's transaction.
 */

const RunRow = z.object({
  id: z.number(),
  identifier: z.string(),
  workflow_name: z.string(),
  status: WorkflowRunStatus,
  payload: JsonObject,
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  finished_at: z.string().nullable(),
  stuck_after_ms: z.number().int().nullable(),
});
type RunRow = z.infer<typeof RunRow>;

const TaskRow = z.object({
  job_id: z.number(),
  task_name: z.string(),
  pass_output: PassOutput.nullable(),
  service_name: z.string(),
  status: JobStatus,
  attempts: z.number(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  error_message: z.string().nullable(),
  depends_on: z.array(z.string()).nullable(),
});

const CountRow = z.object({ workflow_run_id: z.number(), status: z.string(), n: z.number() });

const RUN_COLUMNS = `id, identifier, workflow_name, status, payload, created_by, created_at, updated_at, finished_at, stuck_after_ms`;

/**
 * The run, its jobs (pending when they depend on nothing, else waiting; only the pending ones take a
 * place in tb_job_ready), their task rows and dependencies, and the kept counts, in one statement.
 */
const START_SQL = `
WITH run AS (
  INSERT INTO jobs.tb_workflow_run (identifier, workflow_name, status, payload, created_by, stuck_after_ms)
  VALUES ($1, $2, 'running', $3::jsonb, $4, $6::bigint) RETURNING id
),
input AS (
  SELECT (e.value ->> 'identifier') AS identifier, (e.value ->> 'queue') AS queue, (e.value ->> 'service_name') AS service_name,
    (e.value ->> 'execution_type') AS execution_type, (e.value -> 'payload') AS payload, (e.value ->> 'priority')::int AS priority,
    (e.value ->> 'max_attempts')::int AS max_attempts, (e.value ->> 'name') AS task_name, (e.value ->> 'pass_output') AS pass_output,
    jsonb_array_length(e.value -> 'depends_on') > 0 AS waits, (e.ord - 1)::int AS position
  FROM jsonb_array_elements($5::jsonb) WITH ORDINALITY AS e(value, ord)
),
inserted AS (
  INSERT INTO jobs.tb_job_run (identifier, queue, service_name, execution_type, payload, status, priority, max_attempts, run_at, workflow_run_id)
  SELECT i.identifier, i.queue, i.service_name, i.execution_type, i.payload, CASE WHEN i.waits THEN 'waiting' ELSE 'pending' END,
    i.priority, i.max_attempts, now(), (SELECT id FROM run)
  FROM input i ORDER BY i.position
  RETURNING id, identifier, queue, service_name, execution_type, priority, run_at, status
),
tasks AS (
  INSERT INTO jobs.tb_workflow_task (job_id, run_id, task_name, pass_output, position)
  SELECT n.id, (SELECT id FROM run), i.task_name, i.pass_output, i.position FROM inserted n JOIN input i ON i.identifier = n.identifier
),
deps AS (
  INSERT INTO jobs.tb_workflow_dep (job_id, upstream_job_id)
  SELECT DISTINCT n.id, u.id
  FROM jsonb_array_elements($5::jsonb) AS e(value)
  CROSS JOIN LATERAL jsonb_array_elements_text(e.value -> 'depends_on') AS dep(name)
  JOIN inserted n ON n.identifier = e.value ->> 'identifier'
  JOIN input ui ON ui.task_name = dep.name
  JOIN inserted u ON u.identifier = ui.identifier
),
ready AS (
  INSERT INTO jobs.tb_job_ready (job_id, queue, service_name, priority, run_at)
  SELECT id, queue, service_name, priority, run_at FROM inserted WHERE status = 'pending'
),
counted AS (
  ${countsFrom(`SELECT queue, service_name, execution_type, status AS state, '' AS fingerprint, 1 AS delta FROM inserted`)}
)
SELECT (SELECT id FROM run) AS id, count(*) AS n FROM inserted`;

export function startWorkflowRun(db: PgDb, input: NewWorkflowRun, actor: Actor): Promise<WorkflowRunStarted> {
  input.tasks.forEach((task, index) => checkNewJob(task.job, index));
  return db.tx((client) => startWorkflowRunIn(client, input, actor));
}

/**
 * Starts a run inside the caller's transaction (a schedule's fire starts its run in its own): the run
 * row, a job per task, the dependencies, the kept counts and, for an operator's start, the audit (a
 * schedule's fire is recorded as a fire instead: a cron is no operator action). The caller checks the
 * jobs first (checkNewJob).
 */
export async function startWorkflowRunIn(client: Queryable, input: NewWorkflowRun, actor: Actor, audited = true): Promise<WorkflowRunStarted> {
  const tasks = input.tasks.map((t) => ({
    name: t.name,
    depends_on: t.depends_on,
    pass_output: t.pass_output,
    identifier: t.job.identifier,
    queue: t.job.queue,
    service_name: t.job.service_name,
    execution_type: t.job.execution_type,
    payload: t.job.payload ?? {},
    priority: t.job.priority ?? 0,
    max_attempts: t.job.max_attempts,
  }));
  // Two starts of one identifier at once: the second waits here for the first, then finds its run.
  await client.query(`SELECT pg_advisory_xact_lock(hashtext('opsdeck.workflow_run'), hashtext($1))`, [input.identifier]);
  const existing = await rowsOf(client, `SELECT id FROM jobs.tb_workflow_run WHERE identifier = $1`, [noNul(input.identifier)]);
  const found = existing[0];
  if (found) return { run_id: z.number().parse(found.id), identifier: input.identifier, created: false };
  const taken = await rowsOf(client, `SELECT identifier FROM jobs.tb_job_run WHERE identifier = ANY($1::text[]) LIMIT 1`, [
    tasks.map((t) => noNul(t.identifier)),
  ]);
  if (taken[0]) throw new StoreInputError(`a job with identifier "${String(taken[0].identifier)}" exists already: choose another run identifier`);
  const rows = await rowsOf(client, START_SQL, [
    noNul(input.identifier),
    noNul(input.workflow),
    jsonNoNul(input.payload),
    noNul(actorName(actor)),
    jsonNoNul(tasks),
    Math.max(0, Math.trunc(input.stuckAfterMs)),
  ]);
  const run = z.object({ id: z.number() }).parse(rows[0]).id;
  if (audited) await writeAudit(client, actorName(actor), 'workflow.run', input.identifier, tasks.length, { workflow: input.workflow });
  return { run_id: run, identifier: input.identifier, created: true };
}

async function withCounts(db: PgDb, rows: Row[]): Promise<WorkflowRun[]> {
  const runs: RunRow[] = rows.map((r) => RunRow.parse(r));
  if (runs.length === 0) return [];
  const counts = new Map<number, Record<string, number>>();
  const countRows = await db.read(
    `SELECT workflow_run_id, status, count(*) AS n FROM jobs.tb_job_run WHERE workflow_run_id = ANY($1::bigint[]) GROUP BY 1, 2`,
    [runs.map((r) => r.id)],
  );
  for (const row of countRows) {
    const c = CountRow.parse(row);
    const of = counts.get(c.workflow_run_id) ?? {};
    of[c.status] = c.n;
    counts.set(c.workflow_run_id, of);
  }
  return runs.map((r) => ({
    id: r.id,
    identifier: r.identifier,
    workflow: r.workflow_name,
    status: r.status,
    payload: r.payload,
    created_by: r.created_by,
    created_at: r.created_at,
    updated_at: r.updated_at,
    finished_at: r.finished_at,
    stuck_after_ms: r.stuck_after_ms,
    tasks: counts.get(r.id) ?? {},
  }));
}

export async function getWorkflowRun(db: PgDb, idOrIdentifier: number | string): Promise<WorkflowRunDetail | null> {
  const byId = typeof idOrIdentifier === 'number';
  if (byId && !Number.isSafeInteger(idOrIdentifier)) return null;
  const rows = await db.read(
    `SELECT ${RUN_COLUMNS} FROM jobs.tb_workflow_run WHERE ${byId ? 'id = $1::bigint' : 'identifier = $1::text'}`,
    [byId ? idOrIdentifier : noNul(idOrIdentifier)],
  );
  const [run] = await withCounts(db, rows);
  if (!run) return null;
  const taskRows = await db.read(
    `SELECT t.job_id, t.task_name, t.pass_output, j.service_name, j.status, j.attempts, j.started_at, j.completed_at, j.error_message,
       (SELECT array_agg(u.task_name ORDER BY u.position) FROM jobs.tb_workflow_dep d JOIN jobs.tb_workflow_task u ON u.job_id = d.upstream_job_id
        WHERE d.job_id = t.job_id) AS depends_on
     FROM jobs.tb_workflow_task t JOIN jobs.tb_job_run j ON j.id = t.job_id
     WHERE t.run_id = $1 ORDER BY t.position`,
    [run.id],
  );
  const tasks: WorkflowTask[] = taskRows.map((row) => {
    const t = TaskRow.parse(row);
    return {
      name: t.task_name,
      job_id: t.job_id,
      service_name: t.service_name,
      status: t.status,
      depends_on: t.depends_on ?? [],
      pass_output: t.pass_output,
      attempts: t.attempts,
      started_at: t.started_at,
      completed_at: t.completed_at,
      error_message: t.error_message,
    };
  });
  return { run, tasks };
}

export async function listWorkflowRuns(db: PgDb, filter: WorkflowRunFilter, page: PageRequest): Promise<Page<WorkflowRun>> {
  const limit = clampLimit(page.limit);
  const rows = await db.read(
    `SELECT ${RUN_COLUMNS} FROM jobs.tb_workflow_run
     WHERE ($1::text IS NULL OR workflow_name = $1) AND ($2::text IS NULL OR status = $2) AND ($3::bigint IS NULL OR id < $3)
     ORDER BY id DESC LIMIT $4`,
    [filter.workflow === undefined ? null : noNul(filter.workflow), filter.status ?? null, decodeCursor(page.after), limit + 1],
  );
  const items = await withCounts(db, rows.slice(0, limit));
  const last = items.at(-1);
  return { items, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}

export async function runningWorkflowRuns(db: PgDb, limit: number, filter: RunningRunFilter): Promise<WorkflowRun[]> {
  const rows = await db.read(
    `SELECT ${RUN_COLUMNS} FROM jobs.tb_workflow_run WHERE status = 'running' AND (NOT $2::boolean OR stuck_after_ms IS NULL)
     ORDER BY updated_at LIMIT $1`,
    [Math.max(1, Math.min(1000, Math.trunc(limit))), filter.withoutOwnStuckAfter === true],
  );
  return withCounts(db, rows);
}

/** Numbered within each workflow, so a workflow with many stuck runs leaves room for the others'. */
export async function stuckWorkflowRuns(db: PgDb, now: Date, held: StuckAfters, perWorkflow: number): Promise<WorkflowRun[]> {
  const rows = await db.read(
    `SELECT ${RUN_COLUMNS} FROM (
       SELECT r.*, row_number() OVER (PARTITION BY r.workflow_name ORDER BY r.updated_at, r.id) AS nth FROM ${STUCK_RUNS}
     ) s WHERE nth <= $5 ORDER BY updated_at, id`,
    [...stuckParams(now, held), Math.max(1, Math.min(1000, Math.trunc(perWorkflow)))],
  );
  return withCounts(db, rows);
}

/** Every retried task waits: the advance that follows releases each whose upstreams all completed. */
const RETRY_RUN_SQL = `
WITH changed AS (
  UPDATE jobs.tb_job_run SET status = 'waiting', attempts = 0, interruptions = 0, run_at = now(), completed_at = NULL, updated_at = now(),
    lease_owner = NULL, lease_expires_at = NULL, attempt_id = NULL, resolved_at = NULL, resolution = NULL, cancel_requested = false
  FROM (SELECT id AS old_id, status AS old_status, resolved_at AS old_resolved FROM jobs.tb_job_run
        WHERE workflow_run_id = $1 AND status IN ('failed', 'cancelled') FOR UPDATE) o
  WHERE id = o.old_id
  RETURNING id, queue, service_name, execution_type, error_fingerprint, o.old_status, o.old_resolved
),
counted AS (
  ${countsFrom(`SELECT queue, service_name, execution_type, old_status AS state, '' AS fingerprint, -1 AS delta FROM changed
    UNION ALL SELECT queue, service_name, execution_type, 'waiting', '', 1 FROM changed
    UNION ALL SELECT queue, service_name, execution_type, 'dead_letter', coalesce(error_fingerprint, ''), -1 FROM changed
      WHERE old_status = 'failed' AND old_resolved IS NULL`)}
)
SELECT id FROM changed ORDER BY id`;

export async function retryWorkflowRun(db: PgDb, runId: number, actor: Actor): Promise<WorkflowRetried | null> {
  if (!Number.isSafeInteger(runId)) return null;
  return db.tx(async (client) => {
    // The run first, as the settle's advance takes it before the tasks it moves.
    const run = await rowsOf(client, `SELECT status FROM jobs.tb_workflow_run WHERE id = $1 FOR UPDATE`, [runId]);
    if (!run[0]) return null;
    const found = WorkflowRunStatus.parse(run[0].status);
    const retried = (await rowsOf(client, RETRY_RUN_SQL, [runId])).map((r) => z.number().parse(r.id));
    if (retried.length > 0) {
      await client.query(`UPDATE jobs.tb_workflow_run SET status = 'running', finished_at = NULL, updated_at = now() WHERE id = $1`, [runId]);
      await client.query(`SELECT jobs.opsdeck_workflow_advance(ARRAY[$1::bigint])`, [runId]);
      await writeAudit(client, actorName(actor), 'workflow.retry', String(runId), retried.length, { jobs: retried });
    }
    return { retried, found };
  });
}

/** Pending tasks leave tb_job_ready first: a claim locks ready rows before jobs, and so must this. */
const CANCEL_RUN_SQL = `
WITH unready AS (
  DELETE FROM jobs.tb_job_ready r USING jobs.tb_job_run j
  WHERE j.workflow_run_id = $1 AND j.status = 'pending' AND r.job_id = j.id AND r.priority = j.priority AND r.run_at = j.run_at
  RETURNING r.job_id
),
changed AS (
  UPDATE jobs.tb_job_run j SET status = 'cancelled', completed_at = now(), updated_at = now()
  FROM (SELECT id AS old_id, status AS old_status FROM jobs.tb_job_run
        WHERE workflow_run_id = $1 AND status IN ('pending', 'waiting', 'blocked') FOR UPDATE) o
  WHERE j.id = o.old_id
  RETURNING j.id, j.queue, j.service_name, j.execution_type, o.old_status
),
counted AS (
  ${countsFrom(`SELECT queue, service_name, execution_type, old_status AS state, '' AS fingerprint, -1 AS delta FROM changed
    UNION ALL SELECT queue, service_name, execution_type, 'cancelled', '', 1 FROM changed`)}
),
rolled AS (
  ${rollupFrom('changed', { cancelled: 'true' })}
)
SELECT count(*) AS n FROM changed`;

/**
 * The run's running tasks, locked before the run itself: a settle locks its job rows first and then, in its
 * advance, the run, so a cancel that held the run while it reached for a running task could deadlock with
 * it. Only locked here; they are asked to stop once the run is known to be running.
 */
const LOCK_RUNNING_SQL = `SELECT id FROM jobs.tb_job_run WHERE workflow_run_id = $1 AND status = 'running' ORDER BY id FOR UPDATE`;

const STOP_RUNNING_SQL = `UPDATE jobs.tb_job_run SET cancel_requested = true, updated_at = now()
  WHERE workflow_run_id = $1 AND status = 'running' AND NOT cancel_requested RETURNING id`;

/**
 * One transaction, as on SQLite: the run cancelled with what has not started, its running tasks asked to
 * stop, and the audit row, or none of it. A crash or a dropped connection part way leaves the run as it was.
 */
export async function cancelWorkflowRun(db: PgDb, runId: number, actor: Actor, reason: string | null): Promise<WorkflowCancelled | null> {
  if (!Number.isSafeInteger(runId)) return null;
  const why = reasonOf(reason);
  return db.tx(async (client) => {
    await client.query(LOCK_RUNNING_SQL, [runId]);
    // A second cancel waits here for the first, then finds the run cancelled.
    const run = await rowsOf(client, `SELECT status FROM jobs.tb_workflow_run WHERE id = $1 FOR UPDATE`, [runId]);
    if (!run[0]) return null;
    const found = WorkflowRunStatus.parse(run[0].status);
    if (found !== 'running') return { cancelled: 0, stopping: 0, found };
    const cancelled = z.number().parse((await rowsOf(client, CANCEL_RUN_SQL, [runId]))[0]?.n ?? 0);
    await client.query(`UPDATE jobs.tb_workflow_run SET status = 'cancelled', updated_at = now() WHERE id = $1`, [runId]);
    await client.query(`SELECT jobs.opsdeck_workflow_advance(ARRAY[$1::bigint])`, [runId]);
    // A task claimed after the lock above is running by now and is asked too: the run is cancelled, its lock
    // is ours, and a deadlock with that task's settle is run again whole (PgDb.tx).
    const stopping = (await rowsOf(client, STOP_RUNNING_SQL, [runId])).length;
    await writeAudit(client, actorName(actor), RUN_CANCEL, String(runId), cancelled + stopping, { reason: why, cancelled, stopping });
    return { cancelled, stopping, found };
  });
}
