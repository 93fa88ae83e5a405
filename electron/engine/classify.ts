import type { ServiceConfig } from '../../shared/registry.ts';
import { effectiveRetry } from '../../shared/registry.ts';
import type { RunError, RunResult } from '../runners/runner.ts';
import type { ClaimedJob, JobError, Settlement } from '../store/store.ts';
import type { RandomSource } from './backoff.ts';
import { backoffDelayMs } from './backoff.ts';
import { cannotRunHere } from './cannotRunHere.ts';
import { fingerprint } from './fingerprint.ts';

/**
 * How many times a job may be stopped by its worker losing the store (its lease unconfirmed) with the attempt
 * given back; each one past these spends an attempt, so the job reaches the dead-letter queue after at most
 * this many plus its max_attempts. Five lets a job ride out the few outages a long run may meet (a failover,
 * a restart, a network blip: each stops every job of the worker once), while a store that keeps going away,
 * or a job whose own load keeps its worker's lease extensions from being answered in time, cannot have it
 * run and stop for ever.
 */
export const FREE_LEASE_INTERRUPTIONS = 5;

export interface ClassifyInput {
  job: Pick<ClaimedJob, 'id' | 'attempt_id' | 'attempt' | 'max_attempts' | 'service_name' | 'interruptions'>;
  result: RunResult;
  /** Undefined when this worker's registry lacks the service: no retry policy to follow, so no retry. */
  service: ServiceConfig | undefined;
  workerId: string;
  now: Date;
  /**
   * Why an 'interrupt' abort happened. The service's on_interrupt only applies to an emergency stop; a
   * shutdown always hands the job back, since the job did nothing wrong.
   */
  interruptCause?: 'emergency_stop' | 'shutdown' | 'lease_lost' | 'store_unreachable';
  /** With interruptCause store_unreachable: how long the store had not confirmed the lease when the job was stopped. */
  unreachedForMs?: number;
  /**
   * How long the attempt ran (Running.runMs): the store dates the run's start by it, not at the claim, for a
   * job claimed ahead waited for a slot first. Null, or absent, for one that never started.
   */
  runMs?: number | null;
  random?: RandomSource;
}

function jobError(error: RunError, service: string): JobError {
  return {
    message: error.message,
    error_class: error.error_class,
    fingerprint: fingerprint(error.message, service, error.error_class),
  };
}

/** Stopped before its runner started, or its runner met what this machine lacks before anything ran: no run. */
function didRun(result: RunResult): boolean {
  return result.unstarted !== true && result.lacksHere !== true;
}

function settlementBase({ job, result, workerId, runMs }: ClassifyInput) {
  return {
    jobId: job.id,
    attemptId: job.attempt_id,
    workerId,
    output_tail: result.output_tail,
    resource_usage: result.resource_usage,
    security_context: result.security_context,
    // A run that never started says nothing of how long it ran, whatever it was handed.
    ...(didRun(result) && typeof runMs === 'number' ? { run_ms: runMs } : {}),
  };
}

/** Turns how a run ended into what the store records: the attempt's outcome and the job's next state. */
export function classify(input: ClassifyInput): Settlement {
  const { job, result, service, now } = input;
  const base = settlementBase(input);
  if (result.ok) return { ...base, kind: 'completed' };

  const ran = didRun(result);
  if (result.aborted === 'cancel') return { ...base, kind: 'cancelled', reason: 'cancelled by an operator', ran };
  if (result.aborted === 'interrupt') {
    const cause = input.interruptCause ?? 'emergency_stop';
    // Nothing ran, so nothing fails, whatever on_interrupt says.
    if (cause === 'emergency_stop' && service?.on_interrupt === 'fail' && ran) {
      const error = { message: 'interrupted by the emergency stop', error_class: 'interrupted', retryable: false };
      return { ...base, kind: 'failed', outcome: 'failed', error: jobError(error, job.service_name) };
    }
    if (cause === 'store_unreachable') {
      // Settled once the store answers again, maybe long after: the attempt ended now, not then.
      const unreached = { ...base, ended_at: now.toISOString() };
      if (!ran) return { ...unreached, kind: 'interrupted', reason: unreachedReason(input.unreachedForMs ?? 0), ran };
      if (job.interruptions < FREE_LEASE_INTERRUPTIONS) {
        return { ...unreached, kind: 'interrupted', reason: unreachedReason(input.unreachedForMs ?? 0), ran, lease_unconfirmed: true };
      }
      const error = { message: tooOftenUnreached(job.interruptions + 1, input.unreachedForMs ?? 0), error_class: 'lease_unconfirmed', retryable: true };
      return { ...spent(input, error, 'failed', now), ended_at: unreached.ended_at, lease_unconfirmed: true };
    }
    const reason = cause === 'emergency_stop' ? 'emergency stop' : cause === 'shutdown' ? 'worker shutdown' : 'lease lost';
    return { ...base, kind: 'interrupted', reason, ran };
  }
  // No fault of the job's, and no attempt of it: it goes back for a worker that has what this one lacks,
  // as a job this worker leaves out of its claims does, rather than spend its retries here.
  // Nothing ran: no output, usage or duration of it is kept, as for any hand-back.
  if (result.lacksHere === true) {
    const { jobId, attemptId, workerId } = base;
    return { jobId, attemptId, workerId, kind: 'interrupted', reason: cannotRunHere(job.service_name, result.error?.message), ran: false };
  }

  const timedOut = result.aborted === 'timeout';
  const error: RunError =
    result.error ??
    (timedOut
      ? { message: 'the attempt exceeded its timeout', error_class: 'timeout', retryable: true }
      : { message: 'the runner reported a failure without an error', error_class: 'runner', retryable: true });
  return spent(input, error, timedOut ? 'timed_out' : 'failed', now);
}

/** The attempt failed and is spent: tried again after the backoff while attempts are left and it is worth it. */
function spent(input: ClassifyInput, error: RunError, outcome: 'failed' | 'timed_out', now: Date): Settlement {
  const { job, service } = input;
  const base = settlementBase(input);
  const err = jobError(error, job.service_name);
  if (!error.retryable || job.attempt >= job.max_attempts || !service) return { ...base, kind: 'failed', outcome, error: err };
  const delay = backoffDelayMs(effectiveRetry(service), job.attempt, error.retry_after_ms, input.random);
  return { ...base, kind: 'retry', outcome, error: err, run_at: new Date(now.getTime() + delay).toISOString() };
}

/**
 * Why a job its own worker stopped went back to pending: the worker could not reach the store, not the
 * job's fault, nor a worker that stopped answering (it still ran, and says so here).
 */
export function unreachedReason(unreachedForMs: number): string {
  return `its worker lost the store (no lease extension confirmed for ${Math.round(unreachedForMs / 1000)} s) and stopped it before its lease ran out; back to pending, attempt not spent`;
}

/** Why a job its worker stopped once too often for losing the store spends this attempt. */
export function tooOftenUnreached(interruptions: number, unreachedForMs: number): string {
  return `its worker lost the store (no lease extension confirmed for ${Math.round(unreachedForMs / 1000)} s) and stopped it: interrupted ${interruptions} times by lost leases or store outages, and past ${FREE_LEASE_INTERRUPTIONS} each one spends an attempt`;
}

/** What one attempt tells its service's breaker: null, nothing to count. */
export type BreakerVerdict = 'success' | 'failure' | null;

/**
 * What a settlement tells the service's breaker, which guards against an unhealthy upstream. A failure
 * that is the caller's fault says nothing about the service's health and must not hold every other job
 * of the service: its payload broke the allowlist, the registry or the worker is set up wrong, a 4xx
 * other than 408 and 429, and any failure its runner called not worth another try ("invalid payload",
 * a handled function error, an image that does not exist). Timeouts, refused connections, TLS errors,
 * 5xx, 408 and 429 count even when they are not retried (a POST that timed out, a Retry-After too long
 * to wait), and so does every failure worth a retry. Interruptions and cancellations are the operator's
 * doing. `result` is the run's own word on whether another try might pass.
 */
export function breakerOutcome(settlement: Settlement, result: Pick<RunResult, 'error'>): BreakerVerdict {
  if (settlement.kind === 'completed') return 'success';
  if (settlement.kind === 'interrupted' || settlement.kind === 'cancelled') return null;
  const cls = settlement.error.error_class;
  if (CALLER_FAULT_CLASSES.has(cls)) return null;
  const http = /^http_(\d{3})$/.exec(cls);
  if (http?.[1]) {
    const status = Number(http[1]);
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) return null;
  }
  // No error from the runner: the engine's own, a timeout or a runner that failed, both worth a retry.
  if (result.error?.retryable === false && !UPSTREAM_CLASSES.has(cls) && !SERVER_ERROR.test(cls)) return null;
  return 'failure';
}

/** Also the store's own faults: a lease it did not confirm says nothing of the service. */
const CALLER_FAULT_CLASSES = new Set(['allowlist', 'config', 'interrupted', 'validation', 'payload', 'lease_unconfirmed']);
/** Classes that speak of the upstream even when the runner would not try again. */
const UPSTREAM_CLASSES = new Set(['timeout', 'connection', 'tls', 'rate_limited']);
/** An upstream's own failure (HTTP, Docker or Lambda 5xx), whatever the runner thinks of trying again. */
const SERVER_ERROR = /^(?:http|docker|lambda)_5\d\d$/;
