import type { HealthReport } from '../../../shared/contract.ts';
import { checkOf, noCheckFor } from '../healthWords.ts';
import type { BreakerRecord, ControlState, HealthCheck, WorkerInfo } from '../../../shared/domain.ts';
import type { MigrationStatus } from '../../store/store.ts';
import type { ApiContext } from '../context.ts';
import type { Handlers } from '../handlerTypes.ts';
import { alertChannelsCheck } from '../alertChannelsCheck.ts';
import { breakersCheck, withOpenBreakers } from '../breakersCheck.ts';
import { dispatchCheck, dueQueues } from '../idleFleet.ts';
import { INTEGRITY, integrityCheck } from '../integrityCheck.ts';
import { whenStuck } from '../../../shared/lostLeasesText.ts';
import { lostLeases } from '../lostLeases.ts';
import { probeAll } from '../probes.ts';
import { registryCheck } from '../registryCheck.ts';
import { registryDrift, withDrift } from '../registryDrift.ts';
import { inReport } from '../reportedWorkers.ts';
import { withExhaustedPools } from '../poolExhaustion.ts';
import { schedulerCheck } from '../schedulerCheck.ts';
import { stoppedWorkers, type StoppedWorker } from '../stoppedWorkers.ts';
import { storeCheck, storeFailureText } from '../storeCheck.ts';
import { workflowsCheck } from '../workflowsCheck.ts';
import { withWorkersLacking } from '../fleetLacks.ts';
import { notFound } from '../errors.ts';
import { controlReasons } from '../waitingReasons.ts';
import type { InterfaceWords } from '../interfaceWords.ts';
import { WORKER_LOST_AFTER_MS } from './workers.ts';
import { countText } from '../../../shared/countText.ts';

/**
 * What a held or draining worker's state means: a held one is not stopping, so nobody restarts it for nothing.
 * `control`: what holds dispatch, read once per report for every held worker.
 */
async function stateNote(ctx: ApiContext, w: WorkerInfo, control: () => Promise<ControlState>): Promise<string> {
  if (w.state === 'draining') return '; stopping, its running jobs finish first';
  if (w.state !== 'held') return '';
  const holds = controlReasons(await control(), [], ctx.words.release);
  return `; not stopping: it takes no new job while ${holds.length > 0 ? holds.join(' and ') : 'the control plane holds dispatch'}`;
}

/**
 * One worker's check. A lost worker fails while a running job is still leased to it (nobody runs that
 * job until its lease is taken back) or while no live worker serves; once its jobs were taken back and
 * another worker serves, it is a warning naming the way to forget it, not an outage for a day.
 */
async function workerCheck(ctx: ApiContext, w: WorkerInfo, serving: boolean, now: number, control: () => Promise<ControlState>): Promise<HealthCheck> {
  const name = `worker:${w.id}`;
  const age = Math.round((now - Date.parse(w.last_heartbeat_at)) / 1000);
  if (!w.lost) return { name, ok: true, detail: `${w.state}, ${w.in_flight} in flight, heartbeat ${age}s ago${await stateNote(ctx, w, control)}` };
  const lost = `lost: last heartbeat ${age}s ago (${w.host}, pid ${w.pid})`;
  const [held] = await lostLeases(ctx.store, [w]);
  if (held) return { name, ok: false, detail: `${lost}; ${countText(held.jobs)} running job(s) still leased to it, not yet taken back: ${whenStuck(held, now, ctx.words.stuckJobs)}` };
  if (!serving) return { name, ok: false, detail: `${lost}; no live worker is serving` };
  return { name, ok: true, warning: true, detail: `${lost}; its jobs were taken back and another worker serves: ${ctx.words.call('workers.forget', { id: w.id })}` };
}

/**
 * The workers check with no worker at all (the console's own engine, when it runs jobs, is one): fine
 * while no job is due; with jobs due, nothing runs them, which fails as the dispatch check does.
 */
async function noWorkerCheck(ctx: ApiContext, now: number): Promise<HealthCheck> {
  const due = await dueQueues(ctx.store, now);
  if (due.length === 0) return { name: 'workers', ok: true, detail: 'no worker running; no job is due' };
  return { name: 'workers', ok: false, detail: `no worker running, and jobs are due in ${due.length === 1 ? 'queue' : 'queues'} ${due.join(', ')}: nothing runs them; start one with ${ctx.words.startWorker()}` };
}

/**
 * A check that could not be made fails under its own name: one failing read never hides the other checks.
 * Why, in the store's words only for a caller who may learn where the store is (storeFailureText).
 */
async function guarded(ctx: ApiContext, name: string, check: () => Promise<HealthCheck>): Promise<HealthCheck> {
  try {
    return await check();
  } catch (error) {
    return { name, ok: false, detail: `cannot tell: ${storeFailureText(ctx, error)}` };
  }
}

/** The workers the checks look at (reportedWorkers.ts). */
export async function fleetOf(ctx: ApiContext, now: number): Promise<WorkerInfo[]> {
  return (await ctx.store.listWorkers(WORKER_LOST_AFTER_MS)).filter((w) => inReport(w, now));
}

/** What the checks that need no store read: this process's registry, environment and runners. */
export type HealthHost = Pick<ApiContext, 'registry' | 'engine' | 'env' | 'words' | 'answeredBy' | 'runners' | 'hostHidden'>;

/** Each runner kind's probe, with the breakers open for its services when the store told them. */
async function runnerChecks(host: HealthHost, breakers: BreakerRecord[]): Promise<HealthCheck[]> {
  const kindOf = (service: string) => host.registry.service(service)?.execution_type;
  return (await probeAll(host)).map((probe) => withOpenBreakers({ name: `runner:${probe.kind}`, ok: probe.healthy, ...(probe.warning ? { warning: true } : {}), detail: probe.detail }, probe.kind, breakers, kindOf, host.words));
}

/** The store's checks that are made only on a store that answers, in the console's order. */
const STORE_CHECKS = ['workers', 'dispatch', 'breakers', 'workflows', 'scheduler', 'alerts'];

/** What a report without the store says of the store's checks: its migrations check, and why the others were not made. */
export interface StoreChecksUnmade {
  migrations: HealthCheck;
  why: string;
}

const UNANSWERED: StoreChecksUnmade = { migrations: { name: 'migrations', ok: false, detail: 'cannot tell: the store does not answer' }, why: 'cannot tell: the store does not answer' };

/**
 * A store whose schema lacks migrations of this opsdeck's (a command does not migrate it): its checks were
 * skipped for that, not for an outage, and the migrations check says how far behind.
 */
export function skippedBehind(m: { applied: number; pending: number }, words: Pick<InterfaceWords, 'migrate'>): StoreChecksUnmade {
  return { migrations: migrationsCheck({ ...m, current: false }, words), why: `skipped: the store's schema is ${m.pending} migration(s) behind this opsdeck (${words.migrate()})` };
}

/**
 * The report while the store does not answer, or could not even be opened (a command's, during an outage):
 * its failing check first, then every check that needs no store (the registry, the runner probes), then
 * the store's checks named all the same, so a check asked for by name (GET /v1/health/scheduler) fails
 * with the store, and the three surfaces give the same report. `unmade`: why those were not made, when the
 * store did answer (a schema behind, skippedBehind).
 */
export async function reportWithoutStore(host: HealthHost, store: HealthCheck, unmade: StoreChecksUnmade = UNANSWERED): Promise<HealthReport> {
  const checks: HealthCheck[] = [store, await registryCheck(host, null), ...(await runnerChecks(host, [])), unmade.migrations];
  for (const name of STORE_CHECKS) checks.push({ name, ok: false, detail: unmade.why });
  return { ok: false, checks };
}

function migrationsCheck(m: MigrationStatus, words: Pick<InterfaceWords, 'migrate'>): HealthCheck {
  return { name: 'migrations', ok: m.current, detail: m.current ? `${m.applied} applied, current` : `${m.applied} applied, ${m.pending} pending: ${words.migrate()}` };
}

/** Store, schema, registry, each runner kind and each worker; ok only when every check is. */
export async function healthReport(ctx: ApiContext): Promise<HealthReport> {
  const probed = storeCheck(ctx);
  // Read beside the store check, not after it: a store whose schema is behind this opsdeck (a command that
  // only reads does not migrate it) fails that check's probe on a column it lacks, and this says so and what
  // to do; during an outage it fails alongside the probe, adding no wait.
  const read = ctx.store.migrationStatus().then((status) => ({ status }), (error: unknown) => ({ error }));
  const store = await probed;
  const status = await read;
  const migrations: HealthCheck = 'status' in status ? migrationsCheck(status.status, ctx.words) : { name: 'migrations', ok: false, detail: storeFailureText(ctx, status.error) };
  if (!store.answered) {
    if (!('status' in status)) return reportWithoutStore(ctx, store.check);
    if (status.status.pending > 0) return reportWithoutStore(ctx, store.check, skippedBehind(status.status, ctx.words));
    // Its migrations were read, and are not behind: the store's probe failed on something else (the store check says what).
    return reportWithoutStore(ctx, store.check, { migrations, why: 'cannot tell: the store answered, but not its first read (see the store check)' });
  }
  const checks: HealthCheck[] = [store.check, migrations];
  const registryAt = checks.push(await registryCheck(ctx, ctx.store)) - 1;
  checks.push(...(await runnerChecks(ctx, await ctx.store.listBreakers().catch(() => []))));
  const now = Date.now();
  let workers: WorkerInfo[] | null = null;
  try {
    workers = await fleetOf(ctx, now);
    if (workers.length === 0) checks.push(await guarded(ctx, 'workers', () => noWorkerCheck(ctx, now)));
  } catch (error) {
    checks.push({ name: 'workers', ok: false, detail: storeFailureText(ctx, error) });
  }
  const fleet = workers;
  if (fleet !== null) checks[0] = withExhaustedPools(store.check, fleet);
  const registry = checks[registryAt];
  if (fleet !== null && registry !== undefined) checks[registryAt] = withDrift(registry, await registryDrift(ctx, fleet));
  if (fleet !== null) {
    for (const [i, check] of checks.entries()) {
      const kind = check.name.startsWith('runner:') ? check.name.slice('runner:'.length) : null;
      if (kind !== null) checks[i] = withWorkersLacking(check, kind, fleet, ctx.registry.registry);
    }
  }
  checks.push(fleet === null ? { name: 'dispatch', ok: false, detail: 'cannot tell: the workers could not be read' } : await guarded(ctx, 'dispatch', () => dispatchCheck(ctx, fleet, now)));
  checks.push(await guarded(ctx, 'breakers', () => breakersCheck(ctx.store, ctx.registry.registry.services.map((s) => s.name), ctx.words)));
  checks.push(await guarded(ctx, 'workflows', () => workflowsCheck(ctx, now)));
  checks.push(fleet === null ? { name: 'scheduler', ok: false, detail: 'cannot tell: the workers could not be read' } : await guarded(ctx, 'scheduler', () => schedulerCheck(ctx.store, fleet, now, ctx.words)));
  checks.push(await guarded(ctx, 'alerts', () => alertChannelsCheck(ctx)));
  const serving = (fleet ?? []).some((w) => !w.lost && (w.state === 'running' || w.state === 'held'));
  let control: Promise<ControlState> | null = null;
  const readControl = () => (control ??= ctx.store.getControl());
  for (const w of fleet ?? []) checks.push(await guarded(ctx, `worker:${w.id}`, () => workerCheck(ctx, w, serving, now, readControl)));
  return { ok: checks.every((c) => c.ok), checks };
}

/** The workers `worker:NAME` looks among: each one's name by its id, and the stopped ones, whom the report leaves out. */
export interface WorkerRoster {
  names: ReadonlyMap<string, string | null>;
  stopped: readonly StoppedWorker[];
}

/** For a check that names no worker. */
export const NO_ROSTER: WorkerRoster = { names: new Map(), stopped: [] };

/** The workers `worker:NAME` looks among (opsdeck worker --name names them); null when they cannot be read. */
export async function workerRoster(ctx: ApiContext): Promise<WorkerRoster | null> {
  const fleet = await ctx.store.listWorkers(WORKER_LOST_AFTER_MS).catch(() => null);
  if (fleet === null) return null;
  return { names: new Map(fleet.map((w) => [w.id, w.name])), stopped: stoppedWorkers(fleet, Date.now(), { db: ctx.store.location, hostHidden: ctx.hostHidden }) };
}

/**
 * The checks a name asks for: itself, and every one of its kind (runner: runner:shell, …; worker or
 * workers: each worker); `worker:NAME`, every worker of that name (any case: the runbooks write WATCHDOG).
 * A stopped worker is found only by its id or name (stoppedWorkers.ts), never by its kind: the report left
 * it out, and `health-check workers` must not fail for good on a worker stopped on purpose.
 */
function named(checks: HealthCheck[], name: string, roster: WorkerRoster): HealthCheck[] {
  const kind = name === 'workers' ? 'worker' : name;
  // The roster is read after the report: a worker that stopped in between is stopped, not also the running one the report checked.
  const stoppedNow = new Map(roster.stopped.map((s) => [s.check.name, s.check]));
  const exact = checks.filter((c) => c.name === name || c.name === `${kind}s` || c.name.startsWith(`${kind}:`)).map((c) => stoppedNow.get(c.name) ?? c);
  if (exact.length > 0 || !name.startsWith('worker:')) return exact;
  const wanted = name.slice('worker:'.length).toLowerCase();
  const ids = new Set([...roster.names].filter(([, n]) => n !== null && n.toLowerCase() === wanted).map(([id]) => `worker:${id}`).filter((id) => !stoppedNow.has(id)));
  const stopped = roster.stopped.filter((s) => s.check.name === name || s.name?.toLowerCase() === wanted).map((s) => s.check);
  return [...checks.filter((c) => ids.has(c.name)), ...stopped];
}

/**
 * The part of a report one name asks for, or what is wrong with the name. `runner` and `worker` name every
 * check of their kind (runner:shell, worker:host-a:1, ...); the runbooks' names are read as opsdeck's
 * (`database` is the store; healthWords.ts).
 * `words`: the asking interface's, for what to run instead of a runbook's name no check has.
 * `workers`: the workers a worker:NAME looks among, null when the store did not tell them (it does not answer): a
 * worker or the integrity check is then not known to be missing, and fails as the workers check does
 * (cannot tell) rather than as a mistyped name, so a monitor reads an outage as one.
 */
export function checksNamed(
  report: HealthReport,
  name: string,
  words: InterfaceWords,
  workers: WorkerRoster | null = NO_ROSTER,
): { report: HealthReport } | { unknown: string } {
  const check = checkOf(name);
  const checks = named(report.checks, check, workers ?? NO_ROSTER);
  if (checks.length === 0 && workers === null && (check.startsWith('worker:') || check === INTEGRITY)) {
    const why = report.checks.find((c) => c.name === 'workers' && !c.ok)?.detail ?? 'the store does not answer';
    const said = why.startsWith('cannot tell: ') || why.startsWith('skipped: ');
    return { report: { ok: false, checks: [{ name: check, ok: false, detail: said ? why : `cannot tell: ${why}` }] } };
  }
  if (checks.length === 0) {
    const kinds = [...new Set(report.checks.map((c) => c.name.split(':')[0] ?? c.name))];
    const [kind, ...rest] = check.split(':');
    if (kind !== undefined && rest.length > 0 && (kinds.includes(kind) || kinds.includes(`${kind}s`))) {
      const ofKind = report.checks.filter((c) => c.name.startsWith(`${kind}:`)).map((c) => c.name.slice(kind.length + 1));
      const listed = ofKind.length > 0 ? `${kind}s here: ${ofKind.join(', ')}` : `there is none here now`;
      return { unknown: `no ${kind} ${rest.join(':')} (${listed}; ${kind} alone checks every one)` };
    }
    const none = noCheckFor(check, words);
    return { unknown: `no health check named ${check}${none === null ? '' : `: ${none}`} (known: ${[...kinds, INTEGRITY].join(', ')})` };
  }
  return { report: { ok: checks.every((c) => c.ok), checks } };
}

export const health: Handlers<'health.check'> = {
  'health.check': async (input, ctx) => {
    // The Overview asks for the dispatch check every few seconds: made alone, without probing every runner.
    if (input.check === 'dispatch') {
      const now = Date.now();
      const check = await guarded(ctx, 'dispatch', async () => dispatchCheck(ctx, await fleetOf(ctx, now), now));
      return { ok: check.ok, checks: [check] };
    }
    // Asked for by name only (and by diagnose): it reads every page of an SQLite file, seconds at 500 MB.
    if (input.check === INTEGRITY) {
      const check = await integrityCheck(ctx);
      return { ok: check.ok, checks: [check] };
    }
    const report = await healthReport(ctx);
    if (input.check === undefined) return report;
    const chosen = checksNamed(report, input.check, ctx.words, input.check.startsWith('worker:') ? await workerRoster(ctx) : NO_ROSTER);
    if ('unknown' in chosen) throw notFound(chosen.unknown);
    return chosen.report;
  },
};
