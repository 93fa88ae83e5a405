import { windowText } from '../../../shared/duration.ts';
import { durationText } from '../../../shared/durationText.ts';
import { WORKFLOW_STATS_MAX_MINUTES } from '../../../shared/workflowStats.ts';
import { positionals, str, windowMinutes } from '../args.ts';
import { call, withRuntime } from '../call.ts';
import type { Invocation } from '../command.ts';
import { printJson, when } from '../output.ts';
import { renderTable } from '../table.ts';
import { unknownWorkflow } from '../../api/workflowNames.ts';

/** What `workflow stats` counts, for the command's help. */
export const WORKFLOW_STATS_DETAILS = [
  'stats counts, per workflow, the runs started in the last --since (default 24h, up to 30d), each in the',
  'status it has now (a failed run retried and completed counts as completed), and p50/p95 of how long',
  'the completed ones took from start to finish (within about 19%).',
];

/** `opsdeck workflow stats`: the runbooks' workflow metrics, per workflow, for a recent window. */
export async function workflowStats(inv: Invocation): Promise<number> {
  positionals(inv, ['stats']);
  const since_minutes = windowMinutes(inv.values, 'since', '24h', WORKFLOW_STATS_MAX_MINUTES);
  const workflow = str(inv.values, 'workflow');
  return withRuntime(inv, async ({ ctx }) => {
    const result = await call(ctx, 'workflows.stats', { since_minutes, ...(workflow === undefined ? {} : { workflow }) });
    if (inv.common.json) {
      printJson(inv.io, result);
      return 0;
    }
    const window = `the last ${windowText(since_minutes)}, from ${when(result.since)} to ${when(result.until)}`;
    const runs = workflow === undefined ? 'workflow runs' : `runs of ${workflow}`;
    if (result.workflows.length === 0) {
      inv.io.out(`no ${runs} started in ${window}`);
      const unknown = await unknownWorkflow(ctx, workflow);
      if (unknown !== null) inv.io.err(`opsdeck: ${unknown}`);
      return 0;
    }
    const ms = (value: number | null) => durationText(value, '-');
    inv.io.out(
      renderTable(
        [
          { header: 'workflow', max: 60 },
          { header: 'runs', align: 'right' },
          { header: 'succeeded', align: 'right' },
          { header: 'failed', align: 'right' },
          { header: 'cancelled', align: 'right' },
          { header: 'running', align: 'right' },
          { header: 'p50', align: 'right' },
          { header: 'p95', align: 'right' },
        ],
        result.workflows.map((w) => [w.workflow, String(w.runs), String(w.completed), String(w.failed), String(w.cancelled), String(w.running), ms(w.p50_ms), ms(w.p95_ms)]),
      ),
    );
    inv.io.out(`\n${runs} started in ${window}, each in the status it has now\np50 and p95 are durations of completed runs, start to finish, to within about 19%`);
    return 0;
  });
}
