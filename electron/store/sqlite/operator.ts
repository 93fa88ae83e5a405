import type BetterSqlite3 from 'better-sqlite3';
import { BreakerMode, BreakerState } from '../../../shared/domain.ts';
import type { Actor, CancelRequest, DlqSelector, Job } from '../../../shared/domain.ts';
import { actorName } from '../actor.ts';
import { auditedJobIds, firstJobIds, selectorDetails, touchedJobIds } from '../auditDetails.ts';
import { cancelRequestOf, JOB_CANCEL, RUN_CANCEL } from '../cancelRequest.ts';
import { heldByBreakers, lanesOf, type DlqRetried } from '../failureStore.ts';
import type { JobCancel } from '../store.ts';
import { now, reasonOrNull } from './db.ts';
import type { Connection, Params, SqliteDb } from './db.ts';
import { dlqWhere, plainWhere } from './filters.ts';
import { toAudit } from './rows.ts';
import type { AuditRow } from './rows.ts';
import { Tally } from './tally.ts';
import { SqliteWorkflowAdvance } from './workflowAdvance.ts';
import type { JobKind } from './tally.ts';

/** A job a bulk action changed, as the counts need it. */
interface Changed extends JobKind {
  id: number;
  error_fingerprint: string | null;
  /** Returned by a retry only: the workflow run of a task sent back, to be moved on, and what the job became. */
  workflow_run_id?: number | null;
  status?: 'pending' | 'waiting';
}

/**
 * Operator actions on jobs and dead letters. Each runs in one transaction with its audit row, so the
 * log never shows an action that did not happen, nor misses one that did.
 */

// A workflow task is left to retention, which prunes a run whole: a task purged alone takes its dependency
// rows with it, and its dependents would then run as if it had succeeded.
const RESOLVED_BEFORE = `status = 'failed' AND resolved_at IS NOT NULL AND resolved_at < ? AND workflow_run_id IS NULL`;
const CHANGED = `id, queue, service_name, execution_type, error_fingerprint`;
/**
 * What a retried job becomes: pending, or for a workflow task waiting, which the run's advance in the same
 * transaction releases only once every upstream has completed (and blocks while one has failed).
 */
const RETRIED_STATUS = `CASE WHEN workflow_run_id IS NULL THEN 'pending' ELSE 'waiting' END`;

export function prepareOperatorStatements(db: Connection) {
  return {
    cancelPending: db.prepare<[Params]>(
      `UPDATE tb_job_run SET status = 'cancelled', completed_at = @now, updated_at = @now WHERE id = @job AND status = 'pending'`,
    ),
    requestCancel: db.prepare<[Params]>(
      `UPDATE tb_job_run SET cancel_requested = 1, updated_at = @now WHERE id = @job AND status = 'running' AND cancel_requested = 0`,
    ),
    // The newest audit row asking a job to stop, by the job's own cancel or by its run's: read backwards
    // through the action's index, where the request is among the newest (it was made while the job ran).
    lastCancel: db.prepare<[string, string], AuditRow>(`SELECT * FROM tb_audit_log WHERE action = ? AND target = ? ORDER BY id DESC LIMIT 1`),
    lastRunCancel: db.prepare<[string, number], AuditRow>(
      `SELECT * FROM tb_audit_log WHERE action = ? AND target = (SELECT CAST(workflow_run_id AS TEXT) FROM tb_job_run WHERE id = ?) ORDER BY id DESC LIMIT 1`,
    ),
    retryJob: db.prepare<[Params], { status: 'pending' | 'waiting' }>(
      `UPDATE tb_job_run SET status = ${RETRIED_STATUS}, attempts = 0, interruptions = 0, run_at = @now, updated_at = @now, completed_at = NULL,
         resolved_at = NULL, resolution = NULL, lease_owner = NULL, lease_expires_at = NULL, cancel_requested = 0
       WHERE id = @job AND status IN ('failed', 'cancelled') RETURNING status`,
    ),
    breakerStates: db.prepare<[], { service_name: string; mode: string; state: string }>(`SELECT service_name, mode, state FROM tb_breaker`),
    purgeCount: db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM tb_job_run WHERE ${RESOLVED_BEFORE}`),
    purgeAttempts: db.prepare<[string]>(`DELETE FROM tb_job_attempt WHERE job_id IN (SELECT id FROM tb_job_run WHERE ${RESOLVED_BEFORE})`),
    // Before a purge deletes the newest jobs: enqueue starts above this, so their ids are never reused.
    raiseJobIdFloor: db.prepare(`UPDATE tb_job_id_floor SET last_id = max(last_id, coalesce((SELECT max(id) FROM tb_job_run), 0))`),
    purgeJobs: db.prepare<[string], Changed>(`DELETE FROM tb_job_run WHERE ${RESOLVED_BEFORE} RETURNING ${CHANGED}`),
  };
}

export class SqliteOperator {
  readonly #db: SqliteDb;
  readonly #s: ReturnType<typeof prepareOperatorStatements>;
  readonly #updates = new Map<string, BetterSqlite3.Statement<unknown[], Changed>>();
  readonly #workflows: SqliteWorkflowAdvance;

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#s = prepareOperatorStatements(db.connection);
    this.#workflows = new SqliteWorkflowAdvance(db.connection);
  }

  /**
   * pending → cancelled at once; running → cancel requested (its worker stops it), unless requested
   * already: then nothing is written and the request in force comes back; else unchanged.
   */
  cancelJob(jobId: number, actor: Actor, reason: string | null): JobCancel | null {
    return this.#db.guard(() =>
      this.#db.write(() => {
        const before = this.#db.jobById(jobId);
        if (!before) return null;
        if (before.status === 'running' && before.cancel_requested) return { job: before, changed: false, request: this.#requestOf(before) };
        const at = now();
        const why = reasonOrNull(reason);
        const changes =
          before.status === 'pending'
            ? this.#s.cancelPending.run({ job: jobId, now: at }).changes
            : before.status === 'running'
              ? this.#s.requestCancel.run({ job: jobId, now: at }).changes
              : 0;
        if (changes > 0) this.#db.audit(at, actor, JOB_CANCEL, String(jobId), 1, { reason: why, was: before.status });
        if (changes > 0 && before.status === 'pending') {
          const tally = new Tally(Date.parse(at));
          tally.move(before, 'pending', 'cancelled');
          tally.finished(before, 'cancelled');
          this.#workflows.advanceJob(jobId, at, tally);
          this.#db.record(tally);
        }
        const asked = changes > 0 && before.status === 'running';
        return {
          job: this.#db.jobById(jobId) ?? before,
          changed: changes > 0,
          request: asked ? { by: actorName(actor), at, reason: why, workflow_run: null } : null,
        };
      }),
    );
  }

  #requestOf(job: Job): CancelRequest | null {
    const own = this.#s.lastCancel.get(JOB_CANCEL, String(job.id));
    const run = this.#s.lastRunCancel.get(RUN_CANCEL, job.id);
    return cancelRequestOf([own && toAudit(own), run && toAudit(run)], job);
  }

  retryJob(jobId: number, actor: Actor): Job | null {
    return this.#db.guard(() =>
      this.#db.write(() => {
        const before = this.#db.jobById(jobId);
        if (!before) return null;
        const at = now();
        const retried = this.#s.retryJob.get({ job: jobId, now: at });
        if (retried) {
          this.#db.audit(at, actor, 'job.retry', String(jobId), 1, { was: before.status });
          const tally = new Tally(Date.parse(at));
          tally.move(before, before.status, retried.status);
          if (before.status === 'failed' && before.resolved_at === null) tally.deadLetter(before, before.error_fingerprint, -1);
          this.#workflows.advanceRetriedJob(jobId, at, tally);
          this.#db.record(tally);
        }
        return this.#db.jobById(jobId);
      }),
    );
  }

  dlqRetry(selector: DlqSelector, actor: Actor): DlqRetried {
    const selected = dlqWhere(selector);
    const { key } = selected;
    const where = plainWhere(selected);
    const statement = this.#db.cached(this.#updates, `${key}:retry`, () =>
      `UPDATE tb_job_run SET status = ${RETRIED_STATUS}, attempts = 0, interruptions = 0, run_at = ?, updated_at = ?, completed_at = NULL,
         resolved_at = NULL, resolution = NULL, lease_owner = NULL, lease_expires_at = NULL, cancel_requested = 0
       WHERE ${where.sql} RETURNING ${CHANGED}, workflow_run_id, status`,
    );
    return this.#db.guard(() =>
      this.#db.write(() => {
        const at = now();
        const tally = new Tally(Date.parse(at));
        const runs: number[] = [];
        const byService = new Map<string, number>();
        const queues = new Set<string>();
        const changed = statement.all(at, at, ...where.params);
        const n = this.#tallied(changed, (job) => {
          queues.add(job.queue);
          tally.move(job, 'failed', job.status === 'waiting' ? 'waiting' : 'pending');
          tally.deadLetter(job, job.error_fingerprint, -1);
          byService.set(job.service_name, (byService.get(job.service_name) ?? 0) + 1);
          if (job.workflow_run_id !== undefined && job.workflow_run_id !== null) runs.push(job.workflow_run_id);
        });
        if (runs.length > 0) this.#workflows.advanceRetried(runs, at, tally);
        this.#db.record(tally);
        // Sorted once: the audit row and the answer name the same ids.
        const first = firstJobIds(changed.map((job) => job.id));
        this.#db.audit(at, actor, 'dlq.retry', null, n, { selector: selectorDetails(selector), ...auditedJobIds(first) });
        // Under the same write lock as the retry: no breaker changes between what it sent back and this read.
        const breakers = n === 0 ? [] : this.#s.breakerStates.all().map((b) => ({ service_name: b.service_name, mode: BreakerMode.parse(b.mode), state: BreakerState.parse(b.state) }));
        return { retried: n, held_by_breaker: heldByBreakers(byService, breakers), queues: [...queues].sort(), ...first, lanes: lanesOf(changed) };
      }),
    );
  }

  dlqResolve(selector: DlqSelector, note: string, actor: Actor): number {
    const selected = dlqWhere(selector);
    const { key } = selected;
    const where = plainWhere(selected);
    const statement = this.#db.cached(this.#updates, `${key}:resolve`, () =>
      `UPDATE tb_job_run SET resolved_at = ?, resolution = ?, updated_at = ? WHERE ${where.sql} RETURNING ${CHANGED}`,
    );
    return this.#db.guard(() =>
      this.#db.write(() => {
        const at = now();
        const tally = new Tally(Date.parse(at));
        const changed = statement.all(at, note, at, ...where.params);
        const n = this.#tallied(changed, (job) => tally.deadLetter(job, job.error_fingerprint, -1));
        this.#db.record(tally);
        this.#db.audit(at, actor, 'dlq.resolve', null, n, { selector: selectorDetails(selector), note, ...touchedJobIds(changed.map((job) => job.id)) });
        return n;
      }),
    );
  }

  purgeResolvedCount(before: Date): number {
    return this.#db.guard(() => this.#s.purgeCount.get(before.toISOString())?.n ?? 0);
  }

  purgeResolved(before: Date, actor: Actor): number {
    const cutoff = before.toISOString();
    return this.#db.guard(() =>
      this.#db.write(() => {
        const at = now();
        this.#s.purgeAttempts.run(cutoff);
        this.#s.raiseJobIdFloor.run();
        const tally = new Tally(Date.parse(at));
        const changed = this.#s.purgeJobs.all(cutoff);
        const n = this.#tallied(changed, (job) => tally.count(job, 'failed', -1));
        this.#db.record(tally);
        this.#db.audit(at, actor, 'dlq.purge', null, n, { before: cutoff, ...touchedJobIds(changed.map((job) => job.id)) });
        return n;
      }),
    );
  }

  /** Hands each changed row to `count` and says how many rows changed. */
  #tallied(rows: Changed[], count: (job: Changed) => void): number {
    for (const row of rows) count(row);
    return rows.length;
  }
}
