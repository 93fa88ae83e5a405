import type { WorkflowRunView } from '../../shared/contract.ts';
import type { Registry } from '../../shared/registry.ts';
import { spanText } from '../../shared/timesInText.ts';
import { isRunStuck, stuckAfterMs } from '../../shared/workflow.ts';
import type { WorkflowRun } from '../../shared/workflow.ts';
import type { ApiContext } from './context.ts';

/** What a run of a workflow the registry does not name is held to. */
export const DEFAULT_STUCK_AFTER = '1h';
/** Stuck runs read per stuck_after: more than an overview shows. */
const STUCK_LIMIT = 200;

/** The workflow's stuck_after in the registry loaded here, or the default for one it does not name. */
export function stuckAfterOf(workflow: string, registry: Registry): string {
  return registry.workflows?.find((w) => w.name === workflow)?.stuck_after ?? DEFAULT_STUCK_AFTER;
}

/** How long a run may go without task progress: its own stuck_after, else (a run older than that) the registry's. */
function stuckAfterMsOf(run: WorkflowRun, registry: Registry): number {
  return run.stuck_after_ms ?? stuckAfterMs(stuckAfterOf(run.workflow, registry));
}

/** The same, as the operator reads it. */
export function stuckAfterText(run: WorkflowRun, registry: Registry): string {
  return run.stuck_after_ms === null ? stuckAfterOf(run.workflow, registry) : spanText(run.stuck_after_ms);
}

/** A run as the console shows it: flagged stuck by its own stuck_after (else its workflow's in the registry). */
export function viewOf(run: WorkflowRun, registry: Registry, nowMs: number): WorkflowRunView {
  return { ...run, stuck: isRunStuck(run, stuckAfterMsOf(run, registry), nowMs) };
}

/**
 * The running runs with no task progress for their stuck_after, longest stuck first. A run keeps its
 * workflow's stuck_after from when it started: one read finds those past their own. Runs started before
 * runs kept theirs are read as before, one read per stuck_after in the registry, each of runs already past
 * it, so old runs of a patient workflow never crowd out a stuck run of another; workflows the registry
 * lacks are held to the default.
 */
export async function stuckWorkflowRuns(ctx: Pick<ApiContext, 'store' | 'registry'>, nowMs = Date.now()): Promise<WorkflowRunView[]> {
  const registry = ctx.registry.registry;
  const byWait = new Map<number, string[]>();
  for (const w of registry.workflows ?? []) {
    const ms = stuckAfterMs(w.stuck_after);
    byWait.set(ms, [...(byWait.get(ms) ?? []), w.name]);
  }
  const older = { withoutOwnStuckAfter: true };
  const reads = [...byWait].map(([ms, workflows]) => ctx.store.runningWorkflowRuns(STUCK_LIMIT, { ...older, workflows, updatedBefore: new Date(nowMs - ms) }));
  const known = (registry.workflows ?? []).map((w) => w.name);
  reads.push(ctx.store.runningWorkflowRuns(STUCK_LIMIT, { ...older, exceptWorkflows: known, updatedBefore: new Date(nowMs - stuckAfterMs(DEFAULT_STUCK_AFTER)) }));
  reads.push(ctx.store.runningWorkflowRuns(STUCK_LIMIT, { pastOwnStuckAfter: new Date(nowMs) }));
  const runs = (await Promise.all(reads)).flat().sort((a, b) => Date.parse(a.updated_at) - Date.parse(b.updated_at));
  return runs.map((run) => viewOf(run, registry, nowMs)).filter((run) => run.stuck);
}
