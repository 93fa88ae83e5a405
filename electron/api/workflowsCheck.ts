import type { HealthCheck } from '../../shared/domain.ts';
import type { ApiContext } from './context.ts';
import { DEFAULT_STUCK_AFTER, stuckAfterOf, stuckWorkflowRuns } from './stuckRuns.ts';
import { spanText } from '../../shared/timesInText.ts';

/**
 * Health-check's workflows check (the runbooks' "workflows stuck in running"): a warning while a running run
 * has made no task progress for its workflow's stuck_after, naming the runs and what lifts them. Which
 * stuck_after holds comes from the registry loaded here, and it says so when none is.
 */
export async function workflowsCheck(ctx: ApiContext, nowMs: number): Promise<HealthCheck> {
  const stuck = await stuckWorkflowRuns(ctx, nowMs);
  const noRegistry = ctx.registry.loadedAt === null ? `; no registry loaded here, so every workflow is held to ${DEFAULT_STUCK_AFTER}` : '';
  if (stuck.length === 0) return { name: 'workflows', ok: true, detail: `no running workflow run is stuck${noRegistry}` };
  const named = stuck
    .slice(0, 5)
    .map((run) => `${run.workflow} run ${run.id} (no task progress for ${spanText(nowMs - Date.parse(run.updated_at))}, stuck after ${stuckAfterOf(run.workflow, ctx.registry.registry)})`);
  const more = stuck.length > 5 ? ` and ${stuck.length - 5} more` : '';
  return {
    name: 'workflows',
    ok: true,
    warning: true,
    detail: `${stuck.length} workflow run(s) stuck: ${named.join(', ')}${more}; opsdeck workflow show RUN says which task holds it, opsdeck workflow cancel RUN or retry RUN moves it${noRegistry}`,
  };
}
