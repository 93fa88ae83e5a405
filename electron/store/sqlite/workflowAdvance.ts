import { WORKFLOW_PAYLOAD_KEY } from '../../../shared/workflow.ts';
import { isPlainObject } from '../../../shared/domain.ts';
import { passedOutput, runStatusOf } from '../workflowTypes.ts';
import type { Connection } from './db.ts';
import type { Tally, JobKind } from './tally.ts';

/**
 * Moves a workflow run on, inside the transaction that changed one of its tasks (a settle, a reclaim, an
 * operator's retry, cancel or fail), so a release is never lost between two transactions. In order: tasks
 * blocked by an upstream that is no longer failed wait again; waiting tasks with a failed, cancelled or
 * blocked upstream are blocked, with the reason; waiting tasks whose upstreams all completed are released
 * to pending, with what their upstreams pass them; and the run's status follows its tasks. Only jobs of
 * the run are read (the partial index of workflow tasks), never the queue.
 */

const BAD_UPSTREAM = `FROM tb_workflow_dep d JOIN tb_job_run u ON u.id = d.upstream_job_id
  WHERE d.job_id = tb_job_run.id AND (u.status = 'failed' OR u.status = 'cancelled' OR u.status = 'blocked')`;

function prepareAdvanceStatements(db: Connection) {
  return {
    unblock: db.prepare<[string, number], JobKind>(
      `UPDATE tb_job_run SET status = 'waiting', error_message = NULL, updated_at = ?
       WHERE workflow_run_id = ? AND status = 'blocked' AND NOT EXISTS (SELECT 1 ${BAD_UPSTREAM})
       RETURNING queue, service_name, execution_type`,
    ),
    block: db.prepare<[string, number], JobKind>(
      `UPDATE tb_job_run SET status = 'blocked', updated_at = ?,
         error_message = (SELECT 'upstream task ''' || t.task_name || ''' ' || CASE u.status WHEN 'blocked' THEN 'is blocked' ELSE u.status END
                          FROM tb_workflow_dep d JOIN tb_job_run u ON u.id = d.upstream_job_id JOIN tb_workflow_task t ON t.job_id = u.id
                          WHERE d.job_id = tb_job_run.id AND (u.status = 'failed' OR u.status = 'cancelled' OR u.status = 'blocked')
                          ORDER BY t.position LIMIT 1)
       WHERE workflow_run_id = ? AND status = 'waiting' AND EXISTS (SELECT 1 ${BAD_UPSTREAM})
       RETURNING queue, service_name, execution_type`,
    ),
    releasable: db.prepare<[number], { id: number; payload: string }>(
      `SELECT id, payload FROM tb_job_run
       WHERE workflow_run_id = ? AND status = 'waiting'
         AND NOT EXISTS (SELECT 1 FROM tb_workflow_dep d JOIN tb_job_run u ON u.id = d.upstream_job_id
                         WHERE d.job_id = tb_job_run.id AND u.status <> 'completed')`,
    ),
    passed: db.prepare<[number], { task_name: string; pass_output: string; tail: string | null }>(
      `SELECT t.task_name, t.pass_output,
         (SELECT a.output_tail FROM tb_job_attempt a WHERE a.job_id = t.job_id AND a.outcome = 'completed' ORDER BY a.id DESC LIMIT 1) AS tail
       FROM tb_workflow_dep d JOIN tb_workflow_task t ON t.job_id = d.upstream_job_id
       WHERE d.job_id = ? AND t.pass_output IS NOT NULL
       ORDER BY t.position`,
    ),
    release: db.prepare<[string, string, string, number], JobKind>(
      `UPDATE tb_job_run SET status = 'pending', payload = ?, run_at = ?, updated_at = ?
       WHERE id = ? AND status = 'waiting'
       RETURNING queue, service_name, execution_type`,
    ),
    states: db.prepare<[number], { status: string; n: number }>(
      `SELECT status, count(*) AS n FROM tb_job_run WHERE workflow_run_id = ? GROUP BY status`,
    ),
    resume: db.prepare<[string, number]>(
      `UPDATE tb_workflow_run SET status = 'running', finished_at = NULL, updated_at = ?
       WHERE id = ? AND status = 'cancelled'
         AND EXISTS (SELECT 1 FROM tb_job_run j WHERE j.workflow_run_id = tb_workflow_run.id AND j.status IN ('pending', 'running', 'waiting'))`,
    ),
    runOfJob: db.prepare<[number], { workflow_run_id: number | null }>(`SELECT workflow_run_id FROM tb_job_run WHERE id = ?`),
    runStatus: db.prepare<[number], { status: string }>(`SELECT status FROM tb_workflow_run WHERE id = ?`),
    setRun: db.prepare<[{ status: string; at: string; run: number }]>(
      `UPDATE tb_workflow_run SET status = @status, updated_at = @at,
         finished_at = CASE WHEN @status = 'running' THEN NULL ELSE coalesce(finished_at, @at) END
       WHERE id = @run`,
    ),
  };
}

export class SqliteWorkflowAdvance {
  readonly #s: ReturnType<typeof prepareAdvanceStatements>;

  constructor(db: Connection) {
    this.#s = prepareAdvanceStatements(db);
  }

  /** Call inside the transaction that changed the runs' tasks; the count moves go into its tally. */
  advance(runIds: Iterable<number>, at: string, tally: Tally): void {
    for (const run of new Set(runIds)) this.#advanceOne(run, at, tally);
  }

  /** After an operator's action on one job: moves its run on, when it is a workflow task. */
  advanceJob(jobId: number, at: string, tally: Tally): void {
    const run = this.#s.runOfJob.get(jobId)?.workflow_run_id ?? null;
    if (run !== null) this.#advanceOne(run, at, tally);
  }

  /**
   * After an operator retried tasks: their runs move on, and a cancelled run with a task to run again is
   * running while it does (seen in the running and stuck views), then ends as its tasks do.
   */
  advanceRetried(runIds: Iterable<number>, at: string, tally: Tally): void {
    for (const run of new Set(runIds)) {
      this.#advanceOne(run, at, tally);
      this.#s.resume.run(at, run);
    }
  }

  advanceRetriedJob(jobId: number, at: string, tally: Tally): void {
    const run = this.#s.runOfJob.get(jobId)?.workflow_run_id ?? null;
    if (run !== null) this.advanceRetried([run], at, tally);
  }

  #advanceOne(run: number, at: string, tally: Tally): void {
    // Unblocking and blocking spread one level of the graph per statement: repeat until nothing moves.
    for (let moved = this.#s.unblock.all(at, run); moved.length > 0; moved = this.#s.unblock.all(at, run)) {
      for (const job of moved) tally.move(job, 'blocked', 'waiting');
    }
    for (let moved = this.#s.block.all(at, run); moved.length > 0; moved = this.#s.block.all(at, run)) {
      for (const job of moved) tally.move(job, 'waiting', 'blocked');
    }
    for (const { id, payload } of this.#s.releasable.all(run)) {
      const released = this.#s.release.get(this.#payloadWithUpstream(id, payload), at, at, id);
      if (released) tally.move(released, 'waiting', 'pending');
    }
    const counts = new Map(this.#s.states.all(run).map((r) => [r.status, r.n]));
    const was = this.#s.runStatus.get(run)?.status;
    const status = runStatusOf(counts, was === 'cancelled');
    this.#s.setRun.run({ status, at, run });
  }

  /** The task's payload with what each upstream that passes its output passed, under workflow.upstream. */
  #payloadWithUpstream(jobId: number, payloadText: string): string {
    const passed = this.#s.passed.all(jobId);
    if (passed.length === 0) return payloadText;
    const payload: unknown = JSON.parse(payloadText);
    if (!isPlainObject(payload)) return payloadText;
    const upstream = Object.fromEntries(passed.map((p) => [p.task_name, passedOutput(p.pass_output, p.tail)]));
    const workflow = isPlainObject(payload[WORKFLOW_PAYLOAD_KEY]) ? payload[WORKFLOW_PAYLOAD_KEY] : {};
    return JSON.stringify({ ...payload, [WORKFLOW_PAYLOAD_KEY]: { ...workflow, upstream } });
  }
}
