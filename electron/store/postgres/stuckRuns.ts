import type { StuckAfters } from '../workflowTypes.ts';
import { noNul } from './text.ts';

/**
 * The running runs stuck at $1, for the FROM of a read: no task progress for their own stuck_after, or for
 * a run started before runs kept theirs, their workflow's ($2 the workflows, $3 their ms), else $4 ms. The
 * partial index of running runs (migration 0015) holds only those, so a read grows with the runs under
 * way, never with those kept. The same cut as isRunStuck in shared/workflow.ts: past, not at, it.
 */
export const STUCK_RUNS = `jobs.tb_workflow_run r
  LEFT JOIN unnest($2::text[], $3::bigint[]) AS h(workflow_name, ms) ON h.workflow_name = r.workflow_name
  WHERE r.status = 'running'
    AND r.updated_at < $1::timestamptz - coalesce(r.stuck_after_ms, h.ms, $4::bigint) * interval '1 millisecond'`;

export function stuckParams(now: Date, held: StuckAfters): [string, string[], number[], number] {
  const workflows = [...held.byWorkflow];
  return [now.toISOString(), workflows.map(([name]) => noNul(name)), workflows.map(([, ms]) => ms), held.defaultMs];
}
