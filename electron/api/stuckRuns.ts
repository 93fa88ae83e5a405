import type { WorkflowRunView } from '../../shared/contract.ts';
import type { Registry } from '../../shared/registry.ts';
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

/** A run as the console shows it: flagged stuck by its workflow's stuck_after. */
export function viewOf(run: WorkflowRun, registry: Registry, nowMs: number): WorkflowRunView {
  return { ...run, stuck: isRunStuck(run, stuckAfterMs(stuckAfterOf(run.workflow, registry)), nowMs) };
}

/**
 * The running runs with no task progress for their workflow's stuck_after, longest stuck first. One read per
 * stuck_after, each of runs already past it: old runs of a patient workflow never crowd out a stuck run of
 * another. Workflows the registry lacks are held to the default.
 */
export async function stuckWorkflowRuns(ctx: ApiContext, nowMs = Date.now()): Promise<WorkflowRunView[]> {
  const registry = ctx.registry.registry;
  const byWait = new Map<number, string[]>();
  for (const w of registry.workflows ?? []) {
    const ms = stuckAfterMs(w.stuck_after);
    byWait.set(ms, [...(byWait.get(ms) ?? []), w.name]);
  }
  const reads = [...byWait].map(([ms, workflows]) => ctx.store.runningWorkflowRuns(STUCK_LIMIT, { workflows, updatedBefore: new Date(nowMs - ms) }));
  const known = (registry.workflows ?? []).map((w) => w.name);
  reads.push(ctx.store.runningWorkflowRuns(STUCK_LIMIT, { exceptWorkflows: known, updatedBefore: new Date(nowMs - stuckAfterMs(DEFAULT_STUCK_AFTER)) }));
  const runs = (await Promise.all(reads)).flat().sort((a, b) => Date.parse(a.updated_at) - Date.parse(b.updated_at));
  return runs.map((run) => viewOf(run, registry, nowMs)).filter((run) => run.stuck);
}
