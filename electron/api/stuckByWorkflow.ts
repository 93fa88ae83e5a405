import type { WorkflowRunView } from '../../shared/contract.ts';
import type { RunningRuns } from '../store/workflowTypes.ts';

/** One workflow's stuck runs as the health check names them: its longest stuck run, and how many are stuck. */
export interface StuckWorkflow {
  workflow: string;
  /** Null for a workflow the counts found stuck runs of that the list, read a moment apart, did not hold. */
  longest: WorkflowRunView | null;
  stuck: number;
}

/**
 * Every workflow with stuck runs, the one whose run is stuck longest first, each with its longest stuck run
 * and how many of its runs are stuck: so one workflow's many runs never hide another's. `runs` is the list
 * as the store reads it (longest stuck first, a bounded number of each workflow), `counts` how many of each
 * are stuck, exactly. Two reads see two moments: the larger count stands, and a workflow counted but not
 * listed comes last.
 */
export function stuckByWorkflow(runs: readonly WorkflowRunView[], counts: readonly RunningRuns[]): StuckWorkflow[] {
  const groups = new Map<string, StuckWorkflow>();
  for (const run of runs) {
    const group = groups.get(run.workflow);
    if (group) group.stuck += 1;
    else groups.set(run.workflow, { workflow: run.workflow, longest: run, stuck: 1 });
  }
  for (const { workflow_name: workflow, n } of counts) {
    const group = groups.get(workflow);
    if (group) group.stuck = Math.max(group.stuck, n);
    else if (n > 0) groups.set(workflow, { workflow, longest: null, stuck: n });
  }
  return [...groups.values()];
}
