import type { z } from 'zod';
import type { CallOutput, JobTrace } from '../../../shared/contract.ts';
import { closest } from '../../../shared/closestWord.ts';
import { ExecutionType, JobStatus, type Job } from '../../../shared/domain.ts';
import { unknownStatusText } from '../../../shared/statusWords.ts';
import { parseDuration } from '../../../shared/duration.ts';
import { ErrorClass, KNOWN_ERROR_CLASSES } from '../../../shared/errorClass.ts';
import { errorIsEarlier, errorLabel } from '../../../shared/jobError.ts';
import { attemptsText } from '../../../shared/attemptsText.ts';
import { flag, int, list, pastTime, positionals, str, UsageError, type Values } from '../args.ts';
import type { ApiContext } from '../../api/context.ts';
import { call, withRuntimeRegistryOptional } from '../call.ts';
import { CliFailure, type Command } from '../command.ts';
import { durationText } from '../../../shared/durationText.ts';
import { ago, bytesText, duration, paint, printJson, statusColor, timesIn, when, type Io } from '../output.ts';
import { sameCommand } from '../sameCommand.ts';
import { spanText } from '../../../shared/timesInText.ts';
import { previewText } from '../../../shared/textPreview.ts';
import { renderFields, renderTable, type TableFit } from '../table.ts';
import { tableFit, WIDE_OPTION } from '../tableFit.ts';
import { noMatchHints } from '../noMatchHints.ts';
import { noJobsText } from '../noJobsText.ts';
import { heldByTexts } from '../../../shared/heldText.ts';
import { lostHolderText } from '../../../shared/lostLeasesText.ts';
import { CLI_RESET } from '../../../shared/breakerRecord.ts';

/** `unknown`: what to say of a word that is none of them (by default, the one likely meant). */
function enumList<T extends string>(values: Values, key: string, schema: z.ZodEnum<Record<T, T>>, unknown?: (item: string) => string): T[] | undefined {
  const items = list(values, key);
  if (!items) return undefined;
  return items.map((item) => {
    const parsed = schema.safeParse(item);
    if (parsed.success) return parsed.data;
    if (unknown) throw new UsageError(`--${key}: ${unknown(item)}`);
    const meant = closest(item, schema.options);
    throw new UsageError(`--${key} takes ${schema.options.join(', ')}; not "${item}"${meant ? ` (did you mean ${meant}?)` : ''}`);
  });
}

/**
 * Jobs as a table, each with when it was created, or for dead letters when it failed: a job retried for
 * hours fails long after it was made, and its creation time would bury the newest failure among old ones.
 */
export function jobsTable(io: Io, jobs: Job[], fit: TableFit, dated: 'created' | 'failed' = 'created'): string {
  return renderTable(
    [{ header: 'id', align: 'right' }, { header: 'identifier', max: 32, cut: 'last' }, { header: 'service' }, { header: 'queue' }, { header: 'status' },
      { header: 'tries', align: 'right' }, { header: dated }, { header: 'error', max: 70, cut: 'middle' }],
    jobs.map((j) => [
      String(j.id),
      j.identifier,
      j.service_name,
      j.queue,
      paint(io, j.status, statusColor(j.status)) + (j.resolved_at ? ' (resolved)' : ''),
      `${j.attempts}/${j.max_attempts}`,
      when(dated === 'failed' ? (j.completed_at ?? j.updated_at) : j.created_at),
      j.error_message === null ? '' : errorIsEarlier(j.status) ? `earlier: ${timesIn(j.error_message)}` : timesIn(j.error_message),
    ]),
    fit,
  );
}

/** How long until a job is due; "due" once it is. */
function runsIn(runAt: string, now = Date.now()): string {
  const ms = Date.parse(runAt) - now;
  return ms > 0 ? spanText(ms) : 'due';
}

/** Jobs not yet due: when each will run, and why it waits (a retry's last error). */
export function scheduledTable(jobs: Job[], fit: TableFit): string {
  return renderTable(
    [{ header: 'id', align: 'right' }, { header: 'identifier', max: 32, cut: 'last' }, { header: 'service' }, { header: 'queue' }, { header: 'run at' }, { header: 'in', align: 'right' },
      { header: 'tries', align: 'right' }, { header: 'last error', max: 70, cut: 'middle' }],
    jobs.map((j) => [
      String(j.id),
      j.identifier,
      j.service_name,
      j.queue,
      when(j.run_at),
      runsIn(j.run_at),
      `${j.attempts}/${j.max_attempts}`,
      j.error_message === null ? '' : timesIn(j.error_message),
    ]),
    fit,
  );
}

/** Running jobs: where each runs, since when, and for how long now. */
export function runningTable(io: Io, jobs: Job[], now = Date.now()): string {
  return renderTable(
    [{ header: 'id', align: 'right' }, { header: 'identifier', max: 32, cut: 'last' }, { header: 'service' }, { header: 'queue' }, { header: 'worker', max: 40 },
      { header: 'started' }, { header: 'running for', align: 'right' }, { header: 'tries', align: 'right' }],
    jobs.map((j) => [
      String(j.id),
      j.identifier,
      j.service_name,
      j.queue,
      (j.lease_owner ?? '-') + (j.cancel_requested ? ' (cancel requested)' : ''),
      when(j.started_at),
      j.started_at ? duration(Math.max(0, Math.round((now - Date.parse(j.started_at)) / 1000))) : '-',
      `${j.attempts}/${j.max_attempts}`,
    ]),
  );
}

function longerThan(values: Values): string | undefined {
  const text = str(values, 'running-longer-than');
  if (text === undefined) return undefined;
  const seconds = parseDuration(text);
  if (seconds === null) throw new UsageError(`--running-longer-than takes a duration like 90s, 10m, 2h or 1d, not "${text}"`);
  return new Date(Date.now() - seconds * 1000).toISOString();
}

/** --class, as jobs and dlq take it: a failure class's form checked here, whether opsdeck writes it beside the answer. */
export function errorClass(values: Values): string | undefined {
  const text = str(values, 'class');
  if (text === undefined) return undefined;
  const parsed = ErrorClass.safeParse(text);
  if (!parsed.success) throw new UsageError(`--class takes a failure class such as ${KNOWN_ERROR_CLASSES.slice(0, 4).join(', ')} or http_503; not "${text.slice(0, 60)}"`);
  return parsed.data;
}

/** The options that narrow a listing beside the views noJobsText names. */
const FILTER_OPTIONS = ['status', 'service', 'queue', 'type', 'search', 'class', 'since'] as const;

export const jobs: Command = {
  name: 'jobs',
  summary: 'list jobs, newest first, with filters',
  usage: '[--status S,S] [--service S] [--queue Q] [--type T] [--search TEXT] [--class C] [--since ISO|1h] [--stuck] [--scheduled] [--running-longer-than 10m] [--limit N] [--after CURSOR] [--wide]',
  options: {
    status: { type: 'string', value: 'S,S', description: `only these statuses (${JobStatus.options.join(', ')})` },
    service: { type: 'string', value: 'NAME', description: 'only this service' },
    queue: { type: 'string', value: 'Q', description: 'only this queue' },
    type: { type: 'string', value: 'T,T', description: `only these execution types (${ExecutionType.options.join(', ')})` },
    search: { type: 'string', value: 'TEXT', description: 'error message contains TEXT (plain text)' },
    class: {
      type: 'string',
      value: 'C',
      description: `only jobs with an attempt that failed of this class (${KNOWN_ERROR_CLASSES.join(', ')}, or an exact one such as http_503); http_4xx and http_5xx pick a family, rate_limited also picks http_429`,
    },
    since: { type: 'string', value: 'ISO|1h', description: 'created at or after this time, or within this long (1h, 30m, 7d)' },
    stuck: { type: 'boolean', description: 'only running jobs whose lease expired' },
    scheduled: { type: 'boolean', description: 'only pending jobs not yet due (scheduled for later, retries in backoff)' },
    'running-longer-than': { type: 'string', value: 'AGE', description: 'only jobs running for longer than AGE (90s, 10m, 2h): start time and duration shown' },
    limit: { type: 'string', value: 'N', description: 'at most N jobs (default 50, max 500)' },
    after: { type: 'string', value: 'CURSOR', description: 'the next page: the cursor the previous page printed' },
    ...WIDE_OPTION,
  },
  async run(inv) {
    positionals(inv, []);
    const { values } = inv;
    const filter = {
      status: enumList(values, 'status', JobStatus, unknownStatusText),
      service: str(values, 'service'),
      queue: str(values, 'queue'),
      execution_type: enumList(values, 'type', ExecutionType),
      search: str(values, 'search'),
      error_class: errorClass(values),
      created_after: pastTime(values, 'since'),
      stuck: values.stuck === true ? true : undefined,
      scheduled: values.scheduled === true ? true : undefined,
      started_before: longerThan(values),
    };
    if (filter.started_before !== undefined) filter.status ??= ['running'];
    const runningOnly = filter.stuck === true || (filter.status?.length === 1 && filter.status[0] === 'running');
    const limit = int(values, 'limit', 1, 500) ?? 50;
    const view = { stuck: filter.stuck === true, scheduled: filter.scheduled === true, longerThan: str(values, 'running-longer-than') };
    const views = [view.stuck, view.scheduled, view.longerThan !== undefined].filter(Boolean).length;
    const otherFilters = views > 1 || FILTER_OPTIONS.some((option) => values[option] !== undefined);
    return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
      const page = await call(ctx, 'jobs.list', { filter, limit, after: str(values, 'after') ?? null });
      if (inv.common.json) {
        printJson(inv.io, page);
        return 0;
      }
      if (page.jobs.length === 0) {
        inv.io.out(noJobsText(view, otherFilters));
        for (const hint of await noMatchHints(ctx, { errorClass: filter.error_class, service: filter.service, queue: filter.queue, search: filter.search })) inv.io.err(`opsdeck: ${hint}`);
      }
      else inv.io.out(runningOnly ? runningTable(inv.io, page.jobs) : filter.scheduled ? scheduledTable(page.jobs, tableFit(inv)) : jobsTable(inv.io, page.jobs, tableFit(inv)));
      if (page.next_cursor) inv.io.out(`\nmore: ${sameCommand(inv, 'jobs', { after: page.next_cursor })}`);
      return 0;
    });
  },
};

/** How long a run took: as its runner measured it, else from its start and end. */
function tookText(usage: Job['resource_usage'], start: string | null, end: string | null): string {
  if (usage?.duration_ms !== undefined) return durationText(usage.duration_ms, '-');
  if (!start || !end) return '-';
  return durationText(Date.parse(end) - Date.parse(start), '-');
}

/** How long a run still going has run, as `jobs` writes it: a dash alone reads as if it never started. */
function runningFor(start: string): string {
  return `running ${duration(Math.max(0, Math.round((Date.now() - Date.parse(start)) / 1000)))}`;
}

/** Bytes of a payload the trace prints: a megabyte on one line buries the attempts and the error. */
export const PAYLOAD_SHOWN_BYTES = 4096;

function payloadText(payload: unknown): string {
  const preview = previewText(JSON.stringify(payload), PAYLOAD_SHOWN_BYTES);
  if (preview.moreBytes === 0) return preview.shown;
  return `${preview.shown}… (${bytesText(preview.moreBytes)} more of ${bytesText(preview.totalBytes)}: --payload prints the payload whole, --json the whole trace)`;
}

/**
 * A running job's worker when it is lost, in the words `opsdeck workers` says its jobs in: nobody runs the
 * job, and what becomes of it when. Null for any other job, or a worker that still answers.
 */
async function lostHolder(ctx: ApiContext, job: Job): Promise<string | null> {
  if (job.status !== 'running' || job.lease_owner === null) return null;
  const holder = (await call(ctx, 'workers.list', {})).workers.find((w) => w.id === job.lease_owner);
  if (!holder?.lost) return null;
  return timesIn(lostHolderText(holder, job.lease_expires_at, Date.now(), ctx.words.stuckJob(job.id)));
}

/** `lost`: the line saying its worker is lost (lostHolder), under its lease. */
export function traceText(io: Io, trace: JobTrace, fit: TableFit, waiting: string[] = [], lost: string | null = null): string {
  const j = trace.job;
  const usage = j.resource_usage;
  const fields: Array<[string, string]> = [
    ['job', `${j.id} (${j.identifier})`],
    ['status', paint(io, j.status, statusColor(j.status)) + (trace.stuck ? paint(io, ' STUCK: lease expired', 'red') : '') + (j.cancel_requested && j.status !== 'cancelled' ? ' (cancel requested)' : '')],
    ...waiting.map((reason): [string, string] => ['waiting', paint(io, timesIn(reason), 'yellow')]),
    ['service', `${j.service_name} (${j.execution_type}) on queue ${j.queue}, priority ${j.priority}`],
    ['attempts', attemptsText(j, trace.attempts)],
    ['created', when(j.created_at)],
    ['run at', `${when(j.run_at)} (${ago(j.run_at)})`],
    ['started', when(j.started_at)],
    ['completed', when(j.completed_at)],
    ['duration', j.status === 'running' && j.started_at && !j.completed_at ? `${runningFor(j.started_at)} so far` : tookText(usage, j.started_at, j.completed_at)],
  ];
  if (j.lease_owner) fields.push(['lease', `${j.lease_owner} until ${when(j.lease_expires_at)}`]);
  if (lost !== null) fields.push(['worker', paint(io, lost, 'yellow')]);
  if (usage?.exit_code !== undefined && usage.exit_code !== null) fields.push(['exit code', String(usage.exit_code)]);
  if (usage?.signal) fields.push(['signal', usage.signal]);
  if (usage?.http_status !== undefined) fields.push(['http status', String(usage.http_status)]);
  if (usage?.peak_memory_kb !== undefined) fields.push(['peak memory', bytesText(usage.peak_memory_kb * 1024)]);
  if (usage?.cpu_ms !== undefined) fields.push(['cpu time', durationText(usage.cpu_ms, '-')]);
  if (usage?.bytes_out !== undefined) fields.push(['output', bytesText(usage.bytes_out)]);
  if (j.error_message) fields.push([errorLabel(j.status), errorIsEarlier(j.status) ? timesIn(j.error_message) : paint(io, timesIn(j.error_message), 'red')]);
  if (j.error_fingerprint) fields.push(['fingerprint', j.error_fingerprint]);
  if (j.resolved_at) fields.push(['resolved', `${when(j.resolved_at)}: ${j.resolution ?? ''}`]);
  fields.push(['payload', payloadText(j.payload)]);
  if (j.security_context && Object.keys(j.security_context).length > 0) fields.push(['security', JSON.stringify(j.security_context)]);
  const parts = [renderFields(fields)];
  if (trace.attempts.length > 0) {
    parts.push(
      '',
      renderTable(
        [{ header: '#', align: 'right' }, { header: 'outcome' }, { header: 'worker', max: 40 }, { header: 'started' }, { header: 'took', align: 'right' },
          { header: 'peak mem', align: 'right' }, { header: 'exit', align: 'right' }, { header: 'class' }, { header: 'error', max: 70, cut: 'middle' }],
        // Numbered through the whole history: after an operator's retry the job counts its attempts
        // again from one, which would number two rows alike.
        trace.attempts.map((a, i) => [
          String(i + 1),
          paint(io, a.outcome, statusColor(a.outcome)),
          a.worker_id,
          when(a.started_at),
          a.outcome === 'running' && !a.finished_at ? runningFor(a.started_at) : tookText(a.resource_usage, a.started_at, a.finished_at),
          a.resource_usage?.peak_memory_kb === undefined ? '' : bytesText(a.resource_usage.peak_memory_kb * 1024),
          a.resource_usage?.exit_code === undefined || a.resource_usage.exit_code === null ? '' : String(a.resource_usage.exit_code),
          a.error_class ?? '',
          timesIn(a.error_message ?? ''),
        ]),
        fit,
      ),
    );
    const lastAt = trace.attempts.findLastIndex((a) => a.output_tail);
    const lastTail = trace.attempts[lastAt]?.output_tail;
    if (lastTail) parts.push('', `output of attempt #${lastAt + 1} (tail):`, lastTail.trimEnd());
  }
  return parts.join('\n');
}

export const job: Command = {
  name: 'job',
  summary: "one job's whole trace: timings, every attempt, exit code, output tail, error",
  usage: 'ID|IDENTIFIER [--payload] [--wide]',
  details: "Digits that are one job's id and another job's identifier name two jobs and are refused: id:7 or identifier:7 says which (retry, cancel, fail and dlq take the same).",
  options: { payload: { type: 'boolean', description: "only the job's payload, whole, as JSON (the trace shows its first 4 KiB)" }, ...WIDE_OPTION },
  async run(inv) {
    const [id] = positionals(inv, ['ID|IDENTIFIER']);
    return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
      const trace = await call(ctx, 'jobs.get', { id: id ?? '' });
      if (flag(inv.values, 'payload')) {
        printJson(inv.io, trace.job.payload);
        return 0;
      }
      const waiting = trace.job.status === 'pending' ? (await call(ctx, 'jobs.waiting', { id: trace.job.id })).reasons : [];
      if (inv.common.json) printJson(inv.io, { ...trace.job, stuck: trace.stuck, attempts: trace.attempts, ...(trace.job.status === 'pending' ? { waiting } : {}) });
      else inv.io.out(traceText(inv.io, trace, tableFit(inv), waiting, await lostHolder(ctx, trace.job)));
      return 0;
    });
  },
};

/**
 * A job by its id or its identifier, found by jobs.get as `opsdeck job` finds it (digits naming one job by
 * its id and another by its identifier are refused: `id:7` or `identifier:7` says which), so every command
 * acts on the job `opsdeck job TEXT` shows.
 */
export async function jobId(ctx: ApiContext, text: string | undefined): Promise<number> {
  if (!text) throw new UsageError('name a job by its id or its identifier');
  return (await call(ctx, 'jobs.get', { id: text })).job.id;
}

export const retry: Command = {
  name: 'retry',
  summary: 'run one failed or cancelled job again (its history stays)',
  usage: 'ID|IDENTIFIER',
  options: {},
  async run(inv) {
    const [id] = positionals(inv, ['ID']);
    return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
      const j = await call(ctx, 'jobs.retry', { id: await jobId(ctx, id) });
      if (inv.common.json) printJson(inv.io, j);
      else {
        inv.io.out(`job ${j.id} (${j.identifier}) is pending again`);
        for (const line of heldByTexts(j, 1, CLI_RESET)) inv.io.out(line);
      }
      return 0;
    });
  },
};

export const cancel: Command = {
  name: 'cancel',
  summary: 'cancel a pending job, or stop a running one',
  usage: 'ID|IDENTIFIER [--reason TEXT]',
  options: { reason: { type: 'string', value: 'TEXT', description: 'why, for the audit log' } },
  async run(inv) {
    const [id] = positionals(inv, ['ID']);
    return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
      const j = await call(ctx, 'jobs.cancel', { id: await jobId(ctx, id), reason: str(inv.values, 'reason') });
      if (inv.common.json) printJson(inv.io, j);
      else if (j.note !== null) inv.io.out(`job ${j.id}: ${timesIn(j.note)}`);
      else inv.io.out(j.status === 'cancelled' ? `job ${j.id} cancelled` : `job ${j.id} is running: its worker stops it now`);
      return 0;
    });
  },
};

/**
 * Fails each job through jobs.fail, as `opsdeck fail ID` would, so each is checked and audited on its own,
 * saying each as it goes. A refusal (the job moved on since it was listed: a watchdog took it back, it
 * finished) is said with why, and the rest still go. Exit 1 when any was refused.
 */
export async function failEach(ctx: ApiContext, ids: number[], how: { reason: string; force: boolean; onlyIfStuck: boolean }, io: Io, json: boolean): Promise<number> {
  const failed: Job[] = [];
  const refused: Array<{ id: number; why: string }> = [];
  for (const id of ids) {
    try {
      const j = await call(ctx, 'jobs.fail', { id, reason: how.reason, force: how.force, only_if_stuck: how.onlyIfStuck });
      failed.push(j);
      if (!json) io.out(`job ${j.id} (${j.identifier}) failed: it is in the dead-letter queue`);
    } catch (error) {
      // A usage error (exit 2) would refuse every job alike: it ends the command, as for one job.
      if (!(error instanceof CliFailure) || error.exitCode !== 1) throw error;
      refused.push({ id, why: error.message });
      if (!json) io.err(`opsdeck: job ${id} refused: ${error.message}`);
    }
  }
  if (json) printJson(io, { failed, refused });
  else {
    const again = failed.length > 0 ? ' (opsdeck retry ID runs one again)' : '';
    io.out(`${failed.length} failed, ${refused.length} refused${again}`);
  }
  return refused.length > 0 ? 1 : 0;
}

/** Every job `opsdeck jobs --stuck` lists, all pages, read before any is failed. */
async function stuckIds(ctx: ApiContext): Promise<number[]> {
  const ids: number[] = [];
  let after: string | null = null;
  do {
    const page: CallOutput<'jobs.list'> = await call(ctx, 'jobs.list', { filter: { stuck: true }, limit: 500, after });
    ids.push(...page.jobs.map((j) => j.id));
    after = page.next_cursor;
  } while (after !== null);
  return ids;
}

export const fail: Command = {
  name: 'fail',
  summary: 'fail a running job whose worker is gone, or every stuck one, now: into the dead-letter queue, audited',
  usage: 'ID|IDENTIFIER --reason TEXT [--force] | --stuck --reason TEXT [--force]',
  details: [
    'A job a live worker still holds is refused: cancel it instead, or fail it anyway with --force.',
    '--stuck fails every job opsdeck jobs --stuck lists (running, its lease expired), each audited as if named;',
    'it prints each one and a summary, and exits 1 if any was refused.',
  ].join('\n'),
  options: {
    reason: { type: 'string', value: 'TEXT', description: 'why: the job\'s error and the audit log say it' },
    force: { type: 'boolean', description: 'even though a live worker holds it' },
    stuck: { type: 'boolean', description: 'every stuck job (running, its lease expired) instead of one ID' },
  },
  async run(inv) {
    const stuck = flag(inv.values, 'stuck');
    if (stuck && inv.positionals.length > 0) throw new UsageError(`--stuck fails every stuck job: give it without an ID, or the ID without --stuck (not both: "${inv.positionals[0]}")`);
    const [id] = stuck ? [] : positionals(inv, ['ID']);
    const reason = str(inv.values, 'reason');
    if (!reason?.trim()) throw new UsageError('fail needs --reason TEXT saying why');
    const force = flag(inv.values, 'force');
    return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
      if (stuck) {
        const ids = await stuckIds(ctx);
        if (ids.length === 0 && !inv.common.json) {
          inv.io.out('no stuck jobs (running with an expired lease)');
          return 0;
        }
        return failEach(ctx, ids, { reason, force, onlyIfStuck: true }, inv.io, inv.common.json);
      }
      const j = await call(ctx, 'jobs.fail', { id: await jobId(ctx, id), reason, force });
      if (inv.common.json) printJson(inv.io, j);
      else inv.io.out(`job ${j.id} (${j.identifier}) failed: it is in the dead-letter queue (opsdeck retry ${j.id} runs it again)`);
      return 0;
    });
  },
};
