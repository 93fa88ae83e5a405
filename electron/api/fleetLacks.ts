import { lackLine, unsetText } from '../../shared/cannotRunText.ts';
import type { HealthCheck, ServiceLack, WorkerInfo } from '../../shared/domain.ts';
import type { Registry } from '../../shared/registry.ts';
import { countText } from '../../shared/countText.ts';

/** How an operator names a worker: its id, which starts with its name when it has one. */
const label = (w: WorkerInfo) => w.id;

/** `on worker w2, w3`, or `on all 3` when every one of them. */
function onWhich(ids: readonly string[], of: number): string {
  if (ids.length === of && of > 1) return `on all ${of}`;
  return `on worker ${ids.join(', ')}`;
}

/** What the workers lack for one service, grouped by what it is: each variable, each daemon's answer, each other reason. */
function groupedLacks(lacking: ReadonlyArray<{ worker: WorkerInfo; lack: ServiceLack }>, of: number): string[] {
  const byWhat = new Map<string, string[]>();
  const add = (what: string, worker: WorkerInfo) => byWhat.set(what, [...(byWhat.get(what) ?? []), label(worker)]);
  for (const { worker, lack } of lacking) {
    for (const name of lack.unset) add(unsetText([name]), worker);
    if (lack.docker !== null) add(lack.docker, worker);
    for (const other of lack.other) add(other, worker);
  }
  return [...byWhat].map(([what, ids]) => `${what} ${onWhich(ids, of)}`);
}

/** `30 s`, `0.5 s`: how long after a look a worker looks again. */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/**
 * When the workers look at the Docker daemon again, by the interval each said with its record; without a
 * number when one did not say (an older version): a number it never gave would be a guess.
 */
function looksAgain(workers: readonly WorkerInfo[]): string {
  const every = workers.map((w) => w.cannot_run?.looks_every_ms);
  const known = every.filter((ms) => ms !== undefined);
  if (known.length < every.length || known.length === 0) return workers.length === 1 ? 'it looks again on its own' : 'each looks again on its own';
  const low = Math.min(...known);
  const high = Math.max(...known);
  if (workers.length === 1) return `it looks again ${seconds(high)} after its last look`;
  return low === high ? `each looks again ${seconds(high)} after its last look` : `each looks again ${seconds(low)} to ${seconds(high)} after its last look`;
}

/**
 * What lifts it: a variable is read when a worker starts; a Docker daemon is looked at again on its own. A
 * worker whose Docker probe ran out its wait (`unanswered`) says the daemon as its look before found it:
 * whether it answers now is not known, so it is not told to start. One whose probe is merely still to answer
 * (a look under way, a reload's record said in parts) says what a look found, a socket missing or refusing:
 * that is told to start it.
 */
function whatToDo(lacking: ReadonlyArray<{ worker: WorkerInfo; lack: ServiceLack }>): string {
  const todo: string[] = [];
  if (lacking.some(({ lack }) => lack.unset.length > 0)) todo.push('set the variables where the workers run, then restart them');
  const docker = lacking.filter(({ lack }) => lack.docker !== null).map(({ worker }) => worker);
  const timedOut = docker.filter((worker) => worker.cannot_run?.unanswered?.includes('docker') === true);
  const found = docker.filter((worker) => !timedOut.includes(worker));
  if (found.length > 0) todo.push(`start the Docker daemon or give the workers its socket: ${looksAgain(found)}`);
  if (timedOut.length > 0) todo.push(`the Docker probe did not answer within its wait and is not asked again before it does, so the next look takes its answer, at once if it came meanwhile or once it comes: ${looksAgain(timedOut)}`);
  return todo.length > 0 ? ` (${todo.join('; ')})` : '';
}

/**
 * Why no worker among `able` (the live workers that would take a job of `service`: its queue, their registry
 * has it) can run it, by their last checks (WorkerInfo.cannot_run); null when one can, or one has not said
 * (an older worker, one not checked yet: not known is not "cannot"). `due`: how many of its jobs are due,
 * said beside the service as the dispatch check names every service and queue.
 */
export function lackingReason(queue: string, service: string, able: readonly WorkerInfo[], due?: number): string | null {
  if (able.length === 0) return null;
  const lacking = able.map((worker) => ({ worker, lack: worker.cannot_run?.services.find((s) => s.service === service) }));
  const found = lacking.flatMap(({ worker, lack }) => (lack === undefined ? [] : [{ worker, lack }]));
  if (found.length < able.length) return null;
  const n = able.length;
  const lacks = found.map((f) => f.lack);
  const declined = lacks.filter((l) => l.declined).length;
  const claims = declined === n ? 'none of them claims its jobs, which wait for a worker that can run them' : declined === 0 ? 'its jobs fail on them' : `${declined} of them leave its jobs to others, on the rest they fail`;
  const who = n === 1 ? `the only live worker that takes queue ${queue}` : `any of the ${n} live workers that take queue ${queue}`;
  const named = due === undefined ? `service ${service}` : `service ${service} (${countText(due)} due)`;
  return `${named} cannot run on ${who}: ${groupedLacks(found, n).join('; ')}; ${claims}${whatToDo(found)}`;
}

/**
 * Why no live worker that would take a job of `service` on `queue` claims it, every one of them leaving
 * it out for what it lacks (lackingReason's words); null when one claims it, or one has not said.
 */
export function declinedByAll(queue: string, service: string, workers: readonly WorkerInfo[], due?: number): string | null {
  const able = live(workers).filter((w) => (w.queues === null || w.queues.includes(queue)) && (w.services === null || w.services.includes(service)));
  const declines = (w: WorkerInfo) => w.cannot_run?.services.some((s) => s.service === service && s.declined) === true;
  return able.length > 0 && able.every(declines) ? lackingReason(queue, service, able, due) : null;
}

/** Live workers, running or held: the ones whose last check says what the fleet can run now. */
function live(workers: readonly WorkerInfo[]): WorkerInfo[] {
  return workers.filter((w) => !w.lost && (w.state === 'running' || w.state === 'held'));
}

/** Each live worker whose last check found services of `kind` it cannot run, with them and when it looked. */
export function workersLacking(workers: readonly WorkerInfo[], kind: string): Array<{ worker: WorkerInfo; checked_at: string; services: ServiceLack[] }> {
  return live(workers).flatMap((worker) => {
    const checked = worker.cannot_run;
    const services = checked?.services.filter((s) => s.execution_type === kind) ?? [];
    return checked === null || services.length === 0 ? [] : [{ worker, checked_at: checked.checked_at, services }];
  });
}

/**
 * A runner check (`runner:docker`) counts the live workers lacking what its services need: a warning naming
 * them and what, failing when some service of the kind no live worker that takes it can run. The probe of
 * the process answering says only what that process has.
 */
export function withWorkersLacking(check: HealthCheck, kind: string, workers: readonly WorkerInfo[], registry: Registry): HealthCheck {
  const lacking = workersLacking(workers, kind);
  if (lacking.length === 0) return check;
  const of = live(workers).length;
  // As the Runners page says it: whether it is claimed beside the service's name, never after a daemon's own parentheses.
  const named = lacking.map(({ worker, services }) => `on worker ${label(worker)}: ${services.map(lackLine).join('; ')}`);
  const none = registry.services
    .filter((s) => s.execution_type === kind)
    .flatMap((s) => {
      const able = live(workers).filter((w) => (w.queues === null || w.queues.includes(s.queue)) && (w.services === null || w.services.includes(s.name)));
      const why = lackingReason(s.queue, s.name, able);
      return why === null ? [] : [why];
    });
  const counted = `${lacking.length} of ${of} live worker${of === 1 ? '' : 's'} cannot run services of it: ${named.join('; ')}`;
  if (none.length > 0) return { name: check.name, ok: false, detail: `${check.detail}; ${none.join('; ')}; ${counted}` };
  return { ...check, warning: true, detail: `${check.detail}; ${counted}` };
}
