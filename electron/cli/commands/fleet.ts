import { cannotRunSummary, lackLine, notCheckedYet } from '../../../shared/cannotRunText.ts';
import { closest } from '../../../shared/closestWord.ts';
import { ExecutionType, type LostWorkerLeases, type RegistryDrift } from '../../../shared/domain.ts';
import { CLI_STUCK_WORDS, lostLeasesLine } from '../../../shared/lostLeasesText.ts';
import type { RunnerView, WorkerView } from '../../../shared/views.ts';
import { memoryIsLastKnown } from '../../../shared/workerMemory.ts';
import { poolText } from '../../../shared/workerPool.ts';
import { shortDigest } from '../../../shared/workerRegistry.ts';
import { unservedByReason, unservedLine } from '../../../shared/unservedText.ts';
import type { ApiContext } from '../../api/context.ts';
import { controlReasons } from '../../api/waitingReasons.ts';
import { listOnly, positionals, UsageError } from '../args.ts';
import { call, withRuntime, withRuntimeRegistryOptional } from '../call.ts';
import type { Command, Invocation } from '../command.ts';
import { ago, bytesText, paint, printJson, statusColor, timesIn, when } from '../output.ts';
import { renderTable, type Column } from '../table.ts';
import { PG_POOL_MAX_ENV } from '../../store/open.ts';

export const runners: Command = {
  name: 'runners',
  summary: 'runner kinds with their health probe and jobs in flight (KIND: that one only), and the services no live worker runs; exit 1 when a runner shown is failing',
  usage: '[KIND]',
  options: {},
  async run(inv) {
    if (inv.positionals.length > 1) throw new UsageError(`runners takes at most one runner kind, not ${inv.positionals.length}`);
    const kind = inv.positionals[0];
    // The runbooks' runner-status takes a runner by its kind: a typo is named, with the kind likely meant.
    if (kind !== undefined && !ExecutionType.safeParse(kind).success) {
      const guess = closest(kind, ExecutionType.options);
      throw new UsageError(`no runner kind ${kind}${guess ? ` (did you mean ${guess}?)` : ''}; known: ${ExecutionType.options.join(', ')}`);
    }
    return withRuntime(inv, async ({ ctx }) => {
      const answer = await call(ctx, 'runners.list', {});
      const list = kind === undefined ? answer.runners : answer.runners.filter((r) => r.kind === kind);
      const services = new Set(list.flatMap((r) => r.services));
      const unserved = answer.unserved.filter((u) => services.has(u.service));
      if (inv.common.json) printJson(inv.io, { runners: list, unserved });
      else {
        inv.io.out(
          renderTable(
            // The detail is the last column, where cutting it lines nothing up and hides what failed.
            [{ header: 'kind' }, { header: 'health' }, { header: 'in flight', align: 'right' }, { header: 'services', max: 40 }, { header: 'detail', max: 600 }],
            list.map((r) => [r.kind, r.healthy ? (r.warning ? paint(inv.io, 'WARN', 'yellow') : paint(inv.io, 'ok', 'green')) : paint(inv.io, 'FAILING', 'red'), String(r.in_flight), r.services.join(', '), r.detail]),
          ),
        );
        // The probe above is this process's; what the workers that run the jobs lack is their own word.
        for (const line of runnerLackLines(list)) inv.io.out(line);
        // A healthy runner runs nothing for a service no live worker takes: said under the table, with why.
        if (unserved.length > 0) inv.io.out(['', 'no live worker runs these services:', ...unservedByReason(unserved).map((group) => `  ${unservedLine(group)}`)].join('\n'));
      }
      // As health-check: a script (or the runbook's runner-status) can tell a failing runner by the exit code.
      return list.every((r) => r.healthy) ? 0 : 1;
    });
  },
};

/** Per runner kind, each live worker that cannot run some of its services, and the workers not known. */
function runnerLackLines(list: RunnerView[]): string[] {
  const lines = list.flatMap((r) => r.lacking.map((w) => `  ${r.kind} on worker ${w.worker_id} (checked ${when(w.checked_at)}): ${w.services.map(lackLine).join('; ')}`));
  // A worker whose look has not answered for some kinds yet is named with them; one not known at all, alone.
  const unchecked = [...new Set(list.flatMap((r) => r.unchecked))].map((id) => {
    const kinds = list.filter((r) => r.unchecked.includes(id)).map((r) => r.kind);
    return kinds.length === list.length ? id : `${id} (${kinds.join(', ')})`;
  });
  const unknown = unchecked.length > 0 ? [`not known of worker ${unchecked.join(', ')}: not said what it cannot run (an older version, or not checked yet)`] : [];
  if (lines.length === 0 && unknown.length === 0) return [];
  return ['', ...(lines.length > 0 ? ['workers that cannot run services of these runners (each worker\'s own last check):', ...lines] : []), ...unknown];
}

/** Under the workers' table: what each live worker cannot run, by its last check. */
function cannotRunLines(list: WorkerView[]): string[] {
  const lines = list
    .filter((w) => !w.lost && w.state !== 'stopped' && w.cannot_run !== null && w.cannot_run.services.length > 0)
    .flatMap((w) => {
      if (w.cannot_run === null) return [];
      const pending = notCheckedYet(w.cannot_run);
      return [`  ${w.id} (checked ${when(w.cannot_run.checked_at)}${pending ? `; ${pending}` : ''}): ${w.cannot_run.services.map(lackLine).join('; ')}`];
    });
  return lines.length === 0 ? [] : ['', 'cannot run (each worker\'s own last check):', ...lines];
}

function forget(inv: Invocation): Promise<number> {
  const [, id = ''] = positionals(inv, ['forget', 'ID|NAME']);
  // Like the list, forgetting a worker needs no registry: an operator cleaning up after an outage may have none.
  return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
    const { forgotten } = await call(ctx, 'workers.forget', { id });
    if (inv.common.json) printJson(inv.io, { forgotten });
    else inv.io.out(`worker ${forgotten.id} (${forgotten.host}, pid ${forgotten.pid}) forgotten: it leaves the list and health-check`);
    return 0;
  });
}

/**
 * The services a worker declared, against the registry loaded here when there is one: what an operator
 * looks for is the service a worker lacks, not a list cut short.
 */
export function servicesText(declared: string[] | null, registry: string[] | null): string {
  if (declared === null) return 'not said (an older worker)';
  if (registry === null) return declared.length === 0 ? 'none' : declared.join(',');
  const lacks = registry.filter((s) => !declared.includes(s));
  const also = declared.filter((s) => !registry.includes(s));
  if (lacks.length === 0 && also.length === 0) return `all ${registry.length} of the registry`;
  return [lacks.length > 0 ? `lacks ${lacks.join(',')}` : '', also.length > 0 ? `also ${also.join(',')}` : ''].filter((p) => p !== '').join('; ');
}

/** A worker's resident memory as its heartbeat measured it; a lost or stopped worker's is its last, marked so. */
export function rssText(worker: Pick<WorkerView, 'memory' | 'state' | 'lost'>): string {
  if (worker.memory === null) return '-';
  const rss = bytesText(worker.memory.rss_bytes);
  return memoryIsLastKnown(worker) ? `${rss} (last)` : rss;
}

/** A worker process's CPU use since its heartbeat before, as a percent of one core; marked as rssText marks memory. */
export function cpuText(worker: Pick<WorkerView, 'cpu_percent' | 'state' | 'lost'>): string {
  if (worker.cpu_percent === null) return '-';
  const cpu = `${worker.cpu_percent.toFixed(1)}%`;
  return memoryIsLastKnown(worker) ? `${cpu} (last)` : cpu;
}

/** A worker's store pool between its last two heartbeats (PostgreSQL); marked as rssText marks memory. */
export function poolCellText(worker: Pick<WorkerView, 'pool' | 'state' | 'lost'>): string {
  if (worker.pool === null) return '-';
  const pool = poolText(worker.pool);
  return memoryIsLastKnown(worker) ? `${pool} (last)` : pool;
}

const POOL_COLUMN: Column = { header: 'pool', align: 'right' };

/**
 * The workers table's columns: a name once some worker has one (opsdeck worker --name), so a fleet without
 * names reads as before, and a pool on PostgreSQL only (SQLite has none). The pool's figures line up to the
 * right as the in-flight count, rss and cpu beside them do, their "(last)" marks with them.
 */
export function workerColumns(named: boolean, pooled: boolean): Column[] {
  return [
    { header: 'worker', max: 50 }, ...(named ? [{ header: 'name', max: 40 }] : []), { header: 'state' }, { header: 'host' }, { header: 'pid', align: 'right' },
    { header: 'in flight', align: 'right' }, { header: 'rss', align: 'right' }, { header: 'cpu', align: 'right' }, ...(pooled ? [POOL_COLUMN] : []),
    { header: 'queues' }, { header: 'services', max: 120 }, { header: 'cannot run', max: 60 }, { header: 'registry' }, { header: 'heartbeat' }, { header: 'started' },
  ];
}

/**
 * The registry a worker runs: its digest's start and when it loaded it; - from a worker that did not say.
 * `drifted`: it is not the file this command read (--registry), marked so; the lines under the table say what to do.
 */
export function registryText(worker: Pick<WorkerView, 'registry'>, drifted = false): string {
  if (worker.registry === null) return '-';
  return `${shortDigest(worker.registry.digest)} ${when(worker.registry.loaded_at)}${drifted ? ' (not the file)' : ''}`;
}

/** Each live worker whose registry is not the file read here, in the words of health-check registry. */
function driftLines(drift: RegistryDrift[]): string[] {
  return drift.length === 0 ? [] : ['', ...drift.map((d) => timesIn(d.detail))];
}

/**
 * What a held or draining worker's state means, under the table: a held one is not stopping (restarting it
 * changes nothing), and the control plane says what holds it and how to lift it.
 */
async function stateLines(ctx: ApiContext, list: WorkerView[]): Promise<string[]> {
  const live = list.filter((w) => !w.lost);
  const lines: string[] = [];
  if (live.some((w) => w.state === 'held')) {
    const holds = controlReasons(await call(ctx, 'control.get', {}), [], ctx.words.release);
    const what = holds.length > 0 ? holds.join(' and ') : 'the control plane held dispatch (it was released since: they take jobs again at their next read)';
    lines.push(`held: takes no new job and is not stopping, while ${what}`);
  }
  if (live.some((w) => w.state === 'draining')) lines.push('draining: stopping (shut down, or sent SIGTERM); its running jobs finish first');
  return lines.length > 0 ? ['', ...lines] : [];
}

/**
 * What lost workers still hold, true when it is read: their running jobs show in `jobs --stuck` only once
 * their leases ran out, so the hint says when that is rather than pointing to a list still empty.
 */
function lostLines(list: WorkerView[], leases: LostWorkerLeases[]): string[] {
  if (!list.some((w) => w.lost && w.state !== 'stopped')) return [];
  if (leases.length === 0) return ['', 'lost workers report nothing; none holds a running job any more (opsdeck workers forget ID drops one)'];
  const now = Date.now();
  return ['', 'lost workers report nothing', ...leases.map((l) => timesIn(lostLeasesLine(l, now, CLI_STUCK_WORDS)))];
}

export const workers: Command = {
  name: 'workers',
  summary: 'workers sharing this store, with their heartbeats, memory, CPU and (PostgreSQL) connection pool (lost ones marked); forget ID drops a lost or stopped one',
  usage: '[list] | forget ID|NAME',
  details: [
    'rss        each worker\'s resident memory at its last heartbeat: "(last)" once it is lost or stopped, - when it said',
    '           none (an older version); --json has memory.rss_bytes and memory.heap_used_bytes (V8 heap in use), or null',
    "cpu        each worker process's CPU use between its last two heartbeats, as a percent of one core (over 100%",
    '           when it kept more than one core busy); marked and - as rss is; --json has cpu_percent, or null',
    'pool       on a PostgreSQL store, each worker\'s connection pool between its last two heartbeats: the most',
    `           connections in use at once of its size (${PG_POOL_MAX_ENV} where it runs), and once callers had to wait`,
    '           for one, the most waiting at once and the longest wait; health-check store warns of a live one once a',
    '           caller queued behind busy connections (not ones still opening) waited 100 ms or more. Marked and - as',
    '           rss is; --json has pool.max, .peak_in_use, .peak_waiting',
    '           and .longest_wait_ms, or null (always on SQLite, which has no pool)',
    'registry   the registry each worker runs: the start of the sha256 of the file it loaded, and when it loaded it',
    '           (at start, or the last SIGHUP that took); --json has registry.digest, .path and .loaded_at, or null.',
    '           health-check registry compares them with the file; given the file here (--registry), a worker',
    '           running another is marked "(not the file)" and named under the table with what to do',
    'cannot run the services each worker found it cannot run at its last check (at start, after a reload, then at the',
    '           interval it says, --json: cannot_run.looks_every_ms): a variable a service names not set there, the Docker',
    '           daemon not answering, AWS credentials not found; "nothing" once it checked, "not known" from a worker',
    '           that has not said (an older version), "docker not checked yet" while a kind\'s check has not answered;',
    '           under the table, what it lacks, names only, and whether it leaves those jobs to other workers ("not claimed there")',
    'forget     a lost or stopped worker no running job is leased to any more leaves the list and health-check (audited):',
    '           named by its id, or by its name (worker --name, any case) when one worker has it',
  ].join('\n'),
  options: {},
  async run(inv) {
    const sub = inv.positionals[0] ?? 'list';
    if (sub === 'forget') return forget(inv);
    if (sub !== 'list') throw new UsageError(`workers takes list or forget ID, not "${sub}"`);
    listOnly(inv);
    return withRuntimeRegistryOptional(inv, async ({ ctx }) => {
      const listed = await call(ctx, 'workers.list', {});
      const { workers: list, lost_leases: leases, registry_drift: drift } = listed;
      const drifted = new Set(drift.map((d) => d.worker_id));
      const registryNames = ctx.registry.loadedAt === null ? null : ctx.registry.registry.services.map((s) => s.name);
      if (inv.common.json) printJson(inv.io, listed);
      else if (list.length === 0) inv.io.out('no workers have registered on this store');
      else {
        const named = list.some((w) => w.name !== null);
        const pooled = ctx.store.dialect === 'postgres';
        inv.io.out(
          renderTable(
            workerColumns(named, pooled),
            list.map((w) => {
              // A lost worker's last count is not news: what it still holds shows as stuck jobs.
              const inFlight = w.in_flight === null ? '-' : `${w.in_flight}/${w.concurrency}`;
              const name = named ? [w.name ?? '-'] : [];
              const pool = pooled ? [poolCellText(w)] : [];
              return [w.id, ...name, paint(inv.io, w.state, statusColor(w.state)), w.host, String(w.pid), inFlight, rssText(w), cpuText(w), ...pool, w.queues?.join(',') ?? 'all', servicesText(w.services, registryNames), cannotRunSummary(w.cannot_run), registryText(w, drifted.has(w.id)), ago(w.last_heartbeat_at), when(w.started_at)];
            }),
          ),
        );
        for (const line of await stateLines(ctx, list)) inv.io.out(line);
        for (const line of lostLines(list, leases)) inv.io.out(line);
        for (const line of driftLines(drift)) inv.io.out(line);
        for (const line of cannotRunLines(list)) inv.io.out(line);
      }
      return 0;
    });
  },
};
