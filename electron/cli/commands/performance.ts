import type { PerformanceByType, PerformanceFigures } from '../../../shared/contract.ts';
import { ExecutionType } from '../../../shared/domain.ts';
import { windowText } from '../../../shared/duration.ts';
import { durationText } from '../../../shared/durationText.ts';
import { PERCENTILES_NOTE, perMinuteText, RETRIES_NOTE, successText } from '../../../shared/performanceText.ts';
import { positionals, str, UsageError, windowMinutes } from '../args.ts';
import type { Values } from '../args.ts';
import { call, withRuntimeRegistryOptional } from '../call.ts';
import type { Command } from '../command.ts';
import { printJson, when } from '../output.ts';
import { renderTable } from '../table.ts';
import { noMatchHints } from '../noMatchHints.ts';

function typeOf(values: Values): ExecutionType | undefined {
  const text = str(values, 'type');
  if (text === undefined) return undefined;
  const parsed = ExecutionType.safeParse(text);
  if (!parsed.success) throw new UsageError(`--type takes ${ExecutionType.options.join(', ')}; not "${text}"`);
  return parsed.data;
}

const BY = ['type', 'service'] as const;
type By = (typeof BY)[number];

function byOf(values: Values): By {
  const text = str(values, 'by') ?? 'type';
  const by = BY.find((b) => b === text);
  if (by === undefined) throw new UsageError(`--by takes ${BY.join(' or ')}; not "${text}"`);
  return by;
}

function figureCells(f: PerformanceFigures): string[] {
  const ms = (value: number | null) => durationText(value, '-');
  return [String(f.completed), String(f.failed), String(f.retried), successText(f.success_rate, '-'), ms(f.p50_ms), ms(f.p95_ms), ms(f.p99_ms), perMinuteText(f)];
}

const FIGURE_COLUMNS = [
  { header: 'completed', align: 'right' },
  { header: 'dead-lettered', align: 'right' },
  { header: 'retries', align: 'right' },
  { header: 'success', align: 'right' },
  { header: 'p50', align: 'right' },
  { header: 'p95', align: 'right' },
  { header: 'p99', align: 'right' },
  { header: 'jobs/min', align: 'right' },
] as const;

/** A row per type, or per service with its type; the total when there is more than one row. */
function table(result: PerformanceByType, by: By): string {
  const rows =
    by === 'type'
      ? result.types.map((t) => [t.execution_type, ...figureCells(t)])
      : (result.services ?? []).map((s) => [s.service_name, s.execution_type, ...figureCells(s)]);
  const labels = by === 'type' ? [{ header: 'type' }] : [{ header: 'service' }, { header: 'type' }];
  if (rows.length > 1) rows.push([...labels.map((_, i) => (i === 0 ? 'total' : '')), ...figureCells(result.total)]);
  return renderTable([...labels, ...FIGURE_COLUMNS], rows);
}

/** "http jobs of billing": what the window's jobs were narrowed to, in the sentence that says none finished. */
function whichJobs(type: string | undefined, service: string | undefined): string {
  return `${type === undefined ? '' : `${type} `}jobs${service === undefined ? '' : ` of ${service}`}`;
}

/** The window asked for and the one read: the rollups count whole minutes, so it starts at one. */
function windowRead(minutes: number, result: PerformanceByType): string {
  return `the last ${windowText(minutes)}, read from ${when(result.since)} to ${when(result.until)}`;
}

export const performanceCommand: Command = {
  name: 'performance',
  summary: 'success rate, p50/p95/p99 duration and jobs per minute by execution type or service, for a recent window',
  usage: '[--since 1h] [--type TYPE] [--service NAME] [--by type|service]',
  details: [
    "The runbooks' jobs.v_execution_performance_by_type for the last --since, read from the per-minute",
    'rollups the Overview charts read (never the job history), with a total row when more than one type ran.',
    "--service NAME narrows it to one service's jobs (the minute rollups are kept by service, so a service no",
    'longer in the registry still has its history); --by service gives a row per service instead of per type.',
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
    service: { type: 'string', value: 'NAME', description: "one service's jobs only" },
    by: { type: 'string', value: 'WHAT', description: 'a row per type (default) or per service' },
  },
  async run(inv) {
    positionals(inv, []);
    const since_minutes = windowMinutes(inv.values, 'since', '1h');
    const type = typeOf(inv.values);
    const service = str(inv.values, 'service');
    if (service !== undefined && service.trim() === '') throw new UsageError('--service takes a service name; not an empty one');
    const by = byOf(inv.values);
    return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
      const result = await call(ctx, 'metrics.byType', { since_minutes, by, ...(type === undefined ? {} : { type }), ...(service === undefined ? {} : { service }) });
      if (inv.common.json) {
        printJson(inv.io, result);
        return 0;
      }
      const window = windowRead(since_minutes, result);
      if (result.types.length === 0) {
        inv.io.out(`no ${whichJobs(type, service)} finished in ${window}`);
        // A mistyped service reads as a quiet hour otherwise: the name likely meant is said, as jobs says it.
        for (const hint of await noMatchHints(ctx, { service })) inv.io.err(`opsdeck: ${hint}`);
        return 0;
      }
      inv.io.out(table(result, by));
      inv.io.out(`\n${whichJobs(type, service)} finished in ${window}\n${PERCENTILES_NOTE}\n${RETRIES_NOTE}; opsdeck errors says why jobs failed`);
      return 0;
    });
  },
};
