import { z } from 'zod';
import type { Actor, DlqSelector, Job } from '../../../shared/domain.ts';
import { actorName } from '../actor.ts';
import { selectorDetails } from '../auditDetails.ts';
import { FIRST_JOB_IDS_CTE, TOUCHED_JOB_IDS_SQL } from './auditIds.ts';
import { Lane, ServiceJobs } from './retriedRows.ts';
import { cancelRequestOf, JOB_CANCEL, RUN_CANCEL } from '../cancelRequest.ts';
import { heldByBreakers, lanesOf, type DlqRetried } from '../failureStore.ts';
import type { JobCancel } from '../store.ts';
import type { PgDb, Queryable } from './db.ts';
import { rowsOf } from './db.ts';
import { readyRowsFrom } from './ready.ts';
import { dlqParams, dlqWhereSql } from './filters.ts';
import { JOB_COLUMNS, countOf, toAudit, toJob } from './rows.ts';
import { countsFrom, rollupFrom } from './tally.ts';
import { jsonNoNul, noNul, noNulOrNull } from './text.ts';
import { advanceRetriedRuns, advanceRunsOfJobs, runsOfJobs } from './workflowAdvance.ts';

/**
 * Operator actions on jobs and dead letters. Each runs in one transaction with its audit row, so the
 * log never shows an action that did not happen, nor misses one that did.
 */

const AUDIT_SQL = `INSERT INTO jobs.tb_audit_log (actor, action, target, job_count, details) VALUES ($1, $2, $3, $4, $5::jsonb)`;

export async function writeAudit(
  client: Queryable,
  actor: string,
  action: string,
  target: string | null,
  jobCount: number | null,
  details: Record<string, unknown> | null,
): Promise<void> {
  await client.query(AUDIT_SQL, [noNul(actor), action, noNulOrNull(target), jobCount, details === null ? null : jsonNoNul(details)]);
}

/** An empty or blank reason is no reason. */
export function reasonOf(reason: string | null | undefined): string | null {
  const trimmed = reason === null || reason === undefined ? undefined : noNul(reason).trim();
  return trimmed ? trimmed : null;
}

async function lockJob(client: Queryable, jobId: number): Promise<Job | null> {
  if (!Number.isSafeInteger(jobId)) return null;
  const rows = await rowsOf(client, `SELECT ${JOB_COLUMNS} FROM jobs.tb_job_run WHERE id = $1 FOR UPDATE`, [jobId]);
  return rows[0] ? toJob(rows[0]) : null;
}

/**
 * A pending job's place in the queue, taken before its row is locked: a claim locks ready rows first,
 * then jobs, and so must everyone else. Waits for a claim that holds it; once that commits the job is
 * running and there is nothing left to take.
 */
const UNREADY_SQL = `DELETE FROM jobs.tb_job_ready r USING jobs.tb_job_run j
  WHERE j.id = $1 AND r.priority = j.priority AND r.run_at = j.run_at AND r.job_id = j.id`;

/** A job back in the queue, as it now stands (after RESET_FOR_RETRY; a waiting task gets its row from the advance). */
const READY_SQL = readyRowsFrom('jobs.tb_job_run', "id = $1 AND status = 'pending'");

const CANCEL_PENDING_SQL = `
WITH changed AS (
  UPDATE jobs.tb_job_run SET status = 'cancelled', completed_at = now(), updated_at = now() WHERE id = $1 RETURNING ${JOB_COLUMNS}
),
counted AS (
  ${countsFrom(`SELECT queue, service_name, execution_type, 'pending' AS state, '' AS fingerprint, -1 AS delta FROM changed
    UNION ALL SELECT queue, service_name, execution_type, 'cancelled', '', 1 FROM changed`)}
),
rolled AS (
  ${rollupFrom('changed', { cancelled: 'true' })}
)
SELECT * FROM changed`;

/**
 * The newest audit row asking a job to stop, by the job's own cancel or by its run's: each read backwards
 * through the action's index, where the request is among the newest (it was made while the job ran).
 */
const CANCEL_REQUESTS_SQL = `
SELECT id, at, actor, action, target, job_count, details FROM (
  (SELECT * FROM jobs.tb_audit_log WHERE action = $2 AND target = $1 ORDER BY id DESC LIMIT 1)
  UNION ALL
  (SELECT * FROM jobs.tb_audit_log
   WHERE action = $3 AND target = (SELECT workflow_run_id::text FROM jobs.tb_job_run WHERE id = $4) ORDER BY id DESC LIMIT 1)
) a`;

/**
 * pending → cancelled at once; running → cancel requested (its worker stops it), unless requested
 * already: then nothing is written and the request in force comes back; else unchanged. The job's lock
 * makes two operators at once take turns: the second finds the first's request.
 */
export function cancelJob(db: PgDb, jobId: number, actor: Actor, reason: string | null): Promise<JobCancel | null> {
  const why = reasonOf(reason);
  return db.tx(async (client) => {
    if (Number.isSafeInteger(jobId)) await client.query(UNREADY_SQL, [jobId]);
    const job = await lockJob(client, jobId);
    if (!job) return null;
    if (job.status === 'running' && job.cancel_requested) {
      const asked = (await rowsOf(client, CANCEL_REQUESTS_SQL, [String(jobId), JOB_CANCEL, RUN_CANCEL, jobId])).map(toAudit);
      return { job, changed: false, request: cancelRequestOf(asked, job) };
    }
    let rows;
    if (job.status === 'pending') {
      rows = await rowsOf(client, CANCEL_PENDING_SQL, [jobId]);
      await advanceRunsOfJobs(client, [jobId]);
    } else if (job.status === 'running') {
      rows = await rowsOf(
        client,
        `UPDATE jobs.tb_job_run SET cancel_requested = true, updated_at = now() WHERE id = $1 RETURNING ${JOB_COLUMNS}`,
        [jobId],
      );
    } else {
      return { job, changed: false, request: null };
    }
    await writeAudit(client, actorName(actor), JOB_CANCEL, String(jobId), 1, { reason: why, was: job.status });
    const after = rows[0] ? toJob(rows[0]) : job;
    // The request's time is the transaction's, as the audit row's is: the job's updated_at holds it.
    const request = job.status === 'running' ? { by: actorName(actor), at: after.updated_at, reason: why, workflow_run: null } : null;
    return { job: after, changed: true, request };
  });
}

/** What a bulk action returns of each job it changed, as the counts need it. */
const CHANGED = `id, queue, service_name, execution_type, error_fingerprint`;

/**
 * A retried job goes back to pending; a workflow task to waiting, which the run's advance in the same
 * transaction releases only once every upstream has completed (and blocks while one has failed).
 */
const RESET_FOR_RETRY = `status = CASE WHEN workflow_run_id IS NULL THEN 'pending' ELSE 'waiting' END, attempts = 0, interruptions = 0, run_at = now(), completed_at = NULL, updated_at = now(),
  lease_owner = NULL, lease_expires_at = NULL, attempt_id = NULL, resolved_at = NULL, resolution = NULL,
  cancel_requested = false`;

/** $2: the state the job leaves; $3: whether it leaves the dead-letter queue too. */
const RETRY_SQL = `
WITH changed AS (
  UPDATE jobs.tb_job_run SET ${RESET_FOR_RETRY} WHERE id = $1 RETURNING ${JOB_COLUMNS}
),
counted AS (
  ${countsFrom(`SELECT queue, service_name, execution_type, $2::text AS state, '' AS fingerprint, -1 AS delta FROM changed
    UNION ALL SELECT queue, service_name, execution_type, status, '', 1 FROM changed
    UNION ALL SELECT queue, service_name, execution_type, 'dead_letter', coalesce(error_fingerprint, ''), -1 FROM changed
      WHERE $3::boolean`)}
)
SELECT * FROM changed`;

/** failed (resolved or not) or cancelled → pending now with attempts reset; else unchanged. */
export function retryJob(db: PgDb, jobId: number, actor: Actor): Promise<Job | null> {
  return db.tx(async (client) => {
    const job = await lockJob(client, jobId);
    if (!job) return null;
    if (job.status !== 'failed' && job.status !== 'cancelled') return job;
    const wasDeadLetter = job.status === 'failed' && job.resolved_at === null;
    await client.query(RETRY_SQL, [jobId, job.status, wasDeadLetter]);
    await client.query(READY_SQL, [jobId]);
    await advanceRetriedRuns(client, await runsOfJobs(client, [jobId]));
    await writeAudit(client, actorName(actor), 'job.retry', String(jobId), 1, { was: job.status });
    // As the advance left it: a workflow task whose upstreams all completed is pending again.
    return (await lockJob(client, jobId)) ?? job;
  });
}

/**
 * One statement does the change and writes its audit row with the count it really touched (an action
 * that matched nothing is logged too: the operator did ask).
 */
async function auditedBulk(
  db: PgDb,
  changeSql: string,
  params: unknown[],
  actor: Actor,
  action: string,
  details: Record<string, unknown>,
  alsoCte = '',
): Promise<number> {
  const n = params.length;
  const rows = await db.query(
    `WITH changed AS (${changeSql}),
     ${alsoCte}
     ${FIRST_JOB_IDS_CTE},
     logged AS (
       INSERT INTO jobs.tb_audit_log (actor, action, target, job_count, details)
       SELECT $${n + 1}, $${n + 2}, NULL, count(*), $${n + 3}::jsonb || ${TOUCHED_JOB_IDS_SQL} FROM changed
     )
     SELECT count(*) AS n FROM changed`,
    [...params, noNul(actorName(actor)), action, jsonNoNul(details)],
  );
  return countOf(rows);
}

/**
 * A dead letter that is a workflow task moves its run on in the same transaction (its dependents wait again).
 * The jobs sent back are counted per service, beside the breakers, by the statement that sends them back.
 */
export function dlqRetry(db: PgDb, selector: DlqSelector, actor: Actor): Promise<DlqRetried> {
  const n = dlqParams(selector).length;
  return db.tx(async (client) => {
    const rows = await rowsOf(
      client,
      `WITH changed AS (
         UPDATE jobs.tb_job_run SET ${RESET_FOR_RETRY} WHERE ${dlqWhereSql(0, selector)} RETURNING ${CHANGED}, priority, run_at, workflow_run_id, status
       ),
       requeued AS (${readyRowsFrom('changed', "status = 'pending'")}),
       counted AS (${countsFrom(`SELECT queue, service_name, execution_type, 'failed' AS state, '' AS fingerprint, -1 AS delta FROM changed
         UNION ALL SELECT queue, service_name, execution_type, status, '', 1 FROM changed
         UNION ALL SELECT queue, service_name, execution_type, 'dead_letter', coalesce(error_fingerprint, ''), -1 FROM changed`)}),
       ${FIRST_JOB_IDS_CTE},
       logged AS (
         INSERT INTO jobs.tb_audit_log (actor, action, target, job_count, details)
         SELECT $${n + 1}, 'dlq.retry', NULL, count(*), $${n + 2}::jsonb || ${TOUCHED_JOB_IDS_SQL} FROM changed
       )
       SELECT count(*) AS n, array_agg(DISTINCT workflow_run_id) FILTER (WHERE workflow_run_id IS NOT NULL) AS runs,
         coalesce(array_agg(DISTINCT queue ORDER BY queue), '{}') AS queues,
         (SELECT ids FROM first_ids) AS job_ids,
         (SELECT coalesce(json_agg(json_build_object('service_name', l.service_name, 'queue', l.queue)), '[]')
            FROM (SELECT DISTINCT service_name, queue FROM changed) l) AS lanes,
         (SELECT coalesce(json_agg(json_build_object('service_name', s.service_name, 'jobs', s.jobs, 'mode', b.mode, 'state', b.state)), '[]')
            FROM (SELECT service_name, count(*) AS jobs FROM changed GROUP BY service_name) s
            JOIN jobs.tb_breaker b ON b.service_name = s.service_name) AS services
       FROM changed`,
      [...dlqParams(selector), noNul(actorName(actor)), jsonNoNul({ selector: selectorDetails(selector) })],
    );
    const runs: unknown = rows[0]?.runs;
    if (Array.isArray(runs)) await advanceRetriedRuns(client, runs.map(Number));
    const services = z.array(ServiceJobs).parse(rows[0]?.services ?? []);
    const queues = z.array(z.string()).parse(rows[0]?.queues ?? []);
    const jobIds = z.array(z.number().int()).parse(rows[0]?.job_ids ?? []);
    const retried = countOf(rows);
    return {
      retried,
      held_by_breaker: heldByBreakers(new Map(services.map((s) => [s.service_name, s.jobs])), services),
      queues,
      job_ids: jobIds,
      job_ids_more: retried - jobIds.length,
      lanes: lanesOf(z.array(Lane).parse(rows[0]?.lanes ?? [])),
    };
  });
}

export function dlqResolve(db: PgDb, selector: DlqSelector, note: string, actor: Actor): Promise<number> {
  const params = dlqParams(selector);
  return auditedBulk(
    db,
    `UPDATE jobs.tb_job_run SET resolved_at = now(), resolution = $${params.length + 1}, updated_at = now() WHERE ${dlqWhereSql(0, selector)} RETURNING ${CHANGED}`,
    [...params, noNul(note)],
    actor,
    'dlq.resolve',
    { selector: selectorDetails(selector), note },
    `counted AS (${countsFrom(`SELECT queue, service_name, execution_type, 'dead_letter' AS state, coalesce(error_fingerprint, '') AS fingerprint,
       -1 AS delta FROM changed`)}),`,
  );
}

// A workflow task is left to retention, which prunes a run whole: a task purged alone takes its dependency
// rows with it, and its dependents would then run as if it had succeeded.
const RESOLVED_BEFORE = `status = 'failed' AND resolved_at IS NOT NULL AND resolved_at < $1 AND workflow_run_id IS NULL`;

export async function purgeResolvedCount(db: PgDb, before: Date): Promise<number> {
  return countOf(await db.query(`SELECT count(*) AS n FROM jobs.tb_job_run WHERE ${RESOLVED_BEFORE}`, [before.toISOString()]));
}

/** Attempts go with their jobs, in the same statement. */
export function purgeResolved(db: PgDb, before: Date, actor: Actor): Promise<number> {
  return auditedBulk(
    db,
    `DELETE FROM jobs.tb_job_run WHERE ${RESOLVED_BEFORE} RETURNING ${CHANGED}`,
    [before.toISOString()],
    actor,
    'dlq.purge',
    { before: before.toISOString() },
    `gone_attempts AS (DELETE FROM jobs.tb_job_attempt WHERE job_id IN (SELECT id FROM changed)),
     counted AS (${countsFrom(`SELECT queue, service_name, execution_type, 'failed' AS state, '' AS fingerprint, -1 AS delta FROM changed`)}),`,
  );
}
