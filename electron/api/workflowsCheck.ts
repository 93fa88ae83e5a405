import type { HealthCheck } from '../../shared/domain.ts';
import type { ApiContext } from './context.ts';
import { noRegistryLoaded } from './noRegistry.ts';
import { DEFAULT_STUCK_AFTER, stuckAfterText, stuckRunCounts, stuckWorkflowRuns } from './stuckRuns.ts';
import { spanText } from '../../shared/timesInText.ts';

/**
 * Health-check's workflows check (the runbooks' "workflows stuck in running"): a warning while a running run
 * has made no task progress for its workflow's stuck_after, naming the runs and what lifts them. Each run
 * keeps its workflow's stuck_after from its start; one started before runs kept theirs is held to the
 * registry loaded here, and it says so when none is.
 */
export async function workflowsCheck(ctx: ApiContext, nowMs: number): Promise<HealthCheck> {
  const [stuck, counted] = await Promise.all([stuckWorkflowRuns(ctx, nowMs), stuckRunCounts(ctx, nowMs)]);
  // The list holds at most 200 runs of a workflow; the counts say how many there are. Two reads
  // see two moments, so the larger stands.
  const total = Math.max(stuck.length, counted.reduce((sum, c) => sum + c.n, 0));
  const noRegistry = ctx.registry.loadedAt === null ? `; ${noRegistryLoaded(ctx.words)}, so a run started before runs kept their own stuck_after is held to ${DEFAULT_STUCK_AFTER}` : '';
  if (stuck.length === 0) return { name: 'workflows', ok: true, detail: `no running workflow run is stuck${noRegistry}` };
  const named = stuck
    .slice(0, 5)
    .map((run) => `${run.workflow} run ${run.id} (no task progress for ${spanText(nowMs - Date.parse(run.updated_at))}, stuck after ${stuckAfterText(run, ctx.registry.registry)})`);
  const more = total > named.length ? ` and ${total - named.length} more` : '';
  return {
    name: 'workflows',
    ok: true,
    warning: true,
    detail: `${total} workflow run(s) stuck: ${named.join(', ')}${more}; ${ctx.words.stuckRun()}${noRegistry}`,
  };
}
