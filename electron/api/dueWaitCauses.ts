import type { OverviewStats } from '../../shared/contract.ts';
import type { WorkerInfo } from '../../shared/domain.ts';
import { countText } from '../../shared/countText.ts';
import type { Store } from '../store/store.ts';
import type { ApiContext } from './context.ts';
import { declinedByAll } from './fleetLacks.ts';
import { WORKER_LOST_AFTER_MS } from './handlers/workers.ts';
import { heldBreakers, named } from './idleFleet.ts';
import { limitHeld } from './limitHolds.ts';
import { inReport } from './reportedWorkers.ts';
import { busyText, fullFleet } from './waitingReasons.ts';

type QueueRow = OverviewStats['queues'][number];

/** Whether a queue has due jobs, as overview.stats read it: its oldest due job's wait, else pending beyond the scheduled. */
function hasDue(q: QueueRow, agesRead: boolean): boolean {
  if (agesRead) return q.oldest_due_age_s !== null;
  return q.scheduled === null ? q.pending > 0 : q.pending > q.scheduled;
}

/** Pending jobs per service (`all`, the kept counts), less those in the `outside` queues, counted from the same. */
async function pendingOutside(store: Store, all: Readonly<Record<string, number>>, outside: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [service, n] of Object.entries(all)) {
    let left = n;
    for (const queue of outside) left -= await store.countJobs({ status: ['pending'], service, queue });
    if (left > 0) out[service] = left;
  }
  return out;
}

/** `the circuit breaker of payments holds its jobs (400 pending)`, several breakers together. */
function breakersText(services: string[], pending: Readonly<Record<string, number>>): string {
  const jobs = countText(services.reduce((n, s) => n + (pending[s] ?? 0), 0));
  if (services.length === 1) return `the circuit breaker of ${services.join('')} holds its jobs (${jobs} pending)`;
  return `the circuit breakers of ${services.join(', ')} hold their jobs (${jobs} pending)`;
}

/**
 * The queues with due jobs whose every live worker is at its --concurrency, by their heartbeats, but not a
 * queue whose every pending job is of a service held (`held`): a free slot would not start those.
 */
async function busyQueues(store: Store, queues: readonly QueueRow[], live: WorkerInfo[], held: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const q of queues) {
    const full = fullFleet(q.queue, null, live);
    if (full === null) continue;
    let heldHere = 0;
    for (const service of held) heldHere += await store.countJobs({ status: ['pending'], service, queue: q.queue });
    if (q.pending > heldHere) out.push(busyText(q.queue, full));
  }
  return out;
}

/**
 * Why due jobs wait, a few words a cause, for the line `opsdeck status` prints under its oldest due job: the
 * dispatch check's causes in its order, read only from what stays cheap under millions of pending jobs (the
 * control state, the workers' heartbeats against the queues, the breakers, the kept counts). Status is what
 * an operator runs first in an incident, and the check's count of each held service's due jobs took up to
 * a second there; so a held service's jobs are counted as pending, due or not, and the line points to the
 * check for the due counts and what lifts each. `stats`: overview.stats, which status has read already.
 * Empty when none of these causes holds any.
 */
export async function dueWaitCauses(ctx: Pick<ApiContext, 'store' | 'registry' | 'words'>, stats: OverviewStats, now = Date.now()): Promise<string[]> {
  const { control } = stats;
  const causes = [...(control.emergency_stop.engaged ? ['the emergency stop is engaged'] : []), ...(control.safe_mode.engaged ? ['safe mode is on'] : [])];
  const due = stats.queues.filter((q) => hasDue(q, stats.queue_ages_read));
  const open = due.filter((q) => !q.paused);
  if (open.length === 0) return due.length > 0 ? [...causes, 'every due job is in a paused queue'] : causes;
  const fleet = (await ctx.store.listWorkers(WORKER_LOST_AFTER_MS)).filter((w) => inReport(w, now));
  // A held worker takes its queues again once released: what holds it is the cause, not its queues.
  const live = fleet.filter((w) => !w.lost && (w.state === 'running' || w.state === 'held'));
  const unserved = open.filter((q) => !live.some((w) => w.queues === null || w.queues.includes(q.queue))).map((q) => q.queue);
  if (unserved.length > 0) {
    const lost = fleet.filter((w) => w.lost).length;
    causes.push(live.length === 0 ? `no worker is running${lost > 0 ? ` (${countText(lost)} lost)` : ''}` : `no live worker takes ${named('queue', unserved)}`);
  }
  // As the dispatch check counts them: a paused queue's jobs wait on purpose; one no live worker takes is
  // said already, but a breaker or its service's limits would hold its jobs all the same.
  const all = await ctx.store.pendingByService();
  const paused = control.paused_queues.map((p) => p.queue);
  const pending = await pendingOutside(ctx.store, all, paused);
  const served = unserved.length === 0 ? pending : await pendingOutside(ctx.store, all, [...paused, ...unserved]);
  const services = Object.keys(served).sort();
  const runnable = live.some((w) => w.services === null) ? null : new Set(live.flatMap((w) => w.services ?? []));
  const unrun = live.length === 0 || runnable === null ? [] : services.filter((s) => !runnable.has(s));
  if (unrun.length > 0) causes.push(`no live worker's registry has ${named('service', unrun)}`);
  const declined = services.filter((s) => {
    const queue = ctx.registry.service(s)?.queue;
    return !unrun.includes(s) && queue !== undefined && declinedByAll(queue, s, live) !== null;
  });
  if (declined.length > 0) causes.push(`every live worker that would take ${named('service', declined)} lacks what it needs`);
  // As the dispatch check: full slots are a cause only while every due job has a worker that would take it.
  const taken = causes.length === 0;
  const counted = new Set([...unrun, ...declined]);
  const breakers = (await heldBreakers(ctx, pending, now, counted)).map((b) => b.service_name);
  if (breakers.length > 0) causes.push(breakersText(breakers, pending));
  const limited = (await limitHeld(ctx, pending, new Set([...counted, ...breakers]))).map((l) => l.service);
  for (const service of limited) causes.push(`service ${service} held by its own limits (${countText(pending[service] ?? 0)} pending)`);
  return taken ? [...causes, ...(await busyQueues(ctx.store, open, live, [...breakers, ...limited]))] : causes;
}
