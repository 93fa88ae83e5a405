import type { WorkflowRunView } from '../../shared/contract.ts';
import type { WorkflowRun, WorkflowTask } from '../../shared/workflow.ts';
import type { ApiContext } from './context.ts';
import { stuckAfterText, stuckWorkflowRuns, viewOf } from './stuckRuns.ts';

/** Failed runs, and stuck ones, a support bundle lists of each: the newest, as an overview would show first. */
export const RUNS_LISTED = 50;

/** A run as a bundle shows it: flagged stuck or not, with each task's state and error (why a blocked one waits). */
interface BundledRun {
  run: WorkflowRunView & { stuck_after: string };
  tasks: WorkflowTask[];
}

export interface BundledWorkflowRuns {
  failed: BundledRun[];
  stuck: BundledRun[];
}

async function withTasks(ctx: ApiContext, run: WorkflowRun, nowMs: number): Promise<BundledRun> {
  // Read a moment after the list: a run gone since is still listed, without its tasks.
  const detail = await ctx.store.getWorkflowRun(run.id);
  const registry = ctx.registry.registry;
  return { run: { ...viewOf(detail?.run ?? run, registry, nowMs), stuck_after: stuckAfterText(run, registry) }, tasks: detail?.tasks ?? [] };
}

/**
 * The newest failed workflow runs and the newest stuck ones (running with no task progress past their
 * stuck_after), RUNS_LISTED of each, with their tasks: what a run's diagnosis starts from, read through the
 * same store reads as `workflow runs --status failed` and `workflow runs --stuck`.
 */
export async function bundledWorkflowRuns(ctx: ApiContext, nowMs = Date.now()): Promise<BundledWorkflowRuns> {
  const failed = await ctx.store.listWorkflowRuns({ status: 'failed' }, { limit: RUNS_LISTED });
  // Stuck runs come longest stuck first; a bundle lists the newest, as it lists failures.
  const stuck = (await stuckWorkflowRuns(ctx, nowMs)).sort((a, b) => b.id - a.id).slice(0, RUNS_LISTED);
  return {
    failed: await Promise.all(failed.items.map((run) => withTasks(ctx, run, nowMs))),
    stuck: await Promise.all(stuck.map((run) => withTasks(ctx, run, nowMs))),
  };
}
