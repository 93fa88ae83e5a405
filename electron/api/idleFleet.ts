import { effectiveState } from '../../shared/breakerRecord.ts';
import type { BreakerRecord, HealthCheck, QueueCount, WorkerInfo } from '../../shared/domain.ts';
import type { Store } from '../store/store.ts';
import { spanText } from '../../shared/timesInText.ts';
import { breakerAllowance, breakerHow } from './breakerHolds.ts';
import type { ApiContext } from './context.ts';
import type { InterfaceWords } from './interfaceWords.ts';
import { dueOfService } from './dueOfService.ts';
import { declinedByAll } from './fleetLacks.ts';
import { limitHolds, type LimitHold } from './limitHolds.ts';
import { busyText, controlReasons, fullFleet, moreCapacity } from './waitingReasons.ts';
import { countText } from '../../shared/countText.ts';

/** Scheduled jobs are counted up to here; past it the due count reads "at least". */
const SCHEDULED_CAP = 10_000;

function since(iso: string, now: number): string {
  return `${iso} (${spanText(now - Date.parse(iso))} ago)`;
}

/**
 * Services with due jobs that every live worker would hand back, its registry lacking them: each with how
 * many are due. A worker that did not say which services it runs (an older version) may run any. `outside`
 * holds the queues whose jobs wait on purpose (paused) or are counted under an earlier cause (no worker
 * takes them): a due job is counted once, under its first cause.
 */
async function servicesNoWorkerRuns(store: Store, live: WorkerInfo[], outside: ReadonlySet<string>): Promise<Due[]> {
  if (live.length === 0 || live.some((w) => w.services === null)) return [];
  const runnable = new Set(live.flatMap((w) => w.services ?? []));
  const out: Due[] = [];
  const pending = Object.entries(await store.pendingByService()).filter(([service, n]) => n > 0 && !runnable.has(service));
  for (const [service, n] of pending.sort(([a], [b]) => a.localeCompare(b))) {
    const due = await dueOfService(store, service, n, outside);
    if (due > 0) out.push({ name: service, due });
  }
  return out;
}

/**
 * Services with due jobs that every live worker that would take them leaves out of its claims, for what it
 * lacks (a variable unset, the Docker daemon unreachable): each with why, in the waiting reasons' words, with
 * its due count beside its name. `outside` as above; `counted`: services named under an earlier cause.
 */
async function servicesAllDecline(ctx: Pick<ApiContext, 'store' | 'registry'>, live: WorkerInfo[], outside: ReadonlySet<string>, counted: ReadonlySet<string>): Promise<Array<Due & { why: string }>> {
  const out: Array<Due & { why: string }> = [];
  const pending = Object.entries(await ctx.store.pendingByService()).filter(([service, n]) => n > 0 && !counted.has(service));
  for (const [service, n] of pending.sort(([a], [b]) => a.localeCompare(b))) {
    const queue = ctx.registry.service(service)?.queue;
    if (queue === undefined || declinedByAll(queue, service, live) === null) continue;
    const due = await dueOfService(ctx.store, service, n, outside);
    // The count beside the service, as every cause names a queue or service: one sentence, no count tacked on after its advice.
    const why = declinedByAll(queue, service, live, due);
    if (due > 0 && why !== null) out.push({ name: service, due, why });
  }
  return out;
}

/** A queue or service with how many of its jobs are due. */
interface Due {
  name: string;
  due: number;
}

function dueText(items: Due[]): string[] {
  return items.map((i) => `${i.name} (${countText(i.due)} due)`);
}

interface BreakerHold {
  service: string;
  jobs: number;
  how: string;
}

/**
 * The breakers that let none of their service's jobs start now, with the settings in force, of the services
 * `pending` (jobs per service) has jobs of, none of the `counted` ones: read from the breakers and the kept
 * counts, never the jobs. The dispatch check counts their due jobs; `opsdeck status` names them only.
 */
export async function heldBreakers(ctx: Pick<ApiContext, 'store' | 'registry'>, pending: Readonly<Record<string, number>>, now: number, counted: ReadonlySet<string>): Promise<BreakerRecord[]> {
  const notClosed = (await ctx.store.listBreakers()).filter((b) => effectiveState(b) !== 'closed' && (pending[b.service_name] ?? 0) > 0 && !counted.has(b.service_name));
  if (notClosed.length === 0) return [];
  const tunings = await ctx.store.listBreakerTunings();
  return notClosed.filter((b) => breakerAllowance(ctx.registry, tunings, b, new Date(now)) <= 0).sort((a, b) => a.service_name.localeCompare(b.service_name));
}

/**
 * The services whose breaker lets none of their jobs start now, each with how many of its jobs are due:
 * those outside the `outside` queues and not of the `counted` services, named under an earlier cause.
 */
async function breakerHolds(ctx: Pick<ApiContext, 'store' | 'registry'>, outside: ReadonlySet<string>, now: number, counted: ReadonlySet<string> = new Set()): Promise<BreakerHold[]> {
  const pending = await ctx.store.pendingByService();
  const holds: BreakerHold[] = [];
  for (const breaker of await heldBreakers(ctx, pending, now, counted)) {
    const jobs = await dueOfService(ctx.store, breaker.service_name, pending[breaker.service_name] ?? 0, outside);
    if (jobs > 0) holds.push({ service: breaker.service_name, jobs, how: breakerHow(breaker) });
  }
  return holds;
}

/** `5 held by the circuit breaker of payments (open; opsdeck breaker list says why)`, in the breakers check's words; `list`: where the breakers are listed. */
function heldText(holds: BreakerHold[], list: string): string {
  const jobs = holds.reduce((n, h) => n + h.jobs, 0);
  const [only] = holds;
  if (holds.length === 1 && only) return `${countText(jobs)} held by the circuit breaker of ${only.service} (${only.how}; ${list} says why)`;
  return `${countText(jobs)} held by circuit breakers: ${holds.map((h) => `${h.service} ${countText(h.jobs)} (${h.how})`).join(', ')} (${list} says why)`;
}

/** Of a queue's pending jobs, the due ones of the services whose breaker or own limits hold them. */
async function heldInQueue(store: Store, queue: string, holds: Array<{ service: string }>): Promise<number> {
  let held = 0;
  for (const { service } of holds) {
    const inQueue = await store.countJobs({ status: ['pending'], service, queue });
    if (inQueue > 0) held += inQueue - (await store.countJobs({ status: ['pending'], service, queue, scheduled: true }));
  }
  return held;
}

/**
 * The queues with due jobs whose every live worker is at its --concurrency, by their heartbeats' in-flight
 * counts (never a read of the jobs): `every live worker taking queue default is busy (4 of 4 slots, 1 worker)`.
 * A queue whose due jobs a breaker or their service's own limits hold, every one, is not named: a free slot
 * would not start them, and "more capacity" would send the operator after the wrong cause.
 */
async function busyQueues(store: Store, pending: Map<string, number>, live: WorkerInfo[], holds: Array<{ service: string }>): Promise<string[]> {
  const out: string[] = [];
  for (const [queue, n] of [...pending].sort(([a], [b]) => a.localeCompare(b))) {
    const full = fullFleet(queue, null, live);
    if (full === null) continue;
    const scheduled = await store.countJobs({ status: ['pending'], queue, scheduled: true });
    if (n - scheduled > (await heldInQueue(store, queue, holds))) out.push(busyText(queue, full));
  }
  return out;
}

/** `queue a (1 due)`, `queues a (1 due) and b (2 due)`: what a cause names, with how many of its jobs are due. */
export function named(kind: string, items: string[]): string {
  const list = items.length === 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
  return `${kind}${items.length === 1 ? '' : 's'} ${list}`;
}

/** Queues with due jobs that no live worker takes: each with how many are due. */
async function queuesNoWorkerTakes(store: Store, pending: Map<string, number>, live: WorkerInfo[]): Promise<Due[]> {
  const out: Due[] = [];
  for (const [queue, n] of [...pending].sort(([a], [b]) => a.localeCompare(b))) {
    if (live.some((w) => w.queues === null || w.queues.includes(queue))) continue;
    const scheduled = await store.countJobs({ status: ['pending'], queue, scheduled: true });
    const due = n - Math.min(n, scheduled);
    if (due > 0) out.push({ name: queue, due });
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
  return dueText(await queuesNoWorkerTakes(store, pendingOutside(counts, new Set(control.paused_queues.map((p) => p.queue))), []));
}

/** What holds due jobs that a free slot would not start: breakers, and their services' own limits. */
interface Holds {
  breakers: BreakerHold[];
  limits: LimitHold[];
}

async function holdsOf(ctx: Pick<ApiContext, 'store' | 'registry' | 'words'>, outside: ReadonlySet<string>, now: number, counted: ReadonlySet<string> = new Set()): Promise<Holds> {
  const breakers = await breakerHolds(ctx, outside, now, counted);
  // A service its breaker holds is counted there once.
  const limits = await limitHolds(ctx, outside, new Set([...counted, ...breakers.map((b) => b.service)]));
  return { breakers, limits };
}

/** Each hold in words: the breakers together (`list`: where they are listed), then each service its own limits hold. */
function holdTexts(holds: Holds, list: string): string[] {
  return [...(holds.breakers.length > 0 ? [heldText(holds.breakers, list)] : []), ...holds.limits.map((h) => h.text)];
}

/**
 * The dispatch check when every due job has a worker that takes it. Jobs a breaker or their service's own
 * limits hold are counted apart: a free slot would not start them. Due jobs waiting while every worker
 * taking their queue is at its --concurrency is a warning: dispatch works, yet they wait for a slot, and
 * only `opsdeck workers` showed it.
 */
async function servedCheck(due: string, dueCount: number, holds: Holds, busy: (held: Array<{ service: string }>) => Promise<string[]>, live: number, words: InterfaceWords): Promise<HealthCheck> {
  const all = [...holds.breakers, ...holds.limits];
  const held = all.reduce((n, h) => n + h.jobs, 0);
  const free = Math.max(0, dueCount - held);
  const full = free > 0 ? await busy(all) : [];
  if (all.length === 0 && full.length === 0) return { name: 'dispatch', ok: true, detail: `${due} job(s) due, ${live} live worker(s) taking them` };
  const parts = holdTexts(holds, words.call('breakers.list'));
  if (full.length > 0) parts.push(`waiting for a free slot: ${full.join('; ')}; ${moreCapacity(words)}`);
  else if (free > 0) parts.push(`${countText(free)} to the ${live} live worker(s) taking them`);
  return { name: 'dispatch', ok: true, warning: true, detail: `${due} job(s) due: ${parts.join('; ')}` };
}

/**
 * Whether the jobs that are due get dispatched at all. Jobs waiting with no worker running to take
 * them (or every worker held by safe mode or the emergency stop) is the first symptom a runbook looks
 * for, "jobs stuck in pending", and must not read healthy. Every cause is named at once, each with what
 * lifts it: an operator who fixes one must not find the next only then. Paused queues wait on purpose and
 * are left out; a worker limited to some queues serves only those.
 */
export async function dispatchCheck(ctx: Pick<ApiContext, 'store' | 'registry' | 'words'>, workers: WorkerInfo[], now = Date.now()): Promise<HealthCheck> {
  const { store } = ctx;
  const oldest = await store.oldestPendingRunAt();
  if (oldest === null || Date.parse(oldest) > now) return { name: 'dispatch', ok: true, detail: 'no job is waiting to run' };
  const [counts, control] = await Promise.all([store.countsByQueueAndStatus(), store.getControl()]);
  const paused = new Set(control.paused_queues.map((p) => p.queue));
  const pending = pendingOutside(counts, paused);
  const waiting = [...pending.values()].reduce((a, b) => a + b, 0);
  if (waiting === 0) return { name: 'dispatch', ok: true, detail: 'the only waiting jobs are in paused queues' };
  // A held worker takes its queues again once released: what holds it is the cause, not its queues.
  const live = workers.filter((w) => !w.lost && (w.state === 'running' || w.state === 'held'));
  const causes = controlReasons(control, [], ctx.words.release);
  const unserved = await queuesNoWorkerTakes(store, pending, live);
  if (unserved.length > 0) {
    causes.push(
      live.length === 0
        ? `no worker is running to take ${named('queue', dueText(unserved))}: start one with ${ctx.words.startWorker()}`
        : `no live worker takes ${named('queue', dueText(unserved))}: start one that does with ${ctx.words.startWorker()}`,
    );
  }
  const counted = new Set([...paused, ...unserved.map((q) => q.name)]);
  const unrun = await servicesNoWorkerRuns(store, live, counted);
  if (unrun.length > 0) {
    causes.push(`no live worker's registry has ${named('service', dueText(unrun))}: start a worker whose registry names it, or add it to the workers' registry`);
  }
  const declined = await servicesAllDecline(ctx, live, counted, new Set(unrun.map((u) => u.name)));
  for (const d of declined) causes.push(d.why);
  const scheduledAll = await store.scheduledCount(SCHEDULED_CAP + 1);
  const dueCount = Math.max(0, waiting - Math.min(scheduledAll, SCHEDULED_CAP));
  const due = scheduledAll > SCHEDULED_CAP ? `${countText(dueCount)}+` : countText(dueCount);
  if (causes.length === 0) return servedCheck(due, dueCount, await holdsOf(ctx, paused, now), (held) => busyQueues(store, pending, live, held), live.length, ctx.words);
  const holds = holdTexts(await holdsOf(ctx, paused, now, new Set([...unrun, ...declined].map((u) => u.name))), ctx.words.call('breakers.list'));
  // Counted apart here too, as a part of the due jobs named above (in a queue no worker takes, too): a
  // worker started for them would not take the jobs a breaker or their service's limits hold.
  if (holds.length > 0) causes.push(`of the due jobs, ${holds.join('; ')}`);
  // While dispatch is held every due job waits; otherwise only some do, and the causes count their own.
  const held = control.emergency_stop.engaged || control.safe_mode.engaged;
  const head = held ? `${due} job(s) due and not dispatched` : 'jobs are due and not dispatched';
  return { name: 'dispatch', ok: false, detail: `${head}: ${causes.join('; ')}; the oldest due since ${since(oldest, now)}` };
}
