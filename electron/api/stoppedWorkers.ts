import type { HealthCheck, WorkerInfo } from '../../shared/domain.ts';
import { shellWord } from '../../shared/shellWord.ts';
import { spanText } from '../../shared/timesInText.ts';

/** A stopped worker as `worker:NAME` finds it. */
export interface StoppedWorker {
  check: HealthCheck;
  /** Its name, unless another worker of that name took its place (`replaced`): then only its id finds it. */
  name: string | null;
}

/**
 * Whether another worker of the same name took its place: one started after it stopped (a restart, on any
 * host), or one started on its host after it did (a new process brought up before the old one stopped).
 * Its name then names the one that runs, and a monitor watching the name must not fail for a day on the
 * process a restart replaced. Two workers of one name on two hosts stay two: one stopping is a failure.
 */
function replaced(w: WorkerInfo, fleet: readonly WorkerInfo[]): boolean {
  const name = w.name?.toLowerCase();
  if (name === undefined) return false;
  const stoppedAt = Date.parse(w.last_heartbeat_at);
  const started = Date.parse(w.started_at);
  return fleet.some((o) => o.id !== w.id && o.name?.toLowerCase() === name && (Date.parse(o.started_at) >= stoppedAt || (o.host === w.host && Date.parse(o.started_at) > started)));
}

/** The command line that starts the worker again as it ran: its name, queues, slots and registry file (what it declared). */
function startAgain(w: WorkerInfo): string {
  return [
    'opsdeck worker',
    ...(w.name === null ? [] : [`--name ${shellWord(w.name)}`]),
    ...(w.queues === null ? [] : [`--queues ${shellWord(w.queues.join(','))}`]),
    `--concurrency ${w.concurrency}`,
    ...(w.registry?.path ? [`--registry ${shellWord(w.registry.path)}`] : []),
  ].join(' ');
}

/**
 * A worker that stopped cleanly (SIGTERM, Ctrl-C), asked for by its name or id: a failure, as a monitor
 * watching that worker expects, saying when it stopped and how to start it again. No endpoint or control
 * starts a worker, so every interface says the same command line. The whole report leaves stopped workers
 * out: a worker stopped on purpose is no outage of the fleet's, and the workers and dispatch checks say
 * what its absence leaves undone.
 */
function stoppedCheck(w: WorkerInfo, now: number): HealthCheck {
  const ago = spanText(now - Date.parse(w.last_heartbeat_at));
  return {
    name: `worker:${w.id}`,
    ok: false,
    detail: `stopped at ${w.last_heartbeat_at} (its last heartbeat, ${ago} ago; ${w.host}, pid ${w.pid}): start it again on ${w.host} with ${startAgain(w)}`,
  };
}

/** The stopped workers of `fleet` (every worker the store lists), each with its check and the name that still finds it. */
export function stoppedWorkers(fleet: readonly WorkerInfo[], now: number): StoppedWorker[] {
  return fleet.filter((w) => w.state === 'stopped').map((w) => ({ check: stoppedCheck(w, now), name: replaced(w, fleet) ? null : w.name }));
}
