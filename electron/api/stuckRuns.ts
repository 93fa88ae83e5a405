import type { WorkflowRunView } from '../../shared/contract.ts';
import type { Registry } from '../../shared/registry.ts';
import { spanText } from '../../shared/timesInText.ts';
import { isRunStuck, stuckAfterMs } from '../../shared/workflow.ts';
import type { WorkflowRun } from '../../shared/workflow.ts';
import type { RunningRuns, StuckAfters } from '../store/workflowTypes.ts';
import type { ApiContext } from './context.ts';

/** What a run of a workflow the registry does not name is held to. */
export const DEFAULT_STUCK_AFTER = '1h';
/** Stuck runs read of each workflow: more than an overview shows, and one workflow's never hide another's. */
const STUCK_PER_WORKFLOW = 200;

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

/** What a run without a stuck_after of its own is held to: its workflow's in the registry loaded here, else the default. */
function stuckAftersOf(registry: Registry): StuckAfters {
  return {
    byWorkflow: new Map((registry.workflows ?? []).map((w) => [w.name, stuckAfterMs(w.stuck_after)])),
    defaultMs: stuckAfterMs(DEFAULT_STUCK_AFTER),
  };
}

/**
 * The running runs with no task progress for their stuck_after, longest stuck first, STUCK_PER_WORKFLOW
 * of each workflow at most. A run keeps its workflow's stuck_after from when it started; one started
 * before runs kept theirs is held to the registry loaded here (the default for a workflow it lacks).
 */
export async function stuckWorkflowRuns(ctx: Pick<ApiContext, 'store' | 'registry'>, nowMs = Date.now()): Promise<WorkflowRunView[]> {
  const registry = ctx.registry.registry;
  const runs = await ctx.store.stuckWorkflowRuns(new Date(nowMs), stuckAftersOf(registry), STUCK_PER_WORKFLOW);
  return runs.map((run) => viewOf(run, registry, nowMs)).filter((run) => run.stuck);
}

/** How many runs of each workflow are stuck, held to the same stuck_after as stuckWorkflowRuns: exact, however many. */
export async function stuckRunCounts(ctx: Pick<ApiContext, 'store' | 'registry'>, nowMs = Date.now()): Promise<RunningRuns[]> {
  return ctx.store.stuckRunsByWorkflow(new Date(nowMs), stuckAftersOf(ctx.registry.registry));
}
