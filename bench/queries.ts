import { monitorEventLoopDelay } from 'node:perf_hooks';
import { encodeCreatedCursor, encodeCursor, encodeFailedCursor } from '../electron/store/cursor.ts';
import { dispatch } from '../electron/api/dispatch.ts';
import { sumRollupHours } from '../electron/engine/hourSums.ts';
import type { ApiContext } from '../electron/api/context.ts';
import { RegistryHolder } from '../electron/config/holder.ts';
import { openStore } from '../electron/store/open.ts';
import type { Store } from '../electron/store/store.ts';
import { fillPostgresHistory } from '../electron/store/testing/history/postgres.ts';
import { fillSqliteHistory } from '../electron/store/testing/history/sqlite.ts';
import { historyFailures } from '../electron/store/testing/history/failures.ts';
import { historyRegistryYaml } from '../electron/store/testing/history/shape.ts';
import { HISTORY_ENGINE } from '../electron/engine/testing/historyEngine.ts';
import { CONSOLE_WORDS } from '../electron/api/interfaceWords.ts';

/**
 * `npm run bench -- queries`: every call the console makes, timed on a store holding a realistic history
 * (electron/store/testing/history/), through the same dispatch the hosts use. One JSON line per call:
 * p50 and p95 over `runs` calls after one warm-up, and the target it is held to (bench/README.md).
 */

export interface QueryTiming {
  call: string;
  label: string;
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
  runs: number;
  /** What the call answered the last time (rows or groups), so a fast empty answer stands out. */
  rows: number;
  /**
   * The longest the event loop was held during a call (monitorEventLoopDelay), median and worst over the
   * runs: what the call cost every other caller of the process (the engine's leases and settles, other
   * consoles), which a read on the store's read thread does not.
   */
  stall_p50_ms: number;
  stall_max_ms: number;
  target_ms: number;
}

interface Probe {
  label: string;
  call: string;
  input: unknown;
  target: number;
}

/** A store filled once with `jobs` of history, or an earlier fill reused. */
export async function filledStore(location: string, dialect: 'sqlite' | 'postgres', jobs: number, log: (line: string) => void): Promise<Store> {
  await (await openStore(location)).close();
  const started = Date.now();
  const params = { jobs, nowMs: Date.now(), engine: HISTORY_ENGINE };
  if (dialect === 'sqlite') fillSqliteHistory(location, params);
  else await fillPostgresHistory(location, params);
  log(`filled ${jobs} jobs in ${Math.round((Date.now() - started) / 1000)} s`);
  const store = await openStore(location);
  await store.checkCounts(true);
  log(`counts rebuilt`);
  await summedHours(store, log);
  return store;
}

/** The rollups' hours summed, as a worker's upkeep keeps them on a store in use (engine/hourSums.ts). */
export async function summedHours(store: Store, log: (line: string) => void): Promise<void> {
  const started = Date.now();
  const hours = await sumRollupHours(store, new Date(), Number.POSITIVE_INFINITY);
  log(`summed ${hours} hours of rollups in ${Date.now() - started} ms`);
}

/**
 * The dead-letter group the calls on one group open: a shell service's `exited with code 1: KeyError:
 * 'customer_…'`, whose every job fails three attempts and names its customer by the job's number.
 */
const GROUP = keyErrorGroup();

function keyErrorGroup(): string {
  const group = historyFailures(HISTORY_ENGINE).find((f) => f.service === 'svc_06' && f.errorClass === 'exit_code');
  if (group === undefined) throw new Error('the history has no exit_code failure of svc_06 to time the calls on one group with');
  return group.fingerprint;
}

/** The console's calls, each filter of the Jobs and DLQ pages alone and combined, first and deep pages. */
function probes(jobs: number, sampleJob: number, pendingJob: number): Probe[] {
  const deep = encodeCursor(Math.floor(jobs / 2));
  const list = (label: string, filter: object, after?: string): Probe => ({
    label,
    call: 'jobs.list',
    input: { filter, limit: 100, ...(after ? { after } : {}) },
    target: 50,
  });
  const dlq = (label: string, selector: object, after?: string): Probe => ({
    label,
    call: 'dlq.list',
    input: { selector, limit: 100, ...(after ? { after } : {}) },
    target: 50,
  });
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
  // A day long past (about 30 000 jobs of the history's) and a page in its middle; the cursor's id is past
  // every job's, so the page starts at the time alone.
  const dayLongPast = { created_after: daysAgo(15), created_before: daysAgo(14) };
  const createdDeep = encodeCreatedCursor(daysAgo(14.5), jobs);
  // A group's dead letters list newest failure first: a page from the middle of the month.
  const failedDeep = encodeFailedCursor(daysAgo(15), jobs);
  // The not-due pending jobs are among the newest 2% of the history: a page below the newest thousand.
  const pendingDeep = encodeCursor(jobs - 1000);
  const tenDaysAgo = { created_after: new Date(Date.now() - 10 * 86_400_000).toISOString(), created_before: new Date(Date.now() - 10 * 86_400_000 + 3_600_000).toISOString() };
  return [
    { label: 'overview.stats', call: 'overview.stats', input: {}, target: 50 },
    { label: 'overview.series 1h', call: 'overview.series', input: { window: '1h' }, target: 50 },
    { label: 'overview.series 24h', call: 'overview.series', input: { window: '24h' }, target: 50 },
    list('jobs: all, first page', {}),
    list('jobs: all, deep page', {}, deep),
    list('jobs: failed', { status: ['failed'] }),
    list('jobs: failed, deep page', { status: ['failed'] }, deep),
    list('jobs: completed', { status: ['completed'] }),
    list('jobs: cancelled', { status: ['cancelled'] }),
    list('jobs: cancelled, deep page', { status: ['cancelled'] }, deep),
    list('jobs: pending', { status: ['pending'] }),
    // Two states or more, as the Jobs page's status chips combine them.
    list('jobs: failed + completed', { status: ['failed', 'completed'] }),
    list('jobs: failed + completed, deep page', { status: ['failed', 'completed'] }, deep),
    list('jobs: completed + cancelled', { status: ['completed', 'cancelled'] }),
    list('jobs: failed + cancelled', { status: ['failed', 'cancelled'] }),
    list('jobs: failed + cancelled, deep page', { status: ['failed', 'cancelled'] }, deep),
    list('jobs: pending + failed + running', { status: ['pending', 'failed', 'running'] }),
    list('jobs: running', { status: ['running'] }),
    // The Jobs page's "Running longer than", as it asks: running jobs started before now less that long. The
    // history's running jobs started some 12 minutes before its end: 30m finds none of them, 5m all.
    list('jobs: running longer than 30m', { status: ['running'], started_before: new Date(Date.now() - 30 * 60_000).toISOString() }),
    list('jobs: running longer than 5m', { status: ['running'], started_before: new Date(Date.now() - 5 * 60_000).toISOString() }),
    list('jobs: scheduled', { scheduled: true }),
    list('jobs: scheduled, next page', { scheduled: true }, pendingDeep),
    list('jobs: pending, scheduled', { scheduled: true, status: ['pending'] }),
    list('jobs: pending, scheduled, next page', { scheduled: true, status: ['pending'] }, pendingDeep),
    list('jobs: stuck', { stuck: true }),
    list('jobs: open dead letters', { unresolved: true }),
    list('jobs: one service', { service: 'svc_07' }),
    list('jobs: one service, deep page', { service: 'svc_07' }, deep),
    list('jobs: one queue', { queue: 'billing' }),
    list('jobs: docker', { execution_type: ['docker'] }),
    list('jobs: docker + failed', { execution_type: ['docker'], status: ['failed'] }),
    list('jobs: docker + failed, deep page', { execution_type: ['docker'], status: ['failed'] }, deep),
    list('jobs: service + failed', { service: 'svc_07', status: ['failed'] }),
    list('jobs: service + type + completed', { service: 'svc_07', execution_type: ['shell', 'http'], status: ['completed'] }),
    list('jobs: created in the last hour', { created_after: hourAgo }),
    // The Jobs page's From and To: a range holding no job, an hour in the past (about 1 250 jobs of the
    // history's), the same of one state, and everything before a day long past (a third of the history).
    list('jobs: created in a range with no job', { created_after: new Date(Date.now() + 86_400_000).toISOString() }),
    list('jobs: created in an hour 10 days ago', tenDaysAgo),
    list('jobs: failed, created in an hour 10 days ago', { ...tenDaysAgo, status: ['failed'] }),
    list('jobs: created before 20 days ago', { created_before: new Date(Date.now() - 20 * 86_400_000).toISOString() }),
    list('jobs: created 15 to 14 days ago', dayLongPast),
    list('jobs: created 15 to 14 days ago, deep page', dayLongPast, createdDeep),
    list('jobs: failed, created 15 to 14 days ago', { ...dayLongPast, status: ['failed'] }),
    list('jobs: cancelled, created 15 to 14 days ago', { ...dayLongPast, status: ['cancelled'] }),
    list('jobs: failed + cancelled, created 15 to 14 days ago', { ...dayLongPast, status: ['failed', 'cancelled'] }),
    list('jobs: running, created 15 to 14 days ago', { ...dayLongPast, status: ['running'] }),
    list('jobs: one service, created before 20 days ago', { created_before: daysAgo(20), service: 'svc_07' }),
    list('jobs: open dead letters, created before 20 days ago', { created_before: daysAgo(20), unresolved: true }),
    list('jobs: search, common', { search: 'ECONNREFUSED' }),
    list('jobs: search, one job', { search: `customer_${sampleJob}'` }),
    list('jobs: search, no match', { search: 'no such text anywhere' }),
    list('jobs: search + failed, deep page', { search: 'timeout', status: ['failed'] }, deep),
    list('jobs: failure class, common', { error_class: 'resource_limit' }),
    list('jobs: failure class, HTTP family', { error_class: 'http_5xx' }),
    list('jobs: failure class, none', { error_class: 'timeout' }),
    list('jobs: failure class + failed, deep page', { error_class: 'connection', status: ['failed'] }, deep),
    { label: 'jobs.get trace', call: 'jobs.get', input: { id: sampleJob }, target: 5 },
    { label: 'jobs.waiting (a pending job)', call: 'jobs.waiting', input: { id: pendingJob }, target: 50 },
    { label: 'failures.recent 1h', call: 'failures.recent', input: { since_minutes: 60 }, target: 50 },
    { label: 'failures.recent 24h', call: 'failures.recent', input: { since_minutes: 1440 }, target: 50 },
    { label: 'failures.recent one service, 24h', call: 'failures.recent', input: { since_minutes: 1440, service: 'svc_03' }, target: 50 },
    { label: 'metrics.byType 1h', call: 'metrics.byType', input: { since_minutes: 60 }, target: 50 },
    { label: 'metrics.byType 24h', call: 'metrics.byType', input: { since_minutes: 1440 }, target: 50 },
    { label: 'metrics.byType 7d', call: 'metrics.byType', input: { since_minutes: 7 * 1440 }, target: 50 },
    { label: 'metrics.byType 30d', call: 'metrics.byType', input: { since_minutes: 30 * 1440 }, target: 50 },
    // The Performance page's service selector (opsdeck performance --service): one service's minute rows, through its index.
    { label: 'metrics.byType one service, 30d', call: 'metrics.byType', input: { since_minutes: 30 * 1440, service: 'svc_03' }, target: 50 },
    // The table by service turned on (opsdeck performance --by service): every service's minute rows of the
    // day, the longest it reads (a month took seconds on SQLite).
    { label: 'metrics.byType by service, 24h', call: 'metrics.byType', input: { since_minutes: 1440, by: 'service' }, target: 50 },
    { label: 'dlq.groups', call: 'dlq.groups', input: {}, target: 100 },
    { label: 'dlq.groups search', call: 'dlq.groups', input: { search: 'OOM-killed' }, target: 100 },
    { label: 'dlq.groups one service', call: 'dlq.groups', input: { service: 'svc_03' }, target: 100 },
    dlq('dlq: all', {}),
    dlq('dlq: all, deep page', {}, deep),
    dlq('dlq: one fingerprint', { fingerprint: GROUP }),
    dlq('dlq: one fingerprint, deep page', { fingerprint: GROUP }, failedDeep),
    dlq('dlq: search', { search: 'CPU limit' }),
    dlq('dlq: search, no match', { search: 'no such text anywhere' }),
    // /v1/dlq?class= and opsdeck dlq list --class: the class each dead letter failed for good of.
    dlq('dlq: class, common', { error_class: 'resource_limit' }),
    dlq('dlq: class, HTTP family', { error_class: 'http_5xx' }),
    dlq('dlq: class, deep page', { error_class: 'exit_code' }, deep),
    dlq('dlq: class, none', { error_class: 'timeout' }),
    // A class other services' dead letters failed of, none of this one's: every open dead letter is looked at.
    dlq('dlq: class, none of one service', { error_class: 'function_crash', service: 'svc_06' }),
    dlq('dlq: class + search', { error_class: 'resource_limit', search: 'CPU limit' }),
    // Asked by opsdeck dlq and REST, not the console, before a bulk action: every open dead letter of the
    // class (7 000 of 33 000) is read, and a retry's reads them twice (its count, its first ids).
    { label: 'dlq.resolve dry run (one class)', call: 'dlq.resolve', input: { selector: { error_class: 'exit_code' }, dry_run: true }, target: 100 },
    { label: 'dlq.retry dry run (one class)', call: 'dlq.retry', input: { selector: { error_class: 'exit_code' }, dry_run: true }, target: 100 },
    { label: 'dlq.retry dry run (one group)', call: 'dlq.retry', input: { selector: { fingerprint: GROUP }, dry_run: true }, target: 50 },
    { label: 'audit.list', call: 'audit.list', input: {}, target: 50 },
    { label: 'breakers.list', call: 'breakers.list', input: {}, target: 50 },
    { label: 'workers.list', call: 'workers.list', input: {}, target: 50 },
    { label: 'schedules.list', call: 'schedules.list', input: {}, target: 50 },
    { label: 'workflows.runs', call: 'workflows.runs', input: {}, target: 50 },
    { label: 'alerts.list', call: 'alerts.list', input: {}, target: 50 },
    { label: 'rateLimits.list', call: 'rateLimits.list', input: {}, target: 50 },
    { label: 'control.get', call: 'control.get', input: {}, target: 50 },
    { label: 'runners.list', call: 'runners.list', input: {}, target: 50 },
    { label: 'retention.get', call: 'retention.get', input: {}, target: 50 },
    { label: 'workflows.list', call: 'workflows.list', input: {}, target: 50 },
    { label: 'workflows.stuck', call: 'workflows.stuck', input: {}, target: 50 },
    // The Workflows page's metrics: the runs started in a window, through the index on their start.
    { label: 'workflows.stats 24h', call: 'workflows.stats', input: { since_minutes: 1440 }, target: 50 },
    { label: 'workflows.stats 30d', call: 'workflows.stats', input: { since_minutes: 30 * 1440 }, target: 50 },
    // The overview asks this every 15 s while jobs wait with no worker to take them.
    { label: 'health.check dispatch', call: 'health.check', input: { check: 'dispatch' }, target: 50 },
    // Clicked, not polled: the operator waits on a button that says it is working.
    { label: 'health.check (every check)', call: 'health.check', input: {}, target: 1000 },
    // Both read every page of an SQLite file (the integrity check's quick_check): seconds at 500 MB, by design.
    { label: 'health.check integrity', call: 'health.check', input: { check: 'integrity' }, target: 10_000 },
    { label: 'support.diagnose', call: 'support.diagnose', input: {}, target: 10_000 },
    { label: 'retention.prune dry run', call: 'retention.prune', input: { dry_run: true }, target: 1000 },
  ];
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

function rowsOf(result: unknown): number {
  if (typeof result !== 'object' || result === null) return 0;
  for (const key of ['jobs', 'groups', 'entries', 'breakers', 'workers', 'attempts']) {
    const value: unknown = Reflect.get(result, key);
    if (Array.isArray(value)) return value.length;
  }
  return 1;
}

export async function timeQueries(store: Store, jobs: number, runs: number, only: string | null = null): Promise<QueryTiming[]> {
  const registry = new RegistryHolder({});
  registry.loadText(historyRegistryYaml(), 'bench-registry.yaml');
  const ctx: ApiContext = { store, registry, engine: null, actor: { user: 'bench', host: 'bench' }, env: {}, settings: { localExecution: false }, words: CONSOLE_WORDS };
  // A dead letter near the middle of the history: three attempts, the trace the drawer opens.
  const middle = encodeFailedCursor(new Date(Date.now() - 15 * 86_400_000).toISOString(), jobs);
  const sample = (await store.dlqList({ fingerprint: GROUP }, { limit: 1, after: middle })).items[0]?.id ?? 1;
  const pending = (await store.listJobs({ status: ['pending'] }, { limit: 1 })).items[0]?.id ?? 1;
  const out: QueryTiming[] = [];
  const delay = monitorEventLoopDelay({ resolution: 1 });
  for (const probe of probes(jobs, sample, pending).filter((p) => only === null || p.label.includes(only))) {
    const times: number[] = [];
    const stalls: number[] = [];
    let rows = 0;
    for (let run = 0; run <= runs; run++) {
      // Emptied ahead of the call, then a turn of the loop: the histogram drops the first delay it
      // measures after it is enabled or reset, which would be the call's own.
      delay.enable();
      delay.reset();
      await new Promise((resolve) => setTimeout(resolve, 5));
      const started = performance.now();
      const answer = await dispatch(probe.call, probe.input, ctx);
      const ms = performance.now() - started;
      // A call that held the loop is recorded by the histogram's timer when it next fires: let it.
      await new Promise((resolve) => setTimeout(resolve, 5));
      delay.disable();
      if (!answer.ok) throw new Error(`${probe.label}: ${answer.error.message}`);
      rows = rowsOf(answer.result);
      if (run > 0) {
        times.push(ms);
        // The histogram records each delay past its 1 ms timer, in nanoseconds; none recorded is no stall.
        stalls.push(delay.count === 0 ? 0 : delay.max / 1e6);
      }
    }
    times.sort((a, b) => a - b);
    stalls.sort((a, b) => a - b);
    const round = (ms: number) => Math.round(ms * 10) / 10;
    out.push({
      call: probe.call,
      label: probe.label,
      p50_ms: round(quantile(times, 0.5)),
      p95_ms: round(quantile(times, 0.95)),
      max_ms: round(times.at(-1) ?? 0),
      runs,
      rows,
      target_ms: probe.target,
      stall_p50_ms: round(quantile(stalls, 0.5)),
      stall_max_ms: round(stalls.at(-1) ?? 0),
    });
  }
  return out;
}
