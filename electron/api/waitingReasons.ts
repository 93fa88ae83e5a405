import type { BreakerRecord, ControlState, Job, WorkerInfo } from '../../shared/domain.ts';
import { budgetText, type RateLimitView } from '../../shared/rateLimitTuning.ts';
import { timeToCome } from '../../shared/timesInText.ts';

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
  /** The job's last attempt was handed back by a worker whose registry lacks its service. */
  handedBackForService: boolean;
}

/** The budget holding a service's jobs, in words; a run-time tuning says who set it and how to undo it. */
export function rateLimitReason(use: RateLimitView | undefined): string | null {
  if (!use?.waiting_reason) return null;
  if (!use.tuning) return use.waiting_reason;
  const service = use.service_name;
  return `${use.waiting_reason}, as set at run time by ${use.tuning.set_by} (opsdeck rate-limit tune ${service} --defaults goes back to the registry's: ${budgetText(use.registry)})`;
}

const by = (who: string | null, reason: string | null) => `${who ? ` by ${who}` : ''}${reason ? `: ${reason}` : ''}`;

/**
 * What the control plane holds back now of jobs in `queues`, each with what lifts it: the emergency stop,
 * safe mode, and those of the queues that are paused.
 */
export function controlReasons(control: ControlState, queues: readonly string[]): string[] {
  const reasons: string[] = [];
  if (control.emergency_stop.engaged) {
    reasons.push(`the emergency stop is engaged${by(control.emergency_stop.by, control.emergency_stop.reason)} (opsdeck resume releases it)`);
  }
  if (control.safe_mode.engaged) reasons.push(`safe mode is on${by(control.safe_mode.by, control.safe_mode.reason)} (opsdeck safe-mode off)`);
  for (const paused of control.paused_queues) {
    if (queues.includes(paused.queue)) reasons.push(`queue ${paused.queue} is paused${by(paused.by, paused.reason)} (opsdeck unpause ${paused.queue})`);
  }
  return reasons;
}

/**
 * Why a pending job is not starting, each reason with what lifts it, in the order an operator would look:
 * not due yet, the control plane, its queue, its breaker, its rate limit, the workers. Empty when nothing
 * holds it: the next worker with a free slot takes it.
 */
export function waitingReasons(facts: WaitingFacts): string[] {
  const { job, now, control } = facts;
  if (job.status !== 'pending') return [];
  const reasons: string[] = [];
  if (Date.parse(job.run_at) > now.getTime()) {
    const due = timeToCome(job.run_at, now);
    reasons.push(job.attempts > 0 ? `a retry, waiting out its backoff until ${due}` : `scheduled for ${due}`);
  }
  reasons.push(...controlReasons(control, [job.queue]));
  const breaker = facts.breaker;
  if (breaker && facts.breakerAllowance === 0) {
    const service = job.service_name;
    if (breaker.mode === 'force_open') reasons.push(`the circuit breaker of ${service} is forced open (opsdeck breaker reset ${service})`);
    else if (breaker.state === 'half_open') reasons.push(`the circuit breaker of ${service} is half-open: its probes run first, the rest wait for their verdict`);
    else reasons.push(`the circuit breaker of ${service} is open: jobs wait for its recovery timeout, then a probe tries (opsdeck breaker reset ${service} closes it now)`);
  }
  if (facts.rateLimited) reasons.push(facts.rateLimited);
  const fleet = workerReasons(job.queue, job.service_name, facts.workers);
  // The fleet's own word that none of its workers runs the service says more than one hand-back does.
  const fleetLacksIt = noTakerRuns(job.queue, job.service_name, facts.workers);
  if (!fleetLacksIt && facts.handedBackForService) {
    reasons.push(`a worker whose registry lacks service ${job.service_name} handed it back: it waits for a worker whose registry has it`);
  } else if (!fleetLacksIt && facts.serviceKnownHere === false) {
    reasons.push(`service ${job.service_name} is not in the registry loaded here: only a worker whose registry has it runs it`);
  }
  reasons.push(...fleet);
  return reasons;
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

function workerReasons(queue: string, service: string, workers: WorkerInfo[]): string[] {
  const live = workers.filter((w) => !w.lost && w.state !== 'stopped');
  if (live.length === 0) return ['no worker is running (start one: opsdeck worker)'];
  if (live.every((w) => w.state === 'draining')) return ['every worker is draining to stop: none takes new jobs (start one: opsdeck worker)'];
  if (takers(queue, workers).length === 0) return [`no running worker takes queue ${queue} (each was started with --queues naming others)`];
  if (noTakerRuns(queue, service, workers)) {
    return [`no running worker's registry has service ${service}: start a worker whose registry names it, or add it to the workers' registry`];
  }
  return [];
}
