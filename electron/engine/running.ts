import type { ServiceConfig } from '../../shared/registry.ts';
import type { ClaimedJob } from '../store/store.ts';
import type { BreakerVerdict, ClassifyInput } from './classify.ts';

export type InterruptCause = NonNullable<ClassifyInput['interruptCause']>;

/** One claimed job as the dispatcher tracks it, from the claim until its settlement is written. */
export interface Running {
  job: ClaimedJob;
  /**
   * Its settings: the registry's at the claim until it starts or ends unstarted, then the registry's in use
   * then (dispatcher.ts); none when that registry does not name its service.
   */
  service: ServiceConfig | undefined;
  /** When it started (its claim until then), by the wall clock: what the console and the CLI show. */
  startedAt: Date;
  /**
   * The same moment on a steady clock (performance.now()), which no step of the wall clock moves (NTP, a
   * resume from sleep): how long the attempt ran is read on it (ranFor), never as a difference of wall times.
   */
  startedSteady: number;
  /** When the attempt times out, in epoch ms: Infinity until it starts. */
  deadline: number;
  /**
   * Until when the job is surely leased to this worker, in epoch ms: a lease length after this worker
   * sent the claim or the last extension the store confirmed (the store starts the lease on receiving
   * the call, never before it was sent).
   */
  leaseUntil: number;
  controller: AbortController;
  cause: InterruptCause | null;
  /** Another worker took the job back: the result is dropped, never settled. */
  leaseLost: boolean;
  /**
   * This worker stopped the job itself because the store stopped confirming its lease (stopUnreached): how
   * long the store had gone unconfirmed then, in ms. Its result is settled once the store answers again.
   */
  unreachedForMs: number | null;
  probe: boolean;
  /** What its attempt tells the service's breaker once its settlement lands (breakerOutcome). */
  breakerVerdict: BreakerVerdict;
  /** How long the attempt ran, once it has; null for a job handed back before it started. */
  runMs: number | null;
}

export function newRunning(job: ClaimedJob, service: ServiceConfig | undefined, now: Date, leaseUntil: number): Running {
  return {
    job,
    service,
    startedAt: now,
    startedSteady: performance.now(),
    deadline: Infinity,
    leaseUntil,
    controller: new AbortController(),
    cause: null,
    leaseLost: false,
    unreachedForMs: null,
    probe: false,
    breakerVerdict: null,
    runMs: null,
  };
}

/** Its program starts now. */
export function markStarted(running: Running): void {
  running.startedAt = new Date();
  running.startedSteady = performance.now();
}

/** How long it has run since markStarted, in ms, on the steady clock: never negative, whatever the wall clock did. */
export function ranFor(running: Running): number {
  return performance.now() - running.startedSteady;
}

/**
 * The job is, or may soon be, another worker's: its attempt is stopped and its result will be dropped,
 * so it never runs on two workers at once nor is settled twice.
 */
export function giveUpLease(running: Running): void {
  running.leaseLost = true;
  if (running.controller.signal.aborted) return;
  running.cause = 'lease_lost';
  running.controller.abort('interrupt');
}

/**
 * This worker cannot reach the store to confirm the job's lease, and stops the job before the lease runs
 * out. Unlike giveUpLease it knows why the attempt ended: its result, interrupted, is settled once the
 * store answers again, giving the attempt back (the settle is fenced: it lands nothing if the job was
 * taken meanwhile). `lastConfirmed`: when the last extension the store confirmed was sent, in epoch ms.
 */
export function stopUnreached(running: Running, lastConfirmed: number, now: number): void {
  if (running.controller.signal.aborted) return;
  running.cause = 'store_unreachable';
  running.unreachedForMs = Math.max(0, now - lastConfirmed);
  running.controller.abort('interrupt');
}
