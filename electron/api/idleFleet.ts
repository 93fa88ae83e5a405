import type { HealthCheck, QueueCount, WorkerInfo } from '../../shared/domain.ts';
import type { Store } from '../store/store.ts';
import { spanText } from '../../shared/timesInText.ts';
import { controlReasons } from './waitingReasons.ts';

/** Scheduled jobs are counted up to here; past it the due count reads "at least". */
const SCHEDULED_CAP = 10_000;

function since(iso: string, now: number): string {
  return `${iso} (${spanText(now - Date.parse(iso))} ago)`;
}

/**
 * Services with due jobs that every live worker would hand back, its registry lacking them: each with how
 * many are due. A worker that did not say which services it runs (an older version) may run any.
 */
async function servicesNoWorkerRuns(store: Store, live: WorkerInfo[], paused: ReadonlySet<string>): Promise<string[]> {
  if (live.length === 0 || live.some((w) => w.services === null)) return [];
  const runnable = new Set(live.flatMap((w) => w.services ?? []));
  const out: string[] = [];
  const pending = Object.entries(await store.pendingByService()).filter(([service, n]) => n > 0 && !runnable.has(service));
  for (const [service, n] of pending.sort(([a], [b]) => a.localeCompare(b))) {
    const scheduled = await store.countJobs({ status: ['pending'], service, scheduled: true });
    // Jobs in a paused queue wait on purpose, as the rest of the check has it.
    let held = 0;
    for (const queue of paused) held += await store.countJobs({ status: ['pending'], service, queue });
    const due = Math.max(0, n - scheduled - held);
    if (due > 0) out.push(`${service} (${due} due)`);
  }
  return out;
}

/** `queue a (1 due)`, `queues a (1 due) and b (2 due)`: what a cause names, with how many of its jobs are due. */
function named(kind: string, items: string[]): string {
  const list = items.length === 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
  return `${kind}${items.length === 1 ? '' : 's'} ${list}`;
}

/** Queues with due jobs that no live worker takes: each with how many are due. */
async function queuesNoWorkerTakes(store: Store, pending: Map<string, number>, live: WorkerInfo[]): Promise<string[]> {
  const out: string[] = [];
  for (const [queue, n] of [...pending].sort(([a], [b]) => a.localeCompare(b))) {
    if (live.some((w) => w.queues === null || w.queues.includes(queue))) continue;
    const scheduled = await store.countJobs({ status: ['pending'], queue, scheduled: true });
    const due = n - Math.min(n, scheduled);
    if (due > 0) out.push(`${queue} (${due} due)`);
  }
  return out;
}

/** Pending jobs per queue, the paused queues left out: they wait on purpose. */
function pendingOutside(counts: QueueCount[], paused: ReadonlySet<string>): Map<string, number> {
  const pending = new Map<string, number>();
  for (const c of counts) if (c.status === 'pending' && c.count > 0 && !paused.has(c.queue)) pending.set(c.queue, (pending.get(c.queue) ?? 0) + c.count);
  return pending;
}

/** The queues, paused ones left out, whose jobs are due now, each with how many: `default (2 due)`. */
export async function dueQueues(store: Store, now = Date.now()): Promise<string[]> {
  const oldest = await store.oldestPendingRunAt();
  if (oldest === null || Date.parse(oldest) > now) return [];
  const [counts, control] = await Promise.all([store.countsByQueueAndStatus(), store.getControl()]);
  return queuesNoWorkerTakes(store, pendingOutside(counts, new Set(control.paused_queues.map((p) => p.queue))), []);
}

/**
 * Whether the jobs that are due get dispatched at all. Jobs waiting with no worker running to take
 * them (or every worker held by safe mode or the emergency stop) is the first symptom a runbook looks
 * for, "jobs stuck in pending", and must not read healthy. Every cause is named at once, each with what
 * lifts it: an operator who fixes one must not find the next only then. Paused queues wait on purpose and
 * are left out; a worker limited to some queues serves only those.
 */
export async function dispatchCheck(store: Store, workers: WorkerInfo[], now = Date.now()): Promise<HealthCheck> {
  const oldest = await store.oldestPendingRunAt();
  if (oldest === null || Date.parse(oldest) > now) return { name: 'dispatch', ok: true, detail: 'no job is waiting to run' };
  const [counts, control] = await Promise.all([store.countsByQueueAndStatus(), store.getControl()]);
  const paused = new Set(control.paused_queues.map((p) => p.queue));
  const pending = pendingOutside(counts, paused);
  const waiting = [...pending.values()].reduce((a, b) => a + b, 0);
  if (waiting === 0) return { name: 'dispatch', ok: true, detail: 'the only waiting jobs are in paused queues' };
  // A held worker takes its queues again once released: what holds it is the cause, not its queues.
  const live = workers.filter((w) => !w.lost && (w.state === 'running' || w.state === 'held'));
  const causes = controlReasons(control, []);
  const unserved = await queuesNoWorkerTakes(store, pending, live);
  if (unserved.length > 0) {
    causes.push(
      live.length === 0
        ? `no worker is running to take ${named('queue', unserved)}: start one with opsdeck worker`
        : `no live worker takes ${named('queue', unserved)}: start one that does with opsdeck worker`,
    );
  }
  const unrun = await servicesNoWorkerRuns(store, live, paused);
  if (unrun.length > 0) {
    causes.push(`no live worker's registry has ${named('service', unrun)}: start a worker whose registry names it, or add it to the workers' registry`);
  }
  const scheduledAll = await store.scheduledCount(SCHEDULED_CAP + 1);
  const due = scheduledAll > SCHEDULED_CAP ? `${Math.max(0, waiting - SCHEDULED_CAP)}+` : String(Math.max(0, waiting - scheduledAll));
  if (causes.length === 0) return { name: 'dispatch', ok: true, detail: `${due} job(s) due, ${live.length} live worker(s) taking them` };
  // While dispatch is held every due job waits; otherwise only some do, and the causes count their own.
  const held = control.emergency_stop.engaged || control.safe_mode.engaged;
  const head = held ? `${due} job(s) due and not dispatched` : 'jobs are due and not dispatched';
  return { name: 'dispatch', ok: false, detail: `${head}: ${causes.join('; ')}; the oldest due since ${since(oldest, now)}` };
}
