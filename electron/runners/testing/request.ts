import { ServiceConfig } from '../../../shared/registry.ts';
import type { RunRequest } from '../runner.ts';

/** A service from registry-shaped input, validated as the loader would. */
export function service(input: Record<string, unknown>): ServiceConfig {
  return ServiceConfig.parse({ name: 'svc', ...input });
}

/** A run request with sensible test defaults; `signal` defaults to one that never fires. */
export function runRequest(svc: ServiceConfig, over: Partial<RunRequest> = {}): RunRequest {
  return {
    jobId: 1,
    identifier: 'job-1',
    attempt: 1,
    payload: {},
    service: svc,
    timeoutSeconds: 30,
    signal: new AbortController().signal,
    env: {},
    ...over,
  };
}
