import { SERVICES, serviceName, serviceType } from './shape.ts';
import type { HistoryEngine, HistoryType } from './shape.ts';

/**
 * How the history's jobs fail: each service in a few ways of its own, in its runner's words (runners/),
 * with the class the runner names and whether the engine tries again (classify.ts). A message holds
 * `{job}`, `{n}` and `{ip}` where each job's own values go (the job's number, a number of two digits, a
 * private address), which each dialect's SQL fills in the same way: they are the parts the engine's
 * fingerprint folds, so every job of one way of failing has one fingerprint, and a search for one job's
 * text finds that job alone.
 */
export interface FailureWay {
  errorClass: string;
  /** False where the runner says another try would fail the same: such a job is dead-lettered at its first failure. */
  retryable: boolean;
  message: string;
}

/** The ways a service of each type fails; `name` is the service's, as its host or function is named after it. */
function waysOf(type: HistoryType, svc: number): FailureWay[] {
  const host = `${serviceName(svc).replace('_', '-')}.internal`;
  const fn = `${serviceName(svc).replace('_', '-')}-handler`;
  switch (type) {
    case 'http':
      return [
        { errorClass: 'http_504', retryable: true, message: `HTTP 504 from POST https://${host}/v1/orders/{job}: Gateway Timeout` },
        { errorClass: 'connection', retryable: true, message: 'connection failed calling POST http://{ip}:8080/v1/orders/{job}: connection refused (ECONNREFUSED)' },
        { errorClass: 'http_503', retryable: true, message: `HTTP 503 from GET https://${host}/v1/customers/{job}/invoices: Service Unavailable` },
      ];
    case 'shell': {
      const cpuSeconds = 60 * (1 + (svc % 3));
      return [
        { errorClass: 'exit_code', retryable: true, message: "exited with code 1: KeyError: 'customer_{job}'" },
        {
          errorClass: 'resource_limit',
          retryable: false,
          message:
            `resource limit exceeded: CPU limit of ${cpuSeconds}s (killed by SIGXCPU after ${cpuSeconds - 1}.{n}s of CPU time measured; ` +
            'the kernel counts the limit in clock ticks of user+system time, which can run ahead of the time measured)',
        },
      ];
    }
    case 'docker':
      return [
        { errorClass: 'resource_limit', retryable: false, message: `resource limit exceeded: memory, container OOM-killed (${256 * (1 + (svc % 4))}MB allowed)` },
        { errorClass: 'exit_code', retryable: true, message: "exited with code 1: Error: ENOENT: no such file or directory, open '/data/in/batch-{job}.csv'" },
      ];
    case 'serverless':
      return [
        { errorClass: 'function_crash', retryable: true, message: `function ${fn} failed (Unhandled): Task timed out after 30.{n} seconds` },
        { errorClass: 'function_error', retryable: false, message: `function ${fn} failed (Handled): ValidationError: order {job} has no line items` },
        { errorClass: 'throttled', retryable: true, message: `Lambda throttled ${fn}: Rate Exceeded.` },
      ];
    case 'noop':
      return [{ errorClass: 'noop', retryable: true, message: 'noop failure requested' }];
  }
}

/** One service's way of failing with the fingerprint the engine gives it. */
export interface HistoryFailure extends FailureWay {
  svc: number;
  service: string;
  fingerprint: string;
}

/** A message with one job's values in, as the SQL fills them (`{n}` and `{ip}` from the job's number). */
export function failureText(message: string, svc: number, job: number): string {
  return message
    .replaceAll('{job}', String(job))
    .replaceAll('{n}', String(10 + (job % 90)))
    .replaceAll('{ip}', `10.${svc}.${Math.floor(job / 250) % 250}.${1 + (job % 250)}`);
}

/** Every service's ways of failing, each with the fingerprint the engine computes for a job's text of it. */
export function historyFailures(engine: Pick<HistoryEngine, 'fingerprint'>): HistoryFailure[] {
  return Array.from({ length: SERVICES }, (_, svc) =>
    waysOf(serviceType(svc), svc).map((way) => {
      const service = serviceName(svc);
      return { ...way, svc, service, fingerprint: engine.fingerprint(failureText(way.message, svc, 424_242), service, way.errorClass) };
    }),
  ).flat();
}

/**
 * Which way a troubled job fails, as the SQL reads it: a row per service, `trouble` (`failed`: the job is a
 * dead letter; `retried`: it failed once, then completed, so only a way worth another try) and `pick`
 * (`(i / 7) % PICKS` of the job's number i), naming one of the service's ways. PICKS is a multiple of every
 * count of ways, so a service's ways are picked equally often.
 */
export const PICKS = 60;

export interface FailurePick {
  svc: number;
  trouble: 'failed' | 'retried';
  pick: number;
  fingerprint: string;
}

export function failurePicks(failures: HistoryFailure[]): FailurePick[] {
  const picks: FailurePick[] = [];
  for (let svc = 0; svc < SERVICES; svc++) {
    const ways = failures.filter((f) => f.svc === svc);
    const retryable = ways.filter((f) => f.retryable);
    for (const [trouble, among] of [['failed', ways], ['retried', retryable]] as const) {
      if (among.length === 0) continue;
      for (let pick = 0; pick < PICKS; pick++) {
        const way = among[pick % among.length];
        if (way) picks.push({ svc, trouble, pick, fingerprint: way.fingerprint });
      }
    }
  }
  return picks;
}
