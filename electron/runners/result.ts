import { isPlainObject } from '../../shared/domain.ts';
import type { JsonObject, ResourceUsage } from '../../shared/domain.ts';
import type { AbortReason, RunError, RunResult } from './runner.ts';

export interface ResultExtras {
  output_tail?: string;
  resource_usage?: ResourceUsage;
  security_context?: JsonObject;
}

export function success(extras: ResultExtras = {}): RunResult {
  return {
    ok: true,
    output_tail: extras.output_tail ?? '',
    resource_usage: extras.resource_usage ?? {},
    security_context: extras.security_context ?? {},
  };
}

export function failure(error: RunError, extras: ResultExtras = {}): RunResult {
  return { ...success(extras), ok: false, error };
}

export function isAbortReason(value: unknown): value is AbortReason {
  return value === 'interrupt' || value === 'timeout' || value === 'cancel';
}

/** The reason a signal fired with; anything unexpected counts as an interruption (the job goes back). */
export function abortReason(signal: AbortSignal): AbortReason {
  const reason: unknown = signal.reason;
  return isAbortReason(reason) ? reason : 'interrupt';
}

/** The error that goes with an abort, so a result is complete even where the engine does not look. */
export function abortError(reason: AbortReason, timeoutSeconds: number): RunError {
  switch (reason) {
    case 'timeout':
      return { message: `timed out after ${timeoutSeconds}s`, error_class: 'timeout', retryable: true };
    case 'cancel':
      return { message: 'cancelled by an operator', error_class: 'cancelled', retryable: false };
    case 'interrupt':
      return { message: 'interrupted', error_class: 'interrupted', retryable: true };
  }
}

export function aborted(reason: AbortReason, timeoutSeconds: number, extras: ResultExtras = {}): RunResult {
  return { ...failure(abortError(reason, timeoutSeconds), extras), aborted: reason };
}

export function configError(message: string, extras: ResultExtras = {}): RunResult {
  return failure({ message, error_class: 'config', retryable: false }, extras);
}

/**
 * Variables the service names are not set in the worker's environment. Named, never their values; the fix
 * is where the workers run (their unit file, their shell), and a worker reads its environment as it starts.
 */
export function unsetVariables(names: readonly string[], extras: ResultExtras = {}): RunResult {
  const listed = names.join(', ');
  const what = names.length === 1 ? `environment variable ${listed} is not set` : `environment variables ${listed} are not set`;
  return configError(`${what} on this worker: set ${names.length === 1 ? 'it' : 'them'} where the workers run, then restart them`, extras);
}

/** The service's runner_config when the service is of the expected kind. */
export function wrongKind(expected: string, actual: string): RunResult {
  return configError(`the ${expected} runner was given a ${actual} service`);
}

/**
 * The request's signal, plus the attempt's own deadline as a backstop: a runner stops at timeoutSeconds
 * even when its caller set no timer. The deadline aborts with reason 'timeout'.
 */
export function attemptSignal(signal: AbortSignal, timeoutSeconds: number): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(abortReason(signal));
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  const ms = Math.min(Math.max(0, timeoutSeconds * 1000), 2_147_483_647);
  const timer = setTimeout(() => controller.abort('timeout'), ms);
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * The payload as an object, or null when it is something else (a string, a list, nothing). The object
 * itself, not a copy: runners only read it, and it is read for every job.
 */
export function payloadObject(payload: unknown): Record<string, unknown> | null {
  return isPlainObject(payload) ? payload : null;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    // A thrown object that cannot be made a string (no prototype, a toString that throws) still fails as its own kind of thing.
    return Object.prototype.toString.call(error);
  }
}

export function elapsed(startedAt: bigint): number {
  return Math.round(Number(process.hrtime.bigint() - startedAt) / 1e5) / 10;
}
