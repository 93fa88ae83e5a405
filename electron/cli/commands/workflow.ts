import { durationText } from '../../../shared/durationText.ts';
import { countText } from '../../../shared/countText.ts';
import type { JobTrace, WorkflowRunDetailView, WorkflowRunView, WorkflowTaskView } from '../../../shared/contract.ts';
import type { JsonObject } from '../../../shared/domain.ts';
import { payloadObject } from '../../../shared/fields.ts';
import { WorkflowRunStatus } from '../../../shared/workflow.ts';
import { flag, int, listOnly, positionals, str, UsageError } from '../args.ts';
import { unknownStatusText } from '../../../shared/statusWords.ts';
import { call, withRuntime } from '../call.ts';
import type { Command, Invocation } from '../command.ts';
import { NO_REGISTRY } from '../noRegistry.ts';
import { unknownWorkflow } from '../../api/workflowNames.ts';
import { paint, printJson, timesIn, when, type Io } from '../output.ts';
import { renderTable } from '../table.ts';
import { sameCommand } from '../sameCommand.ts';
import { DEFAULT_STUCK_AFTER } from '../../api/stuckRuns.ts';
import { heldByTexts } from '../../../shared/heldText.ts';
import { taskWhy } from '../../../shared/taskWhy.ts';
import { WORKFLOW_STATS_DETAILS, workflowStats } from './workflowStats.ts';
import { CLI_RESET } from '../../../shared/breakerRecord.ts';

/** "3 completed, 1 failed, 2 blocked": a run's tasks per state, busiest first. */
function taskSummary(tasks: Record<string, number>): string {
  const parts = Object.entries(tasks).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  return parts.length === 0 ? '-' : parts.map(([state, n]) => `${n} ${state}`).join(', ');
}

function statusText(io: Io, run: WorkflowRunView): string {
  if (run.stuck) return paint(io, `${run.status} (stuck)`, 'yellow');
  if (run.status === 'failed') return paint(io, run.status, 'red');
  return run.status;
}

function runsTable(io: Io, runs: WorkflowRunView[]): string {
  return renderTable(
    [{ header: 'run', align: 'right' }, { header: 'identifier', max: 48 }, { header: 'workflow' }, { header: 'status' }, { header: 'tasks' }, { header: 'started' }, { header: 'last progress' }],
    runs.map((r) => [String(r.id), r.identifier, r.workflow, statusText(io, r), taskSummary(r.tasks), when(r.created_at), when(r.updated_at)]),
  );
}

/** How long a task ran, in the duration format the console writes, "so far" while it runs. */
function took(from: string | null, to: string | null): string {
  if (!from) return '-';
  const ms = (to ? Date.parse(to) : Date.now()) - Date.parse(from);
  return Number.isFinite(ms) ? `${durationText(ms, '-')}${to ? '' : ' so far'}` : '-';
}

function showRun(io: Io, detail: WorkflowRunDetailView): void {
  const { run } = detail;
  io.out(`run ${run.id} (${run.identifier}) of workflow ${run.workflow}: ${statusText(io, run)}`);
  io.out(`started ${when(run.created_at)} by ${run.created_by}; last progress ${when(run.updated_at)}${run.finished_at ? `; finished ${when(run.finished_at)}` : ''}`);
  io.out('');
  io.out(
    renderTable(
      [{ header: 'task' }, { header: 'job', align: 'right' }, { header: 'status' }, { header: 'depends on' }, { header: 'attempts', align: 'right' }, { header: 'started' }, { header: 'took' }, { header: 'why', max: 400 }],
      detail.tasks.map((t) => [
        t.name,
        String(t.job_id),
        t.status === 'failed' ? paint(io, t.status, 'red') : t.status === 'blocked' ? paint(io, t.status, 'yellow') : t.status,
        t.depends_on.join(', ') || '-',
        String(t.attempts),
        when(t.started_at),
        // A pending task's start is an earlier attempt's: it is not running now.
        t.status === 'pending' ? '-' : took(t.started_at, t.completed_at),
        timesIn(taskWhy(t, run, detail.tasks)),
      ]),
    ),
  );
}

/** What retries a run's failed tasks: said last, after their output. */
function retryHint(detail: WorkflowRunDetailView): string | null {
  const failed = detail.tasks.filter((t) => t.status === 'failed');
  if (failed.length === 0) return null;
  return `\n${failed.map((t) => t.name).join(', ')} failed: opsdeck workflow retry ${detail.run.id} runs ${failed.length === 1 ? 'it' : 'them'} again, and the run goes on from there`;
}

/** The failed tasks whose output `show` prints; past them, each task's job has its own. */
const FAILED_OUTPUTS_SHOWN = 5;
/** Lines of a failed task's output `show` prints: the end, where a program says why it stopped. */
const OUTPUT_LINES = 10;

/**
 * A failed task's output, the last lines of its last attempt that printed any: the runbooks' "failed
 * task logs", read where the run is inspected rather than one more command away.
 */
function failedOutput(task: WorkflowTaskView, trace: JobTrace): string {
  const at = trace.attempts.findLastIndex((a) => a.output_tail);
  const tail = trace.attempts[at]?.output_tail?.trimEnd();
  if (!tail) return `\n${task.name} (job ${task.job_id}) printed nothing; opsdeck job ${task.job_id} has its attempts`;
  const lines = tail.split('\n');
  const shown = lines.slice(-OUTPUT_LINES).join('\n');
  const more = lines.length > OUTPUT_LINES ? `, its last ${OUTPUT_LINES} lines; opsdeck job ${task.job_id} has the whole tail` : '';
  return `\noutput of ${task.name} (job ${task.job_id}, attempt #${at + 1}${more}):\n${shown}`;
}

function payloadOf(text: string | undefined): JsonObject {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError('--payload must be JSON, e.g. --payload \'{"date": "2026-12-04"}\'');
  }
  const parsed = payloadObject.safeParse(value);
  if (!parsed.success) throw new UsageError(`--payload ${parsed.error.issues[0]?.message ?? 'must be a JSON object'}`);
  return parsed.data;
}

/** A run named by its number or its identifier. */
function runRef(text: string | undefined): number | string {
  if (text === undefined || text === '') throw new UsageError('missing RUN (a run number or identifier; opsdeck workflow runs lists them)');
  return /^\d+$/.test(text) && Number(text) > 0 && Number.isSafeInteger(Number(text)) ? Number(text) : text;
}

/** For each workflow with more stuck runs than listed (the longest stuck of each are), how many more. */
function unlistedStuck(listed: ReadonlyArray<{ workflow: string }>, counts: ReadonlyArray<{ workflow: string; stuck: number }>): string[] {
  return counts.flatMap(({ workflow, stuck }) => {
    const shown = listed.filter((r) => r.workflow === workflow).length;
    return stuck > shown ? [`and ${stuck - shown} more stuck run(s) of ${workflow}, beyond the ${shown} stuck longest listed`] : [];
  });
}

/** Runs flagged stuck, by the same reading as GET /v1/workflow-runs/stuck and the overview's banner. */
async function stuckRuns(inv: Invocation): Promise<number> {
  const workflow = str(inv.values, 'workflow');
  return withRuntime(inv, async ({ ctx }) => {
    const answer = await call(ctx, 'workflows.stuck', {});
    const stuck = workflow === undefined ? answer.runs : answer.runs.filter((r) => r.workflow === workflow);
    const counts = workflow === undefined ? answer.counts : answer.counts.filter((c) => c.workflow === workflow);
    if (inv.common.json) printJson(inv.io, { runs: stuck, counts });
    else inv.io.out(stuck.length === 0 ? "no stuck workflow runs: every running run made task progress within its workflow's stuck_after" : runsTable(inv.io, stuck));
    if (!inv.common.json) for (const line of unlistedStuck(stuck, counts)) inv.io.out(line);
    const unknown = stuck.length === 0 && !inv.common.json ? await unknownWorkflow(ctx, workflow) : null;
    if (unknown !== null) inv.io.err(`opsdeck: ${unknown}`);
    // Each run keeps its workflow's stuck_after; one started before runs kept theirs is held to the
    // registry's, and without a registry here to the default: say so only when such a run is running.
    if (!inv.common.json && ctx.registry.loadedAt === null && (await ctx.store.runningWorkflowRuns(1, { withoutOwnStuckAfter: true })).length > 0) {
      inv.io.err(`opsdeck: ${NO_REGISTRY}; running runs started before runs kept their own stuck_after are held to ${DEFAULT_STUCK_AFTER}, not their workflow's`);
    }
    return 0;
  });
}

async function runs(inv: Invocation): Promise<number> {
  positionals(inv, ['runs']);
  const status = str(inv.values, 'status');
  // Stuck is no state a run is in but a flag on a running one: --status stuck asks for the flag.
  if (flag(inv.values, 'stuck') || status === 'stuck') {
    if (status !== undefined && status !== 'stuck' && status !== 'running') throw new UsageError(`--stuck lists running runs only; --status ${status} contradicts it`);
    if (str(inv.values, 'limit') !== undefined || str(inv.values, 'after') !== undefined) throw new UsageError('--stuck lists every stuck run at once; --limit and --after page the other lists');
    return stuckRuns(inv);
  }
  const parsedStatus = status === undefined ? undefined : WorkflowRunStatus.safeParse(status);
  // The runbooks' in_progress answered as jobs --status answers it: in opsdeck's word.
  if (parsedStatus && !parsedStatus.success) throw new UsageError(`--status: ${unknownStatusText(status ?? '', [...WorkflowRunStatus.options, 'stuck'])}`);
  const workflow = str(inv.values, 'workflow');
  const limit = int(inv.values, 'limit', 1, 500) ?? 50;
  return withRuntime(inv, async ({ ctx }) => {
    const page = await call(ctx, 'workflows.runs', {
      ...(workflow === undefined ? {} : { workflow }),
      ...(parsedStatus?.success ? { status: parsedStatus.data } : {}),
      limit,
      after: str(inv.values, 'after') ?? null,
    });
    if (inv.common.json) printJson(inv.io, page);
    else inv.io.out(page.runs.length === 0 ? 'no workflow runs; start one with opsdeck workflow run NAME' : runsTable(inv.io, page.runs));
    const unknown = page.runs.length === 0 && !inv.common.json ? await unknownWorkflow(ctx, workflow) : null;
    if (unknown !== null) inv.io.err(`opsdeck: ${unknown}`);
    // A page is the newest runs only: an older failed run must not look like none.
    if (!inv.common.json && page.next_cursor) inv.io.out(`\nmore: ${sameCommand(inv, 'workflow', { after: page.next_cursor })}`);
    return 0;
  });
}

export const workflow: Command = {
  name: 'workflow',
  summary: 'workflows: list, run, runs, stats (runs, succeeded/failed, p50/p95 per workflow), show RUN, retry RUN, cancel RUN',
  usage: 'list | run NAME [--payload JSON] [--identifier ID] | runs [--workflow NAME] [--status S | --stuck] [--limit N] [--after CURSOR] | stats [--since 24h] [--workflow NAME] | show RUN | retry RUN | cancel RUN [--reason TEXT]',
  details: [
    'Each task of a run is a job. A task waits until every task it depends on completed; a task that',
    'fails leaves what depends on it blocked. retry RUN sends the failed tasks back and the run goes on',
    'from them, not from the start. RUN is the run number or its identifier.',
    ...WORKFLOW_STATS_DETAILS,
  ].join('\n'),
  options: {
    payload: { type: 'string', value: 'JSON', description: 'run: a JSON object laid over every task\'s payload' },
    identifier: { type: 'string', value: 'ID', description: 'run: the run\'s identifier; running it again with the same one starts nothing new' },
    workflow: { type: 'string', value: 'NAME', description: 'runs, stats: only runs of this workflow' },
    since: { type: 'string', value: 'AGE', description: 'stats: runs started in the last AGE (default 24h, up to 30d)' },
    status: { type: 'string', value: 'S', description: `runs: only runs in this state (${WorkflowRunStatus.options.join(', ')})` },
    stuck: { type: 'boolean', description: "runs: only running runs with no task progress for their workflow's stuck_after (--status stuck says the same)" },
    limit: { type: 'string', value: 'N', description: 'runs: at most N runs, newest first (default 50, max 500)' },
    after: { type: 'string', value: 'CURSOR', description: 'runs: the next page: the cursor the previous page printed' },
    reason: { type: 'string', value: 'TEXT', description: 'cancel: why, for the audit log' },
  },
  async run(inv) {
    const sub = inv.positionals[0] ?? 'list';
    if (sub === 'list') {
      listOnly(inv);
      return withRuntime(inv, async ({ ctx }) => {
        // The workflows are the registry's alone: with none loaded, an empty list would say the fleet has none.
        if (ctx.registry.loadedAt === null) throw new UsageError(NO_REGISTRY);
        const { workflows } = await call(ctx, 'workflows.list', {});
        if (inv.common.json) printJson(inv.io, { workflows });
        else if (workflows.length === 0) inv.io.out("no workflows in the registry: add a 'workflows:' list (see README)");
        else {
          for (const w of workflows) {
            inv.io.out(`${w.name}${w.description ? `: ${w.description}` : ''} (stuck after ${w.stuck_after})`);
            for (const t of w.tasks) inv.io.out(`  ${t.name} (${t.service})${t.depends_on.length > 0 ? ` after ${t.depends_on.join(', ')}` : ''}${t.pass_output ? `, passes its output (${t.pass_output})` : ''}`);
          }
        }
        return 0;
      });
    }
    if (sub === 'run') {
      const [, name] = positionals(inv, ['run', 'NAME']);
      const payload = payloadOf(str(inv.values, 'payload'));
      const identifier = str(inv.values, 'identifier');
      // Starting a run enqueues its first jobs: like enqueue, it may create the store.
      return withRuntime(inv, async ({ ctx }) => {
        const started = await call(ctx, 'workflows.run', { workflow: name ?? '', payload, ...(identifier === undefined ? {} : { identifier }) });
        if (inv.common.json) printJson(inv.io, started);
        else {
          inv.io.out(started.created ? `started run ${started.run_id} (${started.identifier}) of ${name}; opsdeck workflow show ${started.run_id} follows it` : `run ${started.run_id} (${started.identifier}) exists already: nothing new started`);
          for (const line of heldByTexts(started, 2, CLI_RESET)) inv.io.out(line);
        }
        return 0;
      }, { mustExist: false });
    }
    if (sub === 'runs') return runs(inv);
    if (sub === 'stats') return workflowStats(inv);
    if (sub === 'show' || sub === 'retry' || sub === 'cancel') {
      const [, ref] = positionals(inv, [sub, 'RUN']);
      const run = runRef(ref);
      return withRuntime(inv, async ({ ctx }) => {
        if (sub === 'show') {
          const detail = await call(ctx, 'workflows.show', { run });
          if (inv.common.json) printJson(inv.io, detail);
          else {
            showRun(inv.io, detail);
            for (const task of detail.tasks.filter((t) => t.status === 'failed').slice(0, FAILED_OUTPUTS_SHOWN)) {
              inv.io.out(failedOutput(task, await call(ctx, 'jobs.get', { id: task.job_id })));
            }
            const hint = retryHint(detail);
            if (hint !== null) inv.io.out(hint);
          }
          return 0;
        }
        if (sub === 'retry') {
          const result = await call(ctx, 'workflows.retry', { run });
          if (inv.common.json) printJson(inv.io, result);
          else {
            inv.io.out(`retried ${countText(result.retried.length)} task(s) (jobs ${result.retried.join(', ')}); what they blocked runs once they complete`);
            for (const line of heldByTexts(result, result.retried.length, CLI_RESET)) inv.io.out(line);
          }
          return 0;
        }
        const reason = str(inv.values, 'reason');
        const result = await call(ctx, 'workflows.cancel', { run, ...(reason === undefined ? {} : { reason }) });
        if (inv.common.json) printJson(inv.io, result);
        else inv.io.out(result.note !== null ? timesIn(result.note) : `cancelled ${countText(result.cancelled)} task(s) that had not started; ${countText(result.stopping)} running task(s) asked to stop`);
        return 0;
      });
    }
    throw new UsageError(`workflow takes list, run, runs, stats, show, retry or cancel, not "${sub}"`);
  },
};
