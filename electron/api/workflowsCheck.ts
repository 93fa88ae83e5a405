import type { WorkflowRunView } from '../../shared/contract.ts';
import type { HealthCheck } from '../../shared/domain.ts';
import type { ApiContext } from './context.ts';
import type { RunWords } from './interfaceWords.ts';
import { noRegistryLoaded } from './noRegistry.ts';
import { stuckByWorkflow, type StuckWorkflow } from './stuckByWorkflow.ts';
import { DEFAULT_STUCK_AFTER, stuckAfterText, stuckRunCounts, stuckWorkflowRuns } from './stuckRuns.ts';
import { spanText } from '../../shared/timesInText.ts';
import { countText } from '../../shared/countText.ts';

/** The workflows whose longest stuck run is named; the rest are named with their counts. */
const NAMED_WORKFLOWS = 5;

/** A workflow's longest stuck run, and how many more of its runs are stuck. */
function workflowText(w: StuckWorkflow, ctx: ApiContext, nowMs: number): string {
  const run = w.longest;
  if (run === null) return `${w.workflow}: ${countText(w.stuck)} run(s)`;
  const more = w.stuck > 1 ? ` and ${countText(w.stuck - 1)} more of ${w.workflow}` : '';
  return `${w.workflow} run ${run.id} (no task progress for ${spanText(nowMs - Date.parse(run.updated_at))}, stuck after ${stuckAfterText(run, ctx.registry.registry)})${more}`;
}

/** Whether workflow retry takes the run: only a failed or cancelled task is run again. */
function retryable(run: WorkflowRunView): boolean {
  return (run.tasks.failed ?? 0) + (run.tasks.cancelled ?? 0) > 0;
}

/**
 * What moves the stuck runs on, naming only what works: a lone stuck run by its id, several by the
 * interface's placeholder, and retry only for the runs named that have a failed or cancelled task, by
 * their ids (retry refuses a run with none: the operators' walk was sent to one).
 */
function remedies(named: readonly WorkflowRunView[], total: number, words: RunWords): string {
  const [only] = named;
  if (total === 1 && only) return `${words.show(only.id)}; ${words.cancel(only.id)}${retryable(only) ? `, or ${words.retry(only.id)}` : ''}`;
  const ids = named.filter(retryable).map((r) => r.id);
  const retry = ids.length === 0 ? '' : `; ${ids.length === 1 ? `run ${ids.join('')} has` : `runs ${ids.join(', ')} have`} a failed or cancelled task: ${words.retry(null)}`;
  return `${words.show(null)}; ${words.cancel(null)}${retry}`;
}

/**
 * Health-check's workflows check (the runbooks' "workflows stuck in running"): a warning while a running run
 * has made no task progress for its workflow's stuck_after, naming every workflow with stuck runs, how many
 * of each, the longest stuck run of each (of the first five), and what lifts them (`remedies`). Each run
 * keeps its workflow's stuck_after from its start; one started before runs kept theirs is held to the
 * registry loaded here, and it says so when none is.
 */
export async function workflowsCheck(ctx: ApiContext, nowMs: number): Promise<HealthCheck> {
  const [stuck, counted] = await Promise.all([stuckWorkflowRuns(ctx, nowMs), stuckRunCounts(ctx, nowMs)]);
  const workflows = stuckByWorkflow(stuck, counted);
  const total = workflows.reduce((sum, w) => sum + w.stuck, 0);
  const noRegistry = ctx.registry.loadedAt === null ? `; ${noRegistryLoaded(ctx.words)}, so a run started before runs kept their own stuck_after is held to ${DEFAULT_STUCK_AFTER}` : '';
  if (total === 0) return { name: 'workflows', ok: true, detail: `no running workflow run is stuck${noRegistry}` };
  const named = workflows.slice(0, NAMED_WORKFLOWS).map((w) => workflowText(w, ctx, nowMs));
  const longest = workflows.slice(0, NAMED_WORKFLOWS).flatMap((w) => (w.longest === null ? [] : [w.longest]));
  const rest = workflows.slice(NAMED_WORKFLOWS);
  const restText = rest.length === 0 ? '' : `, and runs stuck in ${rest.length} more workflow(s): ${rest.map((w) => `${w.workflow} ${countText(w.stuck)}`).join(', ')}`;
  return {
    name: 'workflows',
    ok: true,
    warning: true,
    detail: `${total} workflow run(s) stuck: ${named.join(', ')}${restText}; ${remedies(longest, total, ctx.words.workflowRun)}${noRegistry}`,
  };
}
