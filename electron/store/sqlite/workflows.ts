import type BetterSqlite3 from 'better-sqlite3';
import type { Actor } from '../../../shared/domain.ts';
import { JsonObject } from '../../../shared/domain.ts';
import { actorName } from '../actor.ts';
import { RUN_CANCEL } from '../cancelRequest.ts';
import { StoreInputError } from '../errors.ts';
import { PassOutput, WorkflowRunStatus } from '../../../shared/workflow.ts';
import type { WorkflowRun, WorkflowRunDetail, WorkflowTask } from '../../../shared/workflow.ts';
import { JobStatus } from '../../../shared/domain.ts';
import { clampLimit, decodeCursor, encodeCursor } from '../cursor.ts';
import { checkNewJob } from '../newJobs.ts';
import type { Page, PageRequest } from '../store.ts';
import type { NewWorkflowRun, RunningRunFilter, StuckAfters, WorkflowCancelled, WorkflowRetried, WorkflowRunFilter, WorkflowRunStarted } from '../workflowTypes.ts';
import { now, reasonOrNull } from './db.ts';
import { STUCK_RUNS, stuckParams, type StuckParams } from './stuckRuns.ts';
import type { Connection, SqliteDb } from './db.ts';
import { Tally } from './tally.ts';
import type { JobKind } from './tally.ts';
import { SqliteWorkflowAdvance } from './workflowAdvance.ts';

/**
 * Workflow runs on SQLite: starting one (its run row, a job per task, the dependencies, in one
 * transaction), reading runs and their tasks, and the operator's retry and cancel of a whole run.
 */

interface RunRow {
  id: number;
  identifier: string;
  workflow_name: string;
  status: string;
  payload: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  stuck_after_ms: number | null;
}

interface TaskRow {
  job_id: number;
  task_name: string;
  pass_output: string | null;
  service_name: string;
  status: string;
  attempts: number;
  started_at: string | null;
  completed_at: string | null;
  error_message: string | null;
  depends_on: string | null;
}

const NO_CURSOR = Number.MAX_SAFE_INTEGER;
const RUN_COLUMNS = `id, identifier, workflow_name, status, payload, created_by, created_at, updated_at, finished_at, stuck_after_ms`;

function prepareWorkflowStatements(db: Connection) {
  return {
    runByIdentifier: db.prepare<[string], RunRow>(`SELECT * FROM tb_workflow_run WHERE identifier = ?`),
    runById: db.prepare<[number], RunRow>(`SELECT * FROM tb_workflow_run WHERE id = ?`),
    insertRun: db.prepare<[{ identifier: string; workflow: string; payload: string; by: string; at: string; stuck: number }]>(
      `INSERT INTO tb_workflow_run (identifier, workflow_name, status, payload, created_by, created_at, updated_at, stuck_after_ms)
       VALUES (@identifier, @workflow, 'running', @payload, @by, @at, @at, @stuck)`,
    ),
    nextId: db.prepare<[], { next: number }>(
      `SELECT max(coalesce((SELECT max(id) FROM tb_job_run), 0), (SELECT last_id FROM tb_job_id_floor)) + 1 AS next`,
    ),
    insertJob: db.prepare<[Record<string, string | number>]>(
      `INSERT INTO tb_job_run (id, identifier, queue, service_name, execution_type, payload, status, priority, max_attempts, run_at,
         created_at, updated_at, workflow_run_id)
       VALUES (@id, @identifier, @queue, @service, @type, @payload, @status, @priority, @max_attempts, @at, @at, @at, @run)`,
    ),
    identifierTaken: db.prepare<[string], { id: number }>(`SELECT id FROM tb_job_run WHERE identifier = ?`),
    insertTask: db.prepare<[{ job: number; run: number; name: string; pass: string | null; position: number }]>(
      `INSERT INTO tb_workflow_task (job_id, run_id, task_name, pass_output, position) VALUES (@job, @run, @name, @pass, @position)`,
    ),
    insertDep: db.prepare<[number, number]>(`INSERT INTO tb_workflow_dep (job_id, upstream_job_id) VALUES (?, ?)`),
    tasks: db.prepare<[number], TaskRow>(
      `SELECT t.job_id, t.task_name, t.pass_output, j.service_name, j.status, j.attempts, j.started_at, j.completed_at, j.error_message,
         (SELECT json_group_array(u.task_name) FROM tb_workflow_dep d JOIN tb_workflow_task u ON u.job_id = d.upstream_job_id
          WHERE d.job_id = t.job_id) AS depends_on
       FROM tb_workflow_task t JOIN tb_job_run j ON j.id = t.job_id
       WHERE t.run_id = ? ORDER BY t.position`,
    ),
    taskCounts: db.prepare<[string], { workflow_run_id: number; status: string; n: number }>(
      `SELECT workflow_run_id, status, count(*) AS n FROM tb_job_run
       WHERE workflow_run_id IN (SELECT value FROM json_each(?)) GROUP BY workflow_run_id, status`,
    ),
    running: db.prepare<[{ limit: number; unset: number }], RunRow>(
      `SELECT * FROM tb_workflow_run WHERE status = 'running' AND (@unset = 0 OR stuck_after_ms IS NULL) ORDER BY updated_at LIMIT @limit`,
    ),
    // Numbered within each workflow, so a workflow with many stuck runs leaves room for the others'.
    stuck: db.prepare<[StuckParams & { per: number }], RunRow>(
      `SELECT ${RUN_COLUMNS} FROM (
         SELECT r.*, row_number() OVER (PARTITION BY r.workflow_name ORDER BY r.updated_at, r.id) AS nth FROM ${STUCK_RUNS}
       ) WHERE nth <= @per ORDER BY updated_at, id`,
    ),
    retryable: db.prepare<[number], { id: number; status: string; resolved_at: string | null; error_fingerprint: string | null } & JobKind>(
      `SELECT id, status, resolved_at, error_fingerprint, queue, service_name, execution_type FROM tb_job_run
       WHERE workflow_run_id = ? AND (status = 'failed' OR status = 'cancelled')`,
    ),
    // Every retried task waits: the advance that follows releases each whose upstreams all completed.
    retryJob: db.prepare<[{ at: string; job: number }]>(
      `UPDATE tb_job_run SET status = 'waiting', attempts = 0, interruptions = 0, run_at = @at, updated_at = @at, completed_at = NULL,
         resolved_at = NULL, resolution = NULL, lease_owner = NULL, lease_expires_at = NULL, cancel_requested = 0
       WHERE id = @job AND (status = 'failed' OR status = 'cancelled')`,
    ),
    reopenRun: db.prepare<[string, number]>(`UPDATE tb_workflow_run SET status = 'running', updated_at = ?, finished_at = NULL WHERE id = ?`),
    notStarted: db.prepare<[number], { id: number; status: string } & JobKind>(
      `SELECT id, status, queue, service_name, execution_type FROM tb_job_run
       WHERE workflow_run_id = ? AND (status = 'pending' OR status = 'waiting' OR status = 'blocked')`,
    ),
    cancelOne: db.prepare<[{ at: string; job: number }]>(`UPDATE tb_job_run SET status = 'cancelled', completed_at = @at, updated_at = @at WHERE id = @job`),
    stopRunning: db.prepare<[string, number]>(
      `UPDATE tb_job_run SET cancel_requested = 1, updated_at = ? WHERE workflow_run_id = ? AND status = 'running' AND cancel_requested = 0`,
    ),
    markCancelled: db.prepare<[string, number]>(`UPDATE tb_workflow_run SET status = 'cancelled', updated_at = ? WHERE id = ?`),
  };
}

export class SqliteWorkflows {
  readonly #db: SqliteDb;
  readonly #s: ReturnType<typeof prepareWorkflowStatements>;
  readonly #advance: SqliteWorkflowAdvance;
  readonly #pages = new Map<string, BetterSqlite3.Statement<unknown[], RunRow>>();

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#s = prepareWorkflowStatements(db.connection);
    this.#advance = new SqliteWorkflowAdvance(db.connection);
  }

  start(input: NewWorkflowRun, actor: Actor): WorkflowRunStarted {
    input.tasks.forEach((task, index) => checkNewJob(task.job, index));
    return this.#db.guard(() => this.#db.write(() => this.startIn(input, actor, now())));
  }

  /**
   * Starts a run inside the caller's write transaction (a schedule's fire starts its run in its own):
   * the run row, a job per task, the dependencies, the kept counts and, for an operator's start, the
   * audit (a schedule's fire is recorded as a fire instead: a cron is no operator action). The caller
   * checks the jobs first (checkNewJob).
   */
  startIn(input: NewWorkflowRun, actor: Actor, at: string, audited = true): WorkflowRunStarted {
    const existing = this.#s.runByIdentifier.get(input.identifier);
    if (existing) return { run_id: existing.id, identifier: existing.identifier, created: false };
    for (const task of input.tasks) {
      if (this.#s.identifierTaken.get(task.job.identifier)) {
        throw new StoreInputError(`a job with identifier "${task.job.identifier}" exists already: choose another run identifier`);
      }
    }
    const run = Number(
      this.#s.insertRun.run({ identifier: input.identifier, workflow: input.workflow, payload: JSON.stringify(input.payload), by: actorName(actor), at, stuck: Math.max(0, Math.trunc(input.stuckAfterMs)) })
        .lastInsertRowid,
    );
    const tally = new Tally(Date.parse(at));
    const ids = new Map<string, number>();
    let next = this.#s.nextId.get()?.next ?? 1;
    input.tasks.forEach((task, position) => {
      const status = task.depends_on.length > 0 ? 'waiting' : 'pending';
      const id = next++;
      const { job } = task;
      this.#s.insertJob.run({
        id,
        identifier: job.identifier,
        queue: job.queue,
        service: job.service_name,
        type: job.execution_type,
        payload: JSON.stringify(job.payload ?? {}),
        status,
        priority: job.priority ?? 0,
        max_attempts: job.max_attempts,
        at,
        run,
      });
      this.#s.insertTask.run({ job: id, run, name: task.name, pass: task.pass_output, position });
      ids.set(task.name, id);
      tally.count(job, status, 1);
    });
    for (const task of input.tasks) {
      const job = ids.get(task.name);
      for (const dep of task.depends_on) {
        const upstream = ids.get(dep);
        if (job !== undefined && upstream !== undefined) this.#s.insertDep.run(job, upstream);
      }
    }
    this.#db.record(tally);
    if (audited) this.#db.audit(at, actor, 'workflow.run', input.identifier, input.tasks.length, { workflow: input.workflow });
    return { run_id: run, identifier: input.identifier, created: true };
  }

  get(idOrIdentifier: number | string): WorkflowRunDetail | null {
    return this.#db.guard(() => {
      const row = typeof idOrIdentifier === 'number' ? this.#s.runById.get(idOrIdentifier) : this.#s.runByIdentifier.get(idOrIdentifier);
      if (!row) return null;
      const tasks = this.#s.tasks.all(row.id).map(toTask);
      const [run] = this.#withCounts([row]);
      return run ? { run, tasks } : null;
    });
  }

  list(filter: WorkflowRunFilter, page: PageRequest): Page<WorkflowRun> {
    return this.#db.guard(() => {
      const after = decodeCursor(page.after) ?? NO_CURSOR;
      const limit = clampLimit(page.limit);
      const key = `${filter.workflow === undefined ? '' : 'w'}${filter.status === undefined ? '' : 's'}`;
      const parts = ['id < ?'];
      const params: Array<string | number> = [after];
      if (filter.workflow !== undefined) {
        parts.push('workflow_name = ?');
        params.push(filter.workflow);
      }
      if (filter.status !== undefined) {
        parts.push('status = ?');
        params.push(filter.status);
      }
      const statement = this.#db.cached(this.#pages, key, () => `SELECT * FROM tb_workflow_run WHERE ${parts.join(' AND ')} ORDER BY id DESC LIMIT ?`);
      const rows = statement.all(...params, limit + 1);
      const items = this.#withCounts(rows.slice(0, limit));
      const last = items.at(-1);
      return { items, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
    });
  }

  running(limit: number, filter: RunningRunFilter): WorkflowRun[] {
    const params = { limit: Math.max(1, Math.min(1000, Math.trunc(limit))), unset: filter.withoutOwnStuckAfter === true ? 1 : 0 };
    return this.#db.guard(() => this.#withCounts(this.#s.running.all(params)));
  }

  stuck(now: Date, held: StuckAfters, perWorkflow: number): WorkflowRun[] {
    const params = { ...stuckParams(now, held), per: Math.max(1, Math.min(1000, Math.trunc(perWorkflow))) };
    return this.#db.guard(() => this.#withCounts(this.#s.stuck.all(params)));
  }

  /** The run's failed and cancelled tasks wait again; those whose upstreams all completed go to pending at once. */
  retry(runId: number, actor: Actor): WorkflowRetried | null {
    return this.#db.guard(() =>
      this.#db.write(() => {
        const found = this.#s.runById.get(runId);
        if (!found) return null;
        const at = now();
        const tally = new Tally(Date.parse(at));
        const retried: number[] = [];
        for (const job of this.#s.retryable.all(runId)) {
          if (this.#s.retryJob.run({ at, job: job.id }).changes === 0) continue;
          tally.move(job, JobStatus.parse(job.status), 'waiting');
          if (job.status === 'failed' && job.resolved_at === null) tally.deadLetter(job, job.error_fingerprint, -1);
          retried.push(job.id);
        }
        if (retried.length > 0) {
          this.#s.reopenRun.run(at, runId);
          this.#advance.advance([runId], at, tally);
          this.#db.audit(at, actor, 'workflow.retry', String(runId), retried.length, { jobs: retried });
        }
        this.#db.record(tally);
        return { retried, found: WorkflowRunStatus.parse(found.status) };
      }),
    );
  }

  /** What has not started is cancelled; running tasks are asked to stop. A run that has finished is left as it is. */
  cancel(runId: number, actor: Actor, reason: string | null): WorkflowCancelled | null {
    return this.#db.guard(() =>
      this.#db.write(() => {
        const run = this.#s.runById.get(runId);
        if (!run) return null;
        const found = WorkflowRunStatus.parse(run.status);
        if (found !== 'running') return { cancelled: 0, stopping: 0, found };
        const at = now();
        const tally = new Tally(Date.parse(at));
        let cancelled = 0;
        for (const job of this.#s.notStarted.all(runId)) {
          this.#s.cancelOne.run({ at, job: job.id });
          tally.move(job, JobStatus.parse(job.status), 'cancelled');
          tally.finished(job, 'cancelled');
          cancelled++;
        }
        const stopping = this.#s.stopRunning.run(at, runId).changes;
        this.#s.markCancelled.run(at, runId);
        this.#advance.advance([runId], at, tally);
        this.#db.record(tally);
        this.#db.audit(at, actor, RUN_CANCEL, String(runId), cancelled + stopping, { reason: reasonOrNull(reason), cancelled, stopping });
        return { cancelled, stopping, found };
      }),
    );
  }

  /** Moves the runs on inside the caller's transaction (used by operator actions on single tasks). */
  advance(runIds: Iterable<number>, at: string, tally: Tally): void {
    this.#advance.advance(runIds, at, tally);
  }

  #withCounts(rows: RunRow[]): WorkflowRun[] {
    if (rows.length === 0) return [];
    const counts = new Map<number, Record<string, number>>();
    for (const c of this.#s.taskCounts.all(JSON.stringify(rows.map((r) => r.id)))) {
      const of = counts.get(c.workflow_run_id) ?? {};
      of[c.status] = c.n;
      counts.set(c.workflow_run_id, of);
    }
    return rows.map((row) => ({
      id: row.id,
      identifier: row.identifier,
      workflow: row.workflow_name,
      status: WorkflowRunStatus.parse(row.status),
      payload: objectOf(row.payload),
      created_by: row.created_by,
      created_at: row.created_at,
      updated_at: row.updated_at,
      finished_at: row.finished_at,
      stuck_after_ms: row.stuck_after_ms,
      tasks: counts.get(row.id) ?? {},
    }));
  }
}

function objectOf(text: string): JsonObject {
  const parsed = JsonObject.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : {};
}

function toTask(row: TaskRow): WorkflowTask {
  const deps: unknown = row.depends_on === null ? [] : JSON.parse(row.depends_on);
  return {
    name: row.task_name,
    job_id: row.job_id,
    service_name: row.service_name,
    status: JobStatus.parse(row.status),
    depends_on: Array.isArray(deps) ? deps.map(String) : [],
    pass_output: row.pass_output === null ? null : PassOutput.parse(row.pass_output),
    attempts: row.attempts,
    started_at: row.started_at,
    completed_at: row.completed_at,
    error_message: row.error_message,
  };
}
