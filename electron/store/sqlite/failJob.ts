import type { Actor, Job } from '../../../shared/domain.ts';
import { OPERATOR_ERROR_CLASS, operatorFailure } from '../failedByOperator.ts';
import { now, reasonOrNull } from './db.ts';
import type { Connection, Params, SqliteDb } from './db.ts';
import { Tally } from './tally.ts';
import { SqliteWorkflowAdvance } from './workflowAdvance.ts';

/**
 * "Fail it now": a running job whose worker is gone goes to the dead-letter queue at once instead of
 * waiting for its lease to run out, with its attempt closed, the counts moved and the audit row written
 * in one transaction.
 */

function prepare(db: Connection) {
  return {
    fail: db.prepare<[Params]>(
      `UPDATE tb_job_run SET status = 'failed', completed_at = @now, updated_at = @now, lease_owner = NULL, lease_expires_at = NULL,
         error_message = @error, error_fingerprint = @fingerprint, resolved_at = NULL, resolution = NULL, cancel_requested = 0
       WHERE id = @job AND status = 'running' AND lease_owner IS @owner`,
    ),
    closeAttempt: db.prepare<[Params]>(
      `UPDATE tb_job_attempt SET outcome = 'failed', finished_at = @now, error_message = @error, error_class = @class
       WHERE job_id = @job AND outcome = 'running'`,
    ),
  };
}

export class SqliteFailJob {
  readonly #db: SqliteDb;
  readonly #s: ReturnType<typeof prepare>;
  readonly #workflows: SqliteWorkflowAdvance;

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#s = prepare(db.connection);
    this.#workflows = new SqliteWorkflowAdvance(db.connection);
  }

  /** The job after the action; unchanged when it no longer runs under `leaseOwner`. */
  fail(jobId: number, leaseOwner: string | null, actor: Actor, reason: string): Job | null {
    return this.#db.guard(() =>
      this.#db.write(() => {
        const before = this.#db.jobById(jobId);
        if (!before) return null;
        const at = now();
        const why = reasonOrNull(reason) ?? 'no reason given';
        const { message, fingerprint } = operatorFailure(actor, why, before.service_name);
        const changed = this.#s.fail.run({ job: jobId, owner: leaseOwner, now: at, error: message, fingerprint }).changes;
        if (changed === 0) return before;
        this.#s.closeAttempt.run({ job: jobId, now: at, error: message, class: OPERATOR_ERROR_CLASS });
        const tally = new Tally(Date.parse(at));
        tally.move(before, 'running', 'failed');
        tally.deadLetter(before, fingerprint, 1);
        tally.finished(before, 'failed');
        tally.failure(before.service_name, { error_class: OPERATOR_ERROR_CLASS, fingerprint, message }, true);
        this.#workflows.advanceJob(jobId, at, tally);
        this.#db.record(tally);
        this.#db.audit(at, actor, 'job.fail', String(jobId), 1, { reason: why, worker: leaseOwner });
        return this.#db.jobById(jobId);
      }),
    );
  }
}
