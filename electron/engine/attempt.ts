import type { ExecutionType } from '../../shared/domain.ts';
import { effectiveTimeout } from '../../shared/registry.ts';
import type { AbortReason, Runner, RunResult } from '../runners/runner.ts';
import type { Running } from './running.ts';

/**
 * How often running attempts are held against their deadlines. Every built-in runner stops at its own
 * deadline to the millisecond (attemptSignal); this sweep is the backstop for one that does not. One pass
 * over the running few is cheaper than a timer set and cleared for every attempt, which on short jobs is
 * a measurable share of the engine's time (bench/README.md).
 */
const DEADLINE_SWEEP_MS = 250;

const ABORT_REASONS: ReadonlySet<unknown> = new Set<AbortReason>(['interrupt', 'timeout', 'cancel']);
const isAbortReason = (value: unknown): value is AbortReason => ABORT_REASONS.has(value);

/**
 * Runs one attempt with its service's runner under the service's timeout, and says how it ended. Never
 * throws: a service missing from the registry or a runner missing is a configuration failure, a runner that
 * throws is a retryable one, and an abort (timeout, cancel, interrupt) is reported as such even when the
 * runner did not say so itself.
 */
export async function runAttempt(running: Running, runners: Map<ExecutionType, Runner>, env: Record<string, string | undefined>): Promise<RunResult> {
  const { job, service, controller } = running;
  // The dispatcher hands such jobs back unrun (foreignServices.ts): one here has nowhere to go.
  if (!service) return refused(`service ${job.service_name} is not in this worker's registry`);
  const runner = runners.get(service.execution_type);
  if (!runner) return refused(`no runner for execution type ${service.execution_type} (service ${service.name})`);
  if (controller.signal.aborted) return abortedBeforeStart(controller.signal.reason);
  const timeoutSeconds = effectiveTimeout(service);
  running.deadline = Date.now() + timeoutSeconds * 1000;
  try {
    const result = await runner.run({
      jobId: job.id,
      identifier: job.identifier,
      attempt: job.attempt,
      payload: job.payload,
      service,
      timeoutSeconds,
      signal: controller.signal,
      env,
    });
    const reason: unknown = controller.signal.reason;
    if (!result.ok && result.aborted === undefined && controller.signal.aborted && isAbortReason(reason)) {
      return { ...result, aborted: reason };
    }
    return result;
  } catch (error) {
    const reason: unknown = controller.signal.reason;
    return {
      ok: false,
      error: {
        message: `the ${service.execution_type} runner failed: ${error instanceof Error ? error.message : String(error)}`,
        error_class: 'runner',
        retryable: true,
      },
      ...(controller.signal.aborted && isAbortReason(reason) ? { aborted: reason } : {}),
      output_tail: '',
      resource_usage: {},
      security_context: {},
    };
  }
}

function refused(msg: string): RunResult {
  return {
    ok: false,
    error: { message: msg, error_class: 'config', retryable: false },
    output_tail: '',
    resource_usage: {},
    security_context: {},
  };
}

function abortedBeforeStart(reason: unknown): RunResult {
  return {
    ok: false,
    aborted: isAbortReason(reason) ? reason : 'interrupt',
    unstarted: true,
    output_tail: '',
    resource_usage: {},
    security_context: {},
  };
}

/** Aborts every attempt past its deadline, one sweep every DEADLINE_SWEEP_MS, until the returned stop is called. */
export function sweepDeadlines(attempts: () => Iterable<Running>): () => void {
  const timer = setInterval(() => {
    const now = Date.now();
    for (const running of attempts()) {
      if (running.deadline <= now && !running.controller.signal.aborted) running.controller.abort('timeout');
    }
  }, DEADLINE_SWEEP_MS).unref();
  return () => clearInterval(timer);
}
