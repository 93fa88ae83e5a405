import type { Queryable } from './db.ts';

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
