import type { Queryable } from './db.ts';
import { rowsOf } from './db.ts';

/**
 * Workflow runs move on in jobs.opsdeck_workflow_advance (migration 0015): the settle calls it itself;
 * every other statement that finishes or revives a workflow task (an operator's retry, cancel or fail, the
 * watchdog's reclaim, a dead-letter retry) calls it through here, inside its own transaction.
 */

/** Moves the runs of these jobs on, in the caller's transaction (after an operator's action on one task). */
export async function advanceRunsOfJobs(client: Queryable, jobIds: number[]): Promise<void> {
  if (jobIds.length === 0) return;
  await client.query(
    `SELECT jobs.opsdeck_workflow_advance(runs) FROM (
       SELECT array_agg(DISTINCT workflow_run_id) AS runs FROM jobs.tb_job_run WHERE id = ANY($1::bigint[]) AND workflow_run_id IS NOT NULL
     ) r WHERE runs IS NOT NULL`,
    [jobIds],
  );
}

/**
 * After an operator retried tasks: their runs move on, and a cancelled run with a task to run again is
 * running while it does (seen in the running and stuck views), then ends as its tasks do. The run row is
 * changed after the advance, which has locked it already: no new lock order.
 */
export async function advanceRetriedRuns(client: Queryable, runIds: number[]): Promise<void> {
  if (runIds.length === 0) return;
  await client.query(`SELECT jobs.opsdeck_workflow_advance($1::bigint[])`, [runIds]);
  await client.query(
    `UPDATE jobs.tb_workflow_run r SET status = 'running', finished_at = NULL, updated_at = now()
     WHERE r.id = ANY($1::bigint[]) AND r.status = 'cancelled'
       AND EXISTS (SELECT 1 FROM jobs.tb_job_run j WHERE j.workflow_run_id = r.id AND j.status IN ('pending', 'running', 'waiting'))`,
    [runIds],
  );
}

/** The workflow runs these jobs are tasks of. */
export async function runsOfJobs(client: Queryable, jobIds: number[]): Promise<number[]> {
  const rows = await rowsOf(client, `SELECT DISTINCT workflow_run_id AS run FROM jobs.tb_job_run WHERE id = ANY($1::bigint[]) AND workflow_run_id IS NOT NULL`, [jobIds]);
  return rows.map((row) => Number(row.run));
}
