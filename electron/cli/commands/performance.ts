import type { PerformanceByType, PerformanceFigures } from '../../../shared/contract.ts';
import { ExecutionType } from '../../../shared/domain.ts';
import { windowText } from '../../../shared/duration.ts';
import { durationText, PERCENTILES_NOTE, perMinuteText, RETRIES_NOTE, successText } from '../../../shared/performanceText.ts';
import { positionals, str, UsageError, windowMinutes } from '../args.ts';
import type { Values } from '../args.ts';
import { call, withRuntimeRegistryOptional } from '../call.ts';
import type { Command } from '../command.ts';
import { printJson, when } from '../output.ts';
import { renderTable } from '../table.ts';

function typeOf(values: Values): ExecutionType | undefined {
  const text = str(values, 'type');
  if (text === undefined) return undefined;
  const parsed = ExecutionType.safeParse(text);
  if (!parsed.success) throw new UsageError(`--type takes ${ExecutionType.options.join(', ')}; not "${text}"`);
  return parsed.data;
}

function cells(label: string, f: PerformanceFigures): string[] {
  const ms = (value: number | null) => durationText(value, '-');
  return [label, String(f.completed), String(f.failed), String(f.retried), successText(f.success_rate, '-'), ms(f.p50_ms), ms(f.p95_ms), ms(f.p99_ms), perMinuteText(f)];
}

/** The window asked for and the one read: the rollups count whole minutes, so it starts at one. */
function windowRead(minutes: number, result: PerformanceByType): string {
  return `the last ${windowText(minutes)}, read from ${when(result.since)} to ${when(result.until)}`;
}

export const performanceCommand: Command = {
  name: 'performance',
  summary: 'success rate, p50/p95/p99 duration and jobs per minute by execution type, for a recent window',
  usage: '[--since 1h] [--type TYPE]',
  details: [
    "The runbooks' jobs.v_execution_performance_by_type for the last --since, read from the per-minute",
    'rollups the Overview charts read (never the job history), with a total row when more than one type ran.',
    'The window starts at a whole minute, so it may begin up to a minute before --since ago: the output',
    'says which window was read.',
    '  COMPLETED      jobs that completed in the window',
    '  DEAD-LETTERED  jobs that went to the dead-letter queue (opsdeck errors groups why)',
    '  RETRIES        failed attempts that were tried again: attempts, not jobs (a job retried twice',
    '                 counts 2); not in the success rate',
    '  SUCCESS        completed / (completed + dead-lettered)',
    "  P50 P95 P99    durations of the completed jobs' last attempts, to within about 19%; failed",
    '                 attempts keep no duration, so they are not in these',
    '  JOBS/MIN       completed and dead-lettered jobs per minute of the window',
  ].join('\n'),
  options: {
    since: { type: 'string', value: 'AGE', description: 'jobs finished in the last AGE (default 1h; 15m, 24h, 7d, up to the history kept: 30d by default)' },
    type: { type: 'string', value: 'TYPE', description: `one execution type (${ExecutionType.options.join(', ')})` },
  },
  async run(inv) {
    positionals(inv, []);
    const since_minutes = windowMinutes(inv.values, 'since', '1h');
    const type = typeOf(inv.values);
    return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
      const result = await call(ctx, 'metrics.byType', { since_minutes, ...(type === undefined ? {} : { type }) });
      if (inv.common.json) {
        printJson(inv.io, result);
        return 0;
      }
      const window = windowRead(since_minutes, result);
      if (result.types.length === 0) {
        inv.io.out(`no ${type === undefined ? '' : `${type} `}jobs finished in ${window}`);
        return 0;
      }
      const rows = result.types.map((t) => cells(t.execution_type, t));
      if (result.types.length > 1) rows.push(cells('total', result.total));
      inv.io.out(
        renderTable(
          [
            { header: 'type' },
            { header: 'completed', align: 'right' },
            { header: 'dead-lettered', align: 'right' },
            { header: 'retries', align: 'right' },
            { header: 'success', align: 'right' },
            { header: 'p50', align: 'right' },
            { header: 'p95', align: 'right' },
            { header: 'p99', align: 'right' },
            { header: 'jobs/min', align: 'right' },
          ],
          rows,
        ),
      );
      inv.io.out(`\njobs finished in ${window}\n${PERCENTILES_NOTE}\n${RETRIES_NOTE}; opsdeck errors says why jobs failed`);
      return 0;
    });
  },
};
