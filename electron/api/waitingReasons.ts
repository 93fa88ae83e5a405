import type { BreakerRecord, ControlState, Job, WorkerInfo } from '../../shared/domain.ts';
import { budgetText, type RateLimitView } from '../../shared/rateLimitTuning.ts';
import { timeToCome } from '../../shared/timesInText.ts';
import { lackingReason } from './fleetLacks.ts';
import type { InterfaceWords } from './interfaceWords.ts';

export interface WaitingFacts {
  job: Pick<Job, 'status' | 'queue' | 'service_name' | 'run_at' | 'attempts'>;
  now: Date;
  control: ControlState;
  breaker: BreakerRecord | null;
  /** How many more of the service's jobs its breaker lets start now (breakerMachine.dispatchAllowance). */
  breakerAllowance: number;
  /** The service's rate limit, max_concurrent or upstream pause holding it, in words (rateUse.ts). */
  rateLimited: string | null;
  workers: WorkerInfo[];
  /** Whether the registry loaded here has the job's service; null when none is loaded. */
  serviceKnownHere: boolean | null;
  /** The registry's `concurrency:` of the service (a cap across every worker) and how many of it run now; null when it has none. */
  serviceCap: { limit: number; running: number } | null;
  /** What to do next, in the words of the interface that asked: lifting a hold, resetting a breaker, listing or starting workers. */
  words: InterfaceWords;
}

/** The slots of the live workers able to take a job, when every one of them is busy: their heartbeats' counts. */
export interface FullFleet {
  inFlight: number;
  slots: number;
  workers: number;
}

/**
 * Whether every running worker that takes `queue` (and whose registry has `service`, when one is named)
 * is at its --concurrency, by the in-flight counts of their heartbeats: then a due job waits for a slot
 * though nothing else holds it. Null while one has a free slot, or none takes the queue (said elsewhere).
 * A held worker is left out: what holds it is the reason, not its slots.
 */
export function fullFleet(queue: string, service: string | null, workers: WorkerInfo[]): FullFleet | null {
  const able = takers(queue, workers).filter((w) => w.state === 'running' && (service === null || w.services === null || w.services.includes(service)));
  if (able.length === 0 || able.some((w) => w.in_flight < w.concurrency)) return null;
  return { inFlight: able.reduce((n, w) => n + w.in_flight, 0), slots: able.reduce((n, w) => n + w.concurrency, 0), workers: able.length };
}

/** `every live worker taking queue default is busy (4 of 4 slots, 1 worker)`: the fleet a due job waits on. */
export function busyText(queue: string, full: FullFleet): string {
  return `every live worker taking queue ${queue} is busy (${full.inFlight} of ${full.slots} slots, ${full.workers} worker${full.workers === 1 ? '' : 's'})`;
}

/** How to add slots, in the interface's words: a worker's --concurrency is given when it starts, so more capacity is another worker or a restart. */
export function moreCapacity(words: Pick<InterfaceWords, 'moreCapacity'>): string {
  return `more capacity: ${words.moreCapacity()}`;
}

/** The budget holding a service's jobs, in words; a run-time tuning says who set it and how to undo it, in the interface's words. */
export function rateLimitReason(use: RateLimitView | undefined, words: Pick<InterfaceWords, 'rateLimitDefaults'>): string | null {
  if (!use?.waiting_reason) return null;
  if (!use.tuning) return use.waiting_reason;
  return `${use.waiting_reason}, as set at run time by ${use.tuning.set_by} (${words.rateLimitDefaults(use.service_name, budgetText(use.registry))})`;
}

/** A service at the registry's `concurrency:`, a cap across every worker: what a job's waiting reason and the dispatch check say. */
export function capReason(service: string, cap: { limit: number; running: number }): string {
  return `service ${service} runs its concurrency of ${cap.limit} (${cap.running} running on every worker together, the registry's concurrency: ${cap.limit})`;
}

const by = (who: string | null, reason: string | null) => `${who ? ` by ${who}` : ''}${reason ? `: ${reason}` : ''}`;

/**
 * What the control plane holds back now of jobs in `queues`, each with what lifts it in the words of the
 * interface that asked (`release`): the emergency stop, safe mode, and those of the queues that are paused.
 */
export function controlReasons(control: ControlState, queues: readonly string[], release: InterfaceWords['release']): string[] {
  const reasons: string[] = [];
  if (control.emergency_stop.engaged) {
    reasons.push(`the emergency stop is engaged${by(control.emergency_stop.by, control.emergency_stop.reason)} (${release({ kind: 'emergency_stop' })})`);
  }
  if (control.safe_mode.engaged) reasons.push(`safe mode is on${by(control.safe_mode.by, control.safe_mode.reason)} (${release({ kind: 'safe_mode' })})`);
  for (const paused of control.paused_queues) {
    if (queues.includes(paused.queue)) reasons.push(`queue ${paused.queue} is paused${by(paused.by, paused.reason)} (${release({ kind: 'paused_queue', queue: paused.queue })})`);
  }
  return reasons;
}

/**
 * Why a pending job is not starting, each reason with what lifts it, in the order an operator would look:
 * not due yet, the control plane, its queue, its breaker, its rate limit and concurrency, the workers, and
 * last their slots: every worker able to take it busy. Empty when nothing holds it: a worker takes it at
 * its next claim.
 */
export function waitingReasons(facts: WaitingFacts): string[] {
  const { job, now, control, words } = facts;
  if (job.status !== 'pending') return [];
  const reasons: string[] = [];
  if (Date.parse(job.run_at) > now.getTime()) {
    const due = timeToCome(job.run_at, now);
    reasons.push(job.attempts > 0 ? `a retry, waiting out its backoff until ${due}` : `scheduled for ${due}`);
  }
  reasons.push(...controlReasons(control, [job.queue], words.release));
  const breaker = facts.breaker;
  const breakerHolds = breaker !== null && facts.breakerAllowance === 0;
  if (breaker && breakerHolds) reasons.push(breakerReason(job.service_name, breaker, words.resetBreaker));
  if (facts.rateLimited) reasons.push(facts.rateLimited);
  const cap = facts.serviceCap;
  const capReached = cap !== null && cap.running >= cap.limit;
  if (cap && capReached) {
    reasons.push(`${capReason(job.service_name, cap)}: it waits for one of them to finish`);
  }
  const fleet = workerReasons(job.queue, job.service_name, facts.workers, words.startWorker());
  // The fleet's own word that none of its workers runs the service says more than one hand-back does.
  const fleetLacksIt = noTakerRuns(job.queue, job.service_name, facts.workers);
  if (!fleetLacksIt && facts.serviceKnownHere === false) {
    reasons.push(`service ${job.service_name} is not in the registry loaded here: only a worker whose registry has it runs it`);
  }
  reasons.push(...fleet);
  // A job not due yet waits for its time, not a slot; one no worker can take has no slot to wait for; one its
  // service's breaker, rate limit or concurrency holds would not start in a free slot either, so more
  // capacity would not move it.
  const heldByService = breakerHolds || facts.rateLimited !== null || capReached;
  const waitsForSlot = Date.parse(job.run_at) <= now.getTime() && fleet.length === 0 && !heldByService;
  const full = waitsForSlot ? fullFleet(job.queue, job.service_name, facts.workers) : null;
  if (full) reasons.push(`no free slot: ${busyText(job.queue, full)}, as ${words.call('workers.list')} shows; ${moreCapacity(words)}`);
  return reasons;
}

/**
 * A breaker holding a service's jobs: what it does with them, and how an operator lets them through (`reset`,
 * in the interface's words). Open, it lets a probe try once its recovery timeout has passed; half-open, its
 * probes run first and their verdict closes or opens it again.
 */
function breakerReason(service: string, breaker: BreakerRecord, reset: InterfaceWords['resetBreaker']): string {
  if (breaker.mode === 'force_open') return `the circuit breaker of ${service} is forced open (${reset(service)})`;
  if (breaker.state === 'half_open') return `the circuit breaker of ${service} is half-open: its probes run first, the rest wait for their verdict (${reset(service)} closes it now)`;
  return `the circuit breaker of ${service} is open: jobs wait for its recovery timeout, then a probe tries (${reset(service)} closes it now)`;
}

/**
 * The workers that take the queue: running, or held by the control plane, which takes jobs again once
 * released (the control reasons say what holds it and how to lift it).
 */
function takers(queue: string, workers: WorkerInfo[]): WorkerInfo[] {
  return workers.filter((w) => !w.lost && (w.state === 'running' || w.state === 'held') && (w.queues === null || w.queues.includes(queue)));
}

/** Some worker takes the queue, and every one of them declared a registry without the service. */
function noTakerRuns(queue: string, service: string, workers: WorkerInfo[]): boolean {
  const taking = takers(queue, workers);
  return taking.length > 0 && taking.every((w) => w.services !== null && !w.services.includes(service));
}

/**
 * Why no live worker takes a job of `service` on `queue`: none runs, all drain, none takes the queue, none's
 * registry has the service, or every one that would take it lacks what it needs (a variable, the Docker
 * daemon: their last checks); empty when one does. `start`: how a worker is started, in the
 * interface's words. The Runners page and `opsdeck runners` say the same of each service.
 */
export function workerReasons(queue: string, service: string, workers: WorkerInfo[], start: string): string[] {
  const live = workers.filter((w) => !w.lost && w.state !== 'stopped');
  if (live.length === 0) return [`no worker is running (start one: ${start})`];
  if (live.every((w) => w.state === 'draining')) return [`every worker is draining to stop: none takes new jobs (start one: ${start})`];
  if (takers(queue, workers).length === 0) return [`no running worker takes queue ${queue} (each was started with --queues naming others)`];
  if (noTakerRuns(queue, service, workers)) {
    return [`no running worker's registry has service ${service}: start a worker whose registry names it, or add it to the workers' registry`];
  }
  const lacking = lackingReason(queue, service, takers(queue, workers).filter((w) => w.services === null || w.services.includes(service)));
  return lacking === null ? [] : [lacking];
}
