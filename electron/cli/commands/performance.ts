import { PERFORMANCE_WINDOW_MAX_MINUTES, type PerformanceFigures } from '../../../shared/contract.ts';
import { ExecutionType } from '../../../shared/domain.ts';
import { positionals, str, UsageError, windowMinutes } from '../args.ts';
import type { Values } from '../args.ts';
import { call, withRuntimeRegistryOptional } from '../call.ts';
import type { Command } from '../command.ts';
import { duration, millis, printJson, when } from '../output.ts';
import { renderTable } from '../table.ts';

function typeOf(values: Values): ExecutionType | undefined {
  const text = str(values, 'type');
  if (text === undefined) return undefined;
  const parsed = ExecutionType.safeParse(text);
  if (!parsed.success) throw new UsageError(`--type takes ${ExecutionType.options.join(', ')}; not "${text}"`);
  return parsed.data;
}

/** `15m`, `1h`, `24h`, `1h 30m`: the window as the operator would say it. */
function windowText(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60}h` : duration(minutes * 60);
}

const percent = (rate: number | null) => (rate === null ? '-' : `${(rate * 100).toFixed(1)}%`);
const ms = (value: number | null) => (value === null ? '-' : millis(value));

/** Two places, as the API rounds them; a trickle that rounds to nothing is still not none. */
const rate = (f: PerformanceFigures) => (f.per_minute === 0 && f.completed + f.failed > 0 ? '<0.01' : f.per_minute.toFixed(2));

function cells(label: string, f: PerformanceFigures): string[] {
  return [label, String(f.completed), String(f.failed), String(f.retried), percent(f.success_rate), ms(f.p50_ms), ms(f.p95_ms), ms(f.p99_ms), rate(f)];
}

export const performanceCommand: Command = {
  name: 'performance',
  summary: 'success rate, p50/p95/p99 duration and jobs per minute by execution type, for a recent window',
  usage: '[--since 1h] [--type TYPE]',
  details: [
    "The runbooks' jobs.v_execution_performance_by_type for the last --since, read from the per-minute",
    'rollups the Overview charts read (never the job history), with a total row when more than one type ran.',
    '  COMPLETED      jobs that completed in the window',
    '  DEAD-LETTERED  jobs that went to the dead-letter queue (opsdeck errors groups why)',
    '  RETRIED        attempts that failed with another to follow; not counted in the success rate',
    '  SUCCESS        completed / (completed + dead-lettered)',
    "  P50 P95 P99    durations of the completed jobs' last attempts, to within about 19%",
    '  JOBS/MIN       completed and dead-lettered jobs per minute of the window',
  ].join('\n'),
  options: {
    since: { type: 'string', value: 'AGE', description: 'jobs finished in the last AGE (default 1h; 15m, 24h, up to 24h)' },
    type: { type: 'string', value: 'TYPE', description: `one execution type (${ExecutionType.options.join(', ')})` },
  },
  async run(inv) {
    positionals(inv, []);
    const since_minutes = windowMinutes(inv.values, 'since', '1h', PERFORMANCE_WINDOW_MAX_MINUTES);
    const type = typeOf(inv.values);
    return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
      const result = await call(ctx, 'metrics.byType', { since_minutes, ...(type === undefined ? {} : { type }) });
      if (inv.common.json) {
        printJson(inv.io, result);
        return 0;
      }
      const window = `the last ${windowText(since_minutes)} (since ${when(result.since)})`;
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
            { header: 'retried', align: 'right' },
            { header: 'success', align: 'right' },
            { header: 'p50', align: 'right' },
            { header: 'p95', align: 'right' },
            { header: 'p99', align: 'right' },
            { header: 'jobs/min', align: 'right' },
          ],
          rows,
        ),
      );
      inv.io.out(`\njobs finished in ${window}; durations of completed jobs, to within about 19%; opsdeck errors says why jobs failed`);
      return 0;
    });
  },
};
