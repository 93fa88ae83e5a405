import { z } from 'zod';
import type { RunningRuns, StuckAfters, WorkflowRunCount, WorkflowRunTally } from '../workflowTypes.ts';
import type { PgDb } from './db.ts';
import { STUCK_RUNS, stuckParams } from './stuckRuns.ts';

const CountRow = z.object({ workflow_name: z.string(), status: z.string(), n: z.number() });
const DurationRow = z.object({ workflow_name: z.string(), bucket: z.number(), n: z.number() });

/**
 * The runs started since a time, per workflow, in one statement (one snapshot): read through migration
 * 0047's index on created_at, so the read grows with the window's runs. The durations' buckets are
 * shared/latencyBuckets.ts's: 0 under 1 ms, four to each doubling, at most 128. `bucket` is null on the
 * count rows, `status` on the buckets'.
 */
export async function workflowRunTally(db: PgDb, since: Date, workflow: string | null): Promise<WorkflowRunTally> {
  const rows = await db.read(
    `WITH w AS (
       SELECT workflow_name, status, finished_at AS finished, greatest(0, extract(epoch FROM finished_at - created_at) * 1000) AS ms
       FROM jobs.tb_workflow_run WHERE created_at >= $1 AND ($2::text IS NULL OR workflow_name = $2)
     )
     SELECT workflow_name, status, NULL::int AS bucket, count(*)::int AS n FROM w GROUP BY workflow_name, status
     UNION ALL
     SELECT workflow_name, NULL, CASE WHEN ms < 1 THEN 0 ELSE least(128, 1 + floor(4 * log(2, ms::numeric))::int) END, count(*)::int
     FROM w WHERE status = 'completed' AND finished IS NOT NULL GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3`,
    [since.toISOString(), workflow],
  );
  const out: WorkflowRunTally = { counts: [], durations: [] };
  for (const row of rows) {
    if (row.bucket === null) out.counts.push(CountRow.parse(row));
    else out.durations.push(DurationRow.parse(row));
  }
  return out;
}

const RunningRow = z.object({ workflow_name: z.string(), n: z.number() });

/** The runs running now, per workflow: the partial index of running runs (migration 0015) holds only those. */
export async function runningRunsByWorkflow(db: PgDb): Promise<RunningRuns[]> {
  const rows = await db.read(
    `SELECT workflow_name, count(*)::int AS n FROM jobs.tb_workflow_run WHERE status = 'running' GROUP BY workflow_name ORDER BY workflow_name`,
  );
  return rows.map((row) => RunningRow.parse(row));
}

/** How many runs of each workflow are stuck at `now`, through the same index: exact, however many. */
export async function stuckRunsByWorkflow(db: PgDb, now: Date, held: StuckAfters): Promise<RunningRuns[]> {
  const rows = await db.read(
    `SELECT r.workflow_name, count(*)::int AS n FROM ${STUCK_RUNS} GROUP BY r.workflow_name ORDER BY r.workflow_name`,
    stuckParams(now, held),
  );
  return rows.map((row) => RunningRow.parse(row));
}

/** The tally's counts alone, of every workflow, through the index on created_at. */
export async function workflowRunCounts(db: PgDb, since: Date): Promise<WorkflowRunCount[]> {
  const rows = await db.read(
    `SELECT workflow_name, status, count(*)::int AS n FROM jobs.tb_workflow_run WHERE created_at >= $1 GROUP BY workflow_name, status ORDER BY workflow_name, status`,
    [since.toISOString()],
  );
  return rows.map((row) => CountRow.parse(row));
}
