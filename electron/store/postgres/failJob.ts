import { z } from 'zod';
import type { Actor, Job } from '../../../shared/domain.ts';
import { actorName } from '../actor.ts';
import { OPERATOR_ERROR_CLASS, operatorFailure } from '../failedByOperator.ts';
import type { PgDb } from './db.ts';
import { rowsOf } from './db.ts';
import { reasonOf, writeAudit } from './operator.ts';
import { JOB_COLUMNS, toJob } from './rows.ts';
import { countsFrom, failuresFrom, rollupFrom } from './tally.ts';
import { noNul } from './text.ts';
import { advanceRunsOfJobs } from './workflowAdvance.ts';

/**
 * "Fail it now": a running job whose worker is gone goes to the dead-letter queue at once instead of
 * waiting for its lease to run out. As the watchdog's reclaim does, it writes the attempt row the settle
 * would have written (attempt rows are born at the settle on PostgreSQL), moves the counts, and leaves
 * the claim's lease row for the watchdog to forget; the audit row goes in the same transaction.
 */

const Held = z.object({
  status: z.string(),
  lease_owner: z.string().nullable(),
  attempt_id: z.number().nullable(),
  attempts: z.number(),
  started_at: z.string().nullable(),
});

const FAIL_SQL = `
WITH changed AS (
  UPDATE jobs.tb_job_run SET status = 'failed', completed_at = now(), updated_at = now(), lease_owner = NULL,
    lease_expires_at = NULL, attempt_id = NULL, error_message = $2, error_fingerprint = $3, resolved_at = NULL,
    resolution = NULL, cancel_requested = false
  WHERE id = $1 AND status = 'running'
  RETURNING ${JOB_COLUMNS}
),
counted AS (
  ${countsFrom(`SELECT queue, service_name, execution_type, 'running' AS state, '' AS fingerprint, -1 AS delta FROM changed
    UNION ALL SELECT queue, service_name, execution_type, 'failed', '', 1 FROM changed
    UNION ALL SELECT queue, service_name, execution_type, 'dead_letter', coalesce(error_fingerprint, ''), 1 FROM changed`)}
),
rolled AS (
  ${rollupFrom('changed', { failed: 'true' })}
),
failures AS (
  ${failuresFrom('changed', { rows: 'true', errorClass: '$8::text', message: 'error_message', dead: 'true' })}
),
recorded AS (
  INSERT INTO jobs.tb_job_attempt (id, job_id, attempt, worker_id, started_at, finished_at, outcome, error_message, error_class)
  SELECT $4::bigint, id, $5::int, $6::text, coalesce($7::timestamptz, now()), now(), 'failed', $2, $8::text
  FROM changed WHERE $4::bigint IS NOT NULL
)
SELECT * FROM changed`;

/** The job after the action; unchanged when it no longer runs under `leaseOwner`. */
export function failRunningJob(db: PgDb, jobId: number, leaseOwner: string | null, actor: Actor, reason: string): Promise<Job | null> {
  if (!Number.isSafeInteger(jobId)) return Promise.resolve(null);
  const why = reasonOf(reason) ?? 'no reason given';
  return db.tx(async (client) => {
    const locked = await rowsOf(client, `SELECT ${JOB_COLUMNS}, attempt_id FROM jobs.tb_job_run WHERE id = $1 FOR UPDATE`, [jobId]);
    const row = locked[0];
    if (!row) return null;
    const job = toJob(row);
    const held = Held.parse(row);
    if (held.status !== 'running' || held.lease_owner !== leaseOwner) return job;
    const { message, fingerprint } = operatorFailure(actor, why, job.service_name);
    const rows = await rowsOf(client, FAIL_SQL, [
      jobId,
      noNul(message),
      fingerprint,
      held.attempt_id,
      held.attempts,
      held.lease_owner ?? 'unknown',
      held.started_at,
      OPERATOR_ERROR_CLASS,
    ]);
    await advanceRunsOfJobs(client, [jobId]);
    await writeAudit(client, actorName(actor), 'job.fail', String(jobId), 1, { reason: why, worker: leaseOwner });
    return rows[0] ? toJob(rows[0]) : job;
  });
}
