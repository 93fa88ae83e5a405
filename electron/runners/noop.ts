import type { ServiceConfig } from '../../shared/registry.ts';
import { aborted, abortReason, attemptSignal, elapsed, failure, payloadObject, success, wrongKind } from './result.ts';
import type { HealthResult, Runner, RunRequest, RunResult } from './runner.ts';

export type RandomSource = () => number;

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Sleeps, then succeeds or fails as asked: for offline demos, tests and benchmarks. The payload may
 * override the service (`sleep_ms`, `fail`, `fail_message`, `fail_retryable`) so one service can show
 * several distinct failures.
 */
export class NoopRunner implements Runner {
  readonly kind = 'noop';
  readonly #random: RandomSource;

  constructor(opts: { random?: RandomSource } = {}) {
    this.#random = opts.random ?? Math.random;
  }

  async run(request: RunRequest): Promise<RunResult> {
    const { service } = request;
    if (service.execution_type !== 'noop') return wrongKind('noop', service.execution_type);
    const config = service.runner_config;
    const payload = payloadObject(request.payload) ?? {};
    const sleepMs = nonNegative(payload.sleep_ms) ?? config.sleep_ms;
    const started = process.hrtime.bigint();
    // Nothing to wait for, nothing to time out: no deadline to set up (the benchmarks run this path).
    const stoppedBy = sleepMs > 0 ? await this.#sleep(sleepMs, request) : request.signal.aborted ? request.signal : null;
    const usage = { duration_ms: elapsed(started) };
    if (stoppedBy) return aborted(abortReason(stoppedBy), request.timeoutSeconds, { resource_usage: usage });
    const forced = typeof payload.fail === 'boolean' ? payload.fail : config.fail;
    const fails = forced || (config.fail_rate > 0 && this.#random() < config.fail_rate);
    if (!fails) return success({ output_tail: `slept ${sleepMs} ms`, resource_usage: usage });
    const message = typeof payload.fail_message === 'string' ? payload.fail_message : config.fail_message;
    const retryable = typeof payload.fail_retryable === 'boolean' ? payload.fail_retryable : config.fail_retryable;
    return failure({ message, error_class: 'noop', retryable }, { output_tail: message, resource_usage: usage });
  }

  /** Sleeps under the attempt's deadline; the signal that cut it short, or null when it ran its course. */
  async #sleep(ms: number, request: RunRequest): Promise<AbortSignal | null> {
    const deadline = attemptSignal(request.signal, request.timeoutSeconds);
    try {
      return (await sleep(ms, deadline.signal)) ? null : deadline.signal;
    } finally {
      deadline.dispose();
    }
  }

  async probe(_services: ServiceConfig[]): Promise<HealthResult> {
    return { ok: true, detail: 'built in' };
  }
}

function nonNegative(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
