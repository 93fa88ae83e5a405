import type { JsonObject } from '../../../shared/domain.ts';
import type { WorkflowRun } from '../../../shared/workflow.ts';
import { WorkflowStartError, startWorkflowRun } from '../../engine/workflowStart.ts';
import type { Store } from '../../store/store.ts';
import type { WorkflowRunStarted } from '../../store/workflowTypes.ts';
import type { ApiContext } from '../context.ts';
import { ApiFailure, conflict, notFound } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';
import { fleetFacts, lostHolderOf, waitingOf } from '../jobWaitingFacts.ts';
import { heldBy } from '../heldBy.ts';
import { notInRegistry } from '../noRegistry.ts';
import { stuckRunCounts, stuckWorkflowRuns, viewOf } from '../stuckRuns.ts';
import { workflowStatsOf } from '../workflowStats.ts';
import { WORKER_LOST_AFTER_MS } from './workers.ts';


/** By id or identifier; an all-digit string is tried as an identifier first, then as an id. */
async function runOf(store: Store, ref: number | string): Promise<WorkflowRun> {
  const found = (await store.getWorkflowRun(ref)) ?? (typeof ref === 'string' && /^\d+$/.test(ref) ? await store.getWorkflowRun(Number(ref)) : null);
  if (!found) throw notFound(`no workflow run ${JSON.stringify(ref)}`);
  return found.run;
}

/**
 * A run started, with what holds its tasks back: every task is counted, those waiting on others too, as
 * each is held the same once its turn comes. A run that existed already is said as it was found.
 */
async function started(ctx: ApiContext, workflow: string, payload: JsonObject, identifier: string | undefined) {
  if (ctx.registry.loadedAt === null) throw notFound(notInRegistry(ctx, `workflow ${workflow}`, []));
  let result: WorkflowRunStarted;
  try {
    result = await startWorkflowRun(ctx.store, ctx.registry.registry, workflow, payload, ctx.actor, identifier);
  } catch (error) {
    if (error instanceof WorkflowStartError) throw new ApiFailure(error.kind === 'not_found' ? 'not_found' : 'invalid_input', error.message);
    throw error;
  }
  if (!result.created) return result;
  // The run started, so the registry has the workflow and each task's service.
  const tasks = ctx.registry.registry.workflows?.find((w) => w.name === workflow)?.tasks ?? [];
  const jobs = tasks.flatMap((task) => {
    const service = ctx.registry.service(task.service);
    return service ? [{ service_name: service.name, queue: service.queue }] : [];
  });
  return { ...result, ...(await heldBy(ctx, jobs)) };
}

export const workflows: Handlers<
  'workflows.list' | 'workflows.run' | 'workflows.runs' | 'workflows.show' | 'workflows.retry' | 'workflows.cancel' | 'workflows.stuck' | 'workflows.stats'
> = {
  'workflows.list': async (_input, ctx) => ({
    workflows: (ctx.registry.registry.workflows ?? []).map((w) => ({
      name: w.name,
      description: w.description ?? null,
      stuck_after: w.stuck_after,
      tasks: w.tasks.map((t) => ({ name: t.name, service: t.service, depends_on: t.depends_on, pass_output: t.pass_output ?? null })),
    })),
  }),

  'workflows.run': async (input, ctx) => started(ctx, input.workflow, input.payload, input.identifier),

  'workflows.runs': async (input, ctx) => {
    const page = await ctx.store.listWorkflowRuns(
      { ...(input.workflow === undefined ? {} : { workflow: input.workflow }), ...(input.status === undefined ? {} : { status: input.status }) },
      { limit: input.limit, after: input.after ?? null },
    );
    const nowMs = Date.now();
    return { runs: page.items.map((run) => viewOf(run, ctx.registry.registry, nowMs)), next_cursor: page.next_cursor };
  },

  'workflows.show': async (input, ctx) => {
    const { id } = await runOf(ctx.store, input.run);
    const detail = await ctx.store.getWorkflowRun(id);
    if (!detail) throw notFound(`no workflow run ${JSON.stringify(input.run)}`);
    const pending = detail.tasks.filter((t) => t.status === 'pending');
    const running = detail.tasks.filter((t) => t.status === 'running');
    const fleet = pending.length > 0 ? await fleetFacts(ctx) : null;
    // A running task needs only the workers: whether the one holding it is lost.
    const workers = running.length === 0 ? [] : (fleet?.workers ?? (await ctx.store.listWorkers(WORKER_LOST_AFTER_MS)));
    const now = Date.now();
    // Each task's reads go out together: a run's detail is polled while it is open.
    const waiting = new Map(
      await Promise.all([
        ...pending.map(async (task): Promise<[number, string[]]> => {
          const job = await ctx.store.getJob(task.job_id);
          return [task.job_id, job && fleet ? await waitingOf(ctx, job, fleet) : []];
        }),
        ...running.map(async (task): Promise<[number, string[]]> => {
          const job = await ctx.store.getJob(task.job_id);
          return [task.job_id, job ? lostHolderOf(ctx, job, workers, now) : []];
        }),
      ]),
    );
    const tasks = detail.tasks.map((t) => ({ ...t, waiting: waiting.get(t.job_id) ?? [] }));
    return { run: viewOf(detail.run, ctx.registry.registry, now), tasks };
  },

  'workflows.retry': async (input, ctx) => {
    const run = await runOf(ctx.store, input.run);
    const result = await ctx.store.retryWorkflowRun(run.id, ctx.actor);
    if (!result) throw notFound(`no workflow run ${JSON.stringify(input.run)}`);
    if (result.retried.length === 0) {
      throw conflict(`workflow run ${run.id} (${run.identifier}) of ${run.workflow} is ${result.found}: it has no failed or cancelled task to retry`);
    }
    const jobs = await Promise.all(result.retried.map((id) => ctx.store.getJob(id)));
    return { retried: result.retried, ...(await heldBy(ctx, jobs.filter((job) => job !== null))) };
  },

  'workflows.cancel': async (input, ctx) => {
    const run = await runOf(ctx.store, input.run);
    const result = await ctx.store.cancelWorkflowRun(run.id, ctx.actor, input.reason ?? null);
    if (!result) throw notFound(`no workflow run ${JSON.stringify(input.run)}`);
    const named = `workflow run ${run.id} (${run.identifier}) of ${run.workflow}`;
    // Cancelled already is what was asked: said, not refused, and not audited again.
    if (result.found === 'cancelled') {
      const at = run.finished_at === null ? '' : ` at ${run.finished_at}`;
      return { cancelled: 0, stopping: 0, changed: false, note: `${named} was already cancelled${at}; nothing changed` };
    }
    if (result.found !== 'running') throw conflict(`${named} is ${result.found}: nothing to cancel`);
    return { cancelled: result.cancelled, stopping: result.stopping, changed: true, note: null };
  },

  'workflows.stuck': async (_input, ctx) => {
    const [runs, counts] = await Promise.all([stuckWorkflowRuns(ctx), stuckRunCounts(ctx)]);
    return { runs, counts: counts.map((c) => ({ workflow: c.workflow_name, stuck: c.n })) };
  },
  'workflows.stats': async (input, ctx) => {
    const until = new Date();
    const since = new Date(until.getTime() - input.since_minutes * 60_000);
    return workflowStatsOf(await ctx.store.workflowRunTally(since, input.workflow ?? null), since, until);
  },
};
