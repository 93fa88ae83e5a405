import type { HealthCheck, WorkerInfo } from '../../shared/domain.ts';
import { shellWord } from '../../shared/shellWord.ts';
import { locationWithoutPasswords } from '../store/location.ts';
import { spanText } from '../../shared/timesInText.ts';
import { inReport } from './reportedWorkers.ts';

/** A stopped worker as `worker:NAME` finds it. */
export interface StoppedWorker {
  check: HealthCheck;
  /** Its name, unless another worker of that name took its place (`replacedOnes`): then only its id finds it. */
  name: string | null;
}

/**
 * On another host, a worker started this long before one stopped is taken as started in its place: a move
 * brings the new worker up, then stops the old one. One that ran beside it longer is another worker of the
 * name, and the name is one worker short.
 */
const MOVE_OVERLAP_MS = 15 * 60_000;

/**
 * Whether `o` may have been started in stopped `w`'s place. On its host (`sameHost`): any worker of its name
 * started after it, a restart or a new process brought up before the old one stopped. On another host: one
 * started after it stopped, or a move's (MOVE_OVERLAP_MS). A worker that stopped before it did took no place.
 */
function mayReplace(w: WorkerInfo, o: WorkerInfo, sameHost: boolean): boolean {
  if (o.id === w.id || o.name === null || o.name.toLowerCase() !== w.name?.toLowerCase() || (o.host === w.host) !== sameHost) return false;
  const stoppedAt = Date.parse(w.last_heartbeat_at);
  if (o.state === 'stopped' && Date.parse(o.last_heartbeat_at) <= stoppedAt) return false;
  const started = Date.parse(o.started_at);
  return sameHost ? started > Date.parse(w.started_at) : started >= stoppedAt - MOVE_OVERLAP_MS;
}

const byStart = (a: WorkerInfo, b: WorkerInfo) => Date.parse(a.started_at) - Date.parse(b.started_at) || a.id.localeCompare(b.id);

/**
 * The stopped workers some other worker of their name took the place of: each paired with at most one, so
 * three stopped by a rolling deploy and two back leave one stopped under the name; its own host's first,
 * so a restart on b is b's, not a's; the first started after it, so a chain of restarts passes the name on
 * to the last. Only a worker the report still checks, or one that stopped in turn (itself found by name or
 * replaced), can take a place: one lost for a day is gone, and the stopped worker keeps its name.
 */
function replacedOnes(fleet: readonly WorkerInfo[], now: number): Set<string> {
  const stopped = fleet.filter((w) => w.state === 'stopped' && w.name !== null).sort((a, b) => Date.parse(a.last_heartbeat_at) - Date.parse(b.last_heartbeat_at) || a.id.localeCompare(b.id));
  const candidates = fleet.filter((o) => o.state === 'stopped' || inReport(o, now)).sort(byStart);
  const taken = new Set<string>();
  const replaced = new Set<string>();
  for (const sameHost of [true, false]) {
    for (const w of stopped) {
      if (replaced.has(w.id)) continue;
      const next = candidates.find((o) => !taken.has(o.id) && mayReplace(w, o, sameHost));
      if (next === undefined) continue;
      taken.add(next.id);
      replaced.add(w.id);
    }
  }
  return replaced;
}

/**
 * Where a stopped worker's command line says to start it: `db`, the store this process reads the worker from
 * (Store.location), which the worker wrote its heartbeats to; `hostHidden`, ctx.hostHidden, set for a caller
 * who may not learn where the store and files are, and saying what that needs.
 */
export interface RestartHost {
  db: string;
  hostHidden: string | undefined;
}

/**
 * The command line that starts the worker again as it ran, from what it declared: its name, queues, slots
 * (--concurrency) and registry file, and the store it ran on, without passwords (the driver reads
 * PGPASSWORD or ~/.pgpass, as for every location opsdeck prints). Not what a worker does not record: its
 * --grace, --metrics-port and --metrics-host, its log options and --until-empty come from wherever it was
 * started (its unit, its script). `--key=value` throughout, as sameCommand.ts writes them: a value that
 * starts with a dash (a queue named -urgent) stays the option's instead of being read as an option of its
 * own. A caller blind to the host is told which options to add, not their paths, as the registry check
 * names the file.
 */
function startAgain(w: WorkerInfo, host: RestartHost): string {
  const declared = [
    'opsdeck worker',
    ...(w.name === null ? [] : [`--name=${shellWord(w.name)}`]),
    ...(w.queues === null ? [] : [`--queues=${shellWord(w.queues.join(','))}`]),
    `--concurrency=${w.concurrency}`,
  ];
  const registry = w.registry?.path;
  if (host.hostHidden !== undefined) {
    const adding = registry ? '--db for this store and --registry for the registry file it ran (their paths need' : '--db for this store (its location needs';
    return `${declared.join(' ')}, adding ${adding} ${host.hostHidden})`;
  }
  return [...declared, `--db=${shellWord(locationWithoutPasswords(host.db))}`, ...(registry ? [`--registry=${shellWord(registry)}`] : [])].join(' ');
}

/**
 * A worker that stopped cleanly (SIGTERM, Ctrl-C), asked for by its name or id: a failure, as a monitor
 * watching that worker expects, saying when it stopped and how to start it again. No endpoint or control
 * starts a worker, so every interface says the same command line. The whole report leaves stopped workers
 * out: a worker stopped on purpose is no outage of the fleet's, and the workers and dispatch checks say
 * what its absence leaves undone.
 */
function stoppedCheck(w: WorkerInfo, now: number, host: RestartHost): HealthCheck {
  const ago = spanText(now - Date.parse(w.last_heartbeat_at));
  return {
    name: `worker:${w.id}`,
    ok: false,
    detail: `stopped at ${w.last_heartbeat_at} (its last heartbeat, ${ago} ago; ${w.host}, pid ${w.pid}): start it again on ${w.host} with ${startAgain(w, host)}`,
  };
}

/** The stopped workers of `fleet` (every worker the store lists), each with its check and the name that still finds it. */
export function stoppedWorkers(fleet: readonly WorkerInfo[], now: number, host: RestartHost): StoppedWorker[] {
  const replaced = replacedOnes(fleet, now);
  return fleet.filter((w) => w.state === 'stopped').map((w) => ({ check: stoppedCheck(w, now, host), name: replaced.has(w.id) ? null : w.name }));
}
