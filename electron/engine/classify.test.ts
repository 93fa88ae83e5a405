import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceConfig } from '../../shared/registry.ts';
import type { RunResult } from '../runners/runner.ts';
import { breakerOutcome, classify } from './classify.ts';
import { fingerprint } from './fingerprint.ts';

const service = ServiceConfig.parse({
  name: 'sync',
  execution_type: 'noop',
  runner_config: {},
  retry_config: { max_retries: 2, backoff_factor: 2, max_backoff: 60, initial_backoff: 10 },
});
const failFast = ServiceConfig.parse({ name: 'sync', execution_type: 'noop', on_interrupt: 'fail' });
const now = new Date('2026-01-01T00:00:00.000Z');
const job = (attempt: number) => ({ id: 7, attempt_id: 70 + attempt, attempt, max_attempts: 3, service_name: 'sync' });
const result = (over: Partial<RunResult>): RunResult => ({
  ok: false,
  output_tail: 'tail',
  resource_usage: { duration_ms: 5 },
  security_context: { decision: 'allowed' },
  ...over,
});
const base = { service, workerId: 'w1', now, random: () => 0.5 };

test('success completes and carries the output and usage', () => {
  const s = classify({ ...base, job: job(1), result: result({ ok: true }) });
  assert.deepEqual(s, {
    jobId: 7,
    attemptId: 71,
    workerId: 'w1',
    kind: 'completed',
    output_tail: 'tail',
    resource_usage: { duration_ms: 5 },
    security_context: { decision: 'allowed' },
  });
});

test('a retryable failure before the last attempt retries after the jittered backoff', () => {
  const error = { message: 'HTTP 503 for job 7', error_class: 'http_503', retryable: true };
  const s = classify({ ...base, job: job(2), result: result({ error }) });
  assert.equal(s.kind, 'retry');
  assert.ok(s.kind === 'retry');
  assert.equal(s.outcome, 'failed');
  assert.equal(s.run_at, new Date(now.getTime() + 10_000).toISOString(), 'half of 10s * 2^1');
  assert.equal(s.error.message, error.message);
  assert.equal(s.error.fingerprint, fingerprint(error.message, 'sync', 'http_503'));
});

test('Retry-After from the runner decides the retry time', () => {
  const error = { message: 'rate limited', error_class: 'http_429', retryable: true, retry_after_ms: 2000 };
  const s = classify({ ...base, job: job(1), result: result({ error }) });
  assert.ok(s.kind === 'retry');
  assert.equal(s.run_at, new Date(now.getTime() + 2000).toISOString());
});

test('the last attempt or a non-retryable error fails at once', () => {
  const retryable = { message: 'boom', error_class: 'exit_code', retryable: true };
  const last = classify({ ...base, job: job(3), result: result({ error: retryable }) });
  assert.equal(last.kind, 'failed');
  const fatal = { message: 'command /bin/rm is not allowed', error_class: 'allowlist', retryable: false };
  const now1 = classify({ ...base, job: job(1), result: result({ error: fatal }) });
  assert.ok(now1.kind === 'failed');
  assert.equal(now1.error.message, fatal.message);
  assert.equal(now1.outcome, 'failed');
});

test('a timeout is recorded as timed_out and retried', () => {
  const s = classify({ ...base, job: job(1), result: result({ aborted: 'timeout' }) });
  assert.ok(s.kind === 'retry');
  assert.equal(s.outcome, 'timed_out');
  assert.equal(s.error.error_class, 'timeout');
  const last = classify({ ...base, job: job(3), result: result({ aborted: 'timeout', error: { message: 'timed out after 1s', error_class: 'timeout', retryable: true } }) });
  assert.ok(last.kind === 'failed');
  assert.equal(last.outcome, 'timed_out');
  assert.equal(last.error.message, 'timed out after 1s');
});

test('an interrupt hands the job back unless the service asks to fail on emergency stop', () => {
  const back = classify({ ...base, job: job(1), result: result({ aborted: 'interrupt' }), interruptCause: 'emergency_stop' });
  assert.equal(back.kind, 'interrupted');
  const failed = classify({ ...base, service: failFast, job: job(1), result: result({ aborted: 'interrupt' }), interruptCause: 'emergency_stop' });
  assert.ok(failed.kind === 'failed');
  assert.equal(failed.error.error_class, 'interrupted');
  const shutdown = classify({ ...base, service: failFast, job: job(1), result: result({ aborted: 'interrupt' }), interruptCause: 'shutdown' });
  assert.equal(shutdown.kind, 'interrupted');
});

test('a cancel abort is a cancellation', () => {
  assert.equal(classify({ ...base, job: job(1), result: result({ aborted: 'cancel' }) }).kind, 'cancelled');
});

test('only failures that speak of the service count toward its breaker', () => {
  const settle = (error_class: string) =>
    classify({ ...base, job: job(3), result: result({ error: { message: 'x', error_class, retryable: false } }) });
  assert.equal(breakerOutcome(classify({ ...base, job: job(1), result: result({ ok: true }) })), 'success');
  assert.equal(breakerOutcome(settle('http_503')), 'failure');
  assert.equal(breakerOutcome(settle('http_429')), 'failure');
  assert.equal(breakerOutcome(settle('timeout')), 'failure');
  assert.equal(breakerOutcome(settle('http_404')), null);
  assert.equal(breakerOutcome(settle('allowlist')), null);
  assert.equal(breakerOutcome(settle('config')), null);
  assert.equal(breakerOutcome(classify({ ...base, job: job(1), result: result({ aborted: 'interrupt' }) })), null);
});

test('without its service (the dispatcher hands such jobs back unrun) a failure has no retry policy to follow: it fails', () => {
  const notHere = { message: "service fresh is not in this worker's registry", error_class: 'config', retryable: true };
  const settled = classify({ ...base, service: undefined, job: job(1), result: result({ error: notHere }) });
  assert.equal(settled.kind, 'failed');
  assert.equal(breakerOutcome(settled), null, "the service's breaker is not this job's business");
});
