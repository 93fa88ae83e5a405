import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceConfig } from '../../shared/registry.ts';
import type { RunResult } from '../runners/runner.ts';
import { breakerOutcome, classify, FREE_LEASE_INTERRUPTIONS } from './classify.ts';
import { fingerprint } from './fingerprint.ts';

const service = ServiceConfig.parse({
  name: 'sync',
  execution_type: 'noop',
  runner_config: {},
  retry_config: { max_retries: 2, backoff_factor: 2, max_backoff: 60, initial_backoff: 10 },
});
const failFast = ServiceConfig.parse({ name: 'sync', execution_type: 'noop', on_interrupt: 'fail' });
const now = new Date('2026-01-01T00:00:00.000Z');
const job = (attempt: number, interruptions = 0) => ({ id: 7, attempt_id: 70 + attempt, attempt, max_attempts: 3, service_name: 'sync', interruptions });
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

test('an abort before the runner started hands the job back as never run, on_interrupt: fail or not; a cancel then spends nothing', () => {
  for (const service of [undefined, failFast]) {
    const back = classify({ ...base, ...(service ? { service } : {}), job: job(1), result: result({ aborted: 'interrupt', unstarted: true }), interruptCause: 'emergency_stop' });
    assert.deepEqual([back.kind, back.kind === 'interrupted' && back.ran], ['interrupted', false]);
  }
  const cancelled = classify({ ...base, job: job(1), result: result({ aborted: 'cancel', unstarted: true }) });
  assert.deepEqual([cancelled.kind, cancelled.kind === 'cancelled' && cancelled.ran], ['cancelled', false]);
  const ran = classify({ ...base, job: job(1), result: result({ aborted: 'cancel' }) });
  assert.deepEqual([ran.kind, ran.kind === 'cancelled' && ran.ran], ['cancelled', true], 'stopped while it ran: an attempt that ran');
});

test('a run that met what this machine lacks before anything ran (its Docker daemon away) hands the job back unrun, whatever its retries: no fault of the job nor of its service', () => {
  const away = { message: 'Docker daemon at /var/run/docker.sock not answering (ENOENT) while inspecting image alpine:3', error_class: 'docker_unavailable', retryable: true };
  for (const attempt of [1, 3]) {
    const back = classify({ ...base, job: job(attempt), result: result({ error: away, lacksHere: true }) });
    assert.deepEqual(back, {
      jobId: 7,
      attemptId: 70 + attempt,
      workerId: 'w1',
      kind: 'interrupted',
      reason: `service sync cannot run on this worker: ${away.message}; handed back for a worker that can`,
      ran: false,
    }, 'no output, usage or duration of a run that never was');
    assert.equal(breakerOutcome(back, { error: away }), null, 'says nothing of the service');
  }
  const notPermitted = classify({ ...base, job: job(1), result: result({ error: { ...away, retryable: false }, lacksHere: true }) });
  assert.deepEqual([notPermitted.kind, notPermitted.kind === 'interrupted' && notPermitted.ran], ['interrupted', false], 'a socket it may not use: the same');
  const cancelled = classify({ ...base, job: job(1), result: result({ error: away, lacksHere: true, aborted: 'cancel' }) });
  assert.deepEqual([cancelled.kind, cancelled.kind === 'cancelled' && cancelled.ran], ['cancelled', false], 'cancelled meanwhile: nothing ran either');
  const stopped = classify({ ...base, service: failFast, job: job(1), result: result({ error: away, lacksHere: true, aborted: 'interrupt' }), interruptCause: 'emergency_stop' });
  assert.deepEqual([stopped.kind, stopped.kind === 'interrupted' && stopped.ran], ['interrupted', false], 'on_interrupt: fail fails nothing that never ran');
});

test('a job its worker stopped for losing the store goes back, attempt not spent and the stop counted, until it has been stopped so too often', () => {
  const stopped = result({ aborted: 'interrupt' });
  const unreached = { ...base, result: stopped, interruptCause: 'store_unreachable' as const, unreachedForMs: 12_000 };
  const free = classify({ ...unreached, job: job(1, FREE_LEASE_INTERRUPTIONS - 1) });
  assert.equal(free.kind, 'interrupted');
  assert.equal(free.lease_unconfirmed, true, 'counted in the job');
  assert.equal(free.ended_at, now.toISOString());
  // Stopped before it started: nothing ran, nothing is counted.
  const unstarted = classify({ ...unreached, job: job(1, FREE_LEASE_INTERRUPTIONS), result: result({ aborted: 'interrupt', unstarted: true }) });
  assert.deepEqual([unstarted.kind, unstarted.lease_unconfirmed], ['interrupted', undefined]);
  const spent = classify({ ...unreached, job: job(1, FREE_LEASE_INTERRUPTIONS) });
  assert.ok(spent.kind === 'retry', spent.kind);
  assert.equal(spent.outcome, 'failed');
  assert.equal(spent.lease_unconfirmed, true);
  assert.equal(spent.ended_at, now.toISOString());
  assert.equal(spent.error.error_class, 'lease_unconfirmed');
  assert.equal(spent.error.message, `its worker lost the store (no lease extension confirmed for 12 s) and stopped it: interrupted ${FREE_LEASE_INTERRUPTIONS + 1} times by lost leases or store outages, and past ${FREE_LEASE_INTERRUPTIONS} each one spends an attempt`);
  assert.ok(Date.parse(spent.run_at) > now.getTime(), `after the service's backoff: ${spent.run_at}`);
  const last = classify({ ...unreached, job: job(3, FREE_LEASE_INTERRUPTIONS + 2) });
  assert.ok(last.kind === 'failed', last.kind);
  assert.match(last.error.message, /interrupted 8 times by lost leases or store outages/);
  assert.equal(breakerOutcome(last, stopped), null, "the store's fault says nothing of the service");
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
  const outcome = (error_class: string, retryable: boolean) => {
    const run = result({ error: { message: 'x', error_class, retryable } });
    return breakerOutcome(classify({ ...base, job: job(3), result: run }), run);
  };
  const ok = result({ ok: true });
  assert.equal(breakerOutcome(classify({ ...base, job: job(1), result: ok }), ok), 'success');
  assert.equal(outcome('http_503', true), 'failure');
  assert.equal(outcome('http_429', true), 'failure');
  assert.equal(outcome('timeout', true), 'failure');
  assert.equal(outcome('http_404', false), null);
  assert.equal(outcome('allowlist', false), null);
  assert.equal(outcome('config', false), null);
  const interrupted = result({ aborted: 'interrupt' });
  assert.equal(breakerOutcome(classify({ ...base, job: job(1), result: interrupted }), interrupted), null);
});

test("a failure its runner calls not worth another try is the caller's fault: it never opens the breaker", () => {
  const outcome = (error_class: string, retryable: boolean, attempt = 1) => {
    const run = result({ error: { message: "invalid payload: missing field 'account_id'", error_class, retryable } });
    return breakerOutcome(classify({ ...base, job: job(attempt), result: run }), run);
  };
  // import_accounts: a noop whose payload is refused, straight to the dead-letter queue.
  assert.equal(outcome('noop', false), null);
  assert.equal(outcome('function_error', false), null, 'a handled Lambda error: the function refused its input');
  assert.equal(outcome('lambda_400', false), null);
  assert.equal(outcome('function_not_found', false), null, 'a configuration error');
  assert.equal(outcome('resource_limit', false), null);
  // The same class worth a retry speaks of the upstream, on every attempt and on the last.
  assert.equal(outcome('noop', true), 'failure');
  assert.equal(outcome('exit_code', true, 3), 'failure');
});

test('timeouts, connection and TLS errors, 5xx and 429 count even when not retried', () => {
  const outcome = (error_class: string, retryable: boolean) => {
    const run = result({ error: { message: 'x', error_class, retryable } });
    return breakerOutcome(classify({ ...base, job: job(1), result: run }), run);
  };
  assert.equal(outcome('timeout', false), 'failure', 'a POST that timed out, not retried because it may have been applied');
  assert.equal(outcome('connection', false), 'failure');
  assert.equal(outcome('tls', false), 'failure');
  assert.equal(outcome('rate_limited', false), 'failure', 'a 429 whose Retry-After is past max_retry_after');
  assert.equal(outcome('http_500', true), 'failure');
  assert.equal(outcome('http_503', false), 'failure', 'a 5xx the runner would not retry still speaks of the upstream');
  assert.equal(outcome('http_408', true), 'failure');
  const timedOut = result({ aborted: 'timeout' });
  assert.equal(breakerOutcome(classify({ ...base, job: job(1), result: timedOut }), timedOut), 'failure', 'an attempt past its timeout, without an error of its own');
});

test('without its service (the dispatcher hands such jobs back unrun) a failure has no retry policy to follow: it fails', () => {
  const notHere = { message: "service fresh is not in this worker's registry", error_class: 'config', retryable: true };
  const settled = classify({ ...base, service: undefined, job: job(1), result: result({ error: notHere }) });
  assert.equal(settled.kind, 'failed');
  assert.equal(breakerOutcome(settled, result({ error: notHere })), null, "the service's breaker is not this job's business");
});

test('a run says how long it ran, however it ended, so the store dates its start by it and not by the claim; one that never started says nothing', () => {
  const ranFor = (over: Partial<RunResult>, extra: object = {}) => classify({ ...base, job: job(1), result: result(over), runMs: 48, ...extra }).run_ms;
  const away = { message: 'the Docker daemon is not answering', error_class: 'docker_unavailable', retryable: true };
  assert.deepEqual(
    [
      ranFor({ ok: true }),
      ranFor({ error: { message: 'x', error_class: 'http_503', retryable: true } }),
      ranFor({ error: { message: 'x', error_class: 'config', retryable: false } }),
      ranFor({ aborted: 'timeout' }),
      ranFor({ aborted: 'cancel' }),
      ranFor({ aborted: 'interrupt' }, { interruptCause: 'shutdown' }),
      ranFor({ aborted: 'interrupt' }, { interruptCause: 'store_unreachable', unreachedForMs: 12_000 }),
      ranFor({ aborted: 'interrupt' }, { interruptCause: 'store_unreachable', unreachedForMs: 12_000, job: job(1, FREE_LEASE_INTERRUPTIONS) }),
    ],
    [48, 48, 48, 48, 48, 48, 48, 48],
    'completed, retried, dead-lettered, timed out, cancelled, interrupted, stopped for the store, and spent for it',
  );
  assert.deepEqual(
    [
      ranFor({ aborted: 'interrupt', unstarted: true }, { interruptCause: 'shutdown' }),
      ranFor({ aborted: 'cancel', unstarted: true }),
      ranFor({ error: away, lacksHere: true }),
      ranFor({ ok: true }, { runMs: null }),
    ],
    [undefined, undefined, undefined, undefined],
    'handed back unstarted, cancelled unstarted, its daemon away before anything ran, or no run measured',
  );
});
