import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BreakerView } from '../../shared/contract.ts';
import { CircuitBreakerConfig } from '../../shared/registry.ts';
import { stepBreaker } from './breakerMachine.ts';
import { CLI_BREAKER_WORDS, newBreakerRecord } from '../../shared/breakerRecord.ts';
import { breakerView } from './breakerView.ts';

const config = CircuitBreakerConfig.parse({ failure_threshold: 2, minimum_volume: 2, recovery_timeout: 30 });
const t0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(t0 + seconds * 1000);

test('a service without a stored breaker shows closed with empty counts', () => {
  const view = BreakerView.parse(breakerView('svc', null, config, 7, at(0), null, null, CLI_BREAKER_WORDS));
  assert.equal(view.state, 'closed');
  assert.equal(view.mode, 'auto');
  assert.equal(view.calls_in_window, 0);
  assert.equal(view.waiting_jobs, 7);
  assert.equal(view.half_open_in_s, null);
});

test('an open breaker shows its counts, the last error and when probes start', () => {
  let record = newBreakerRecord('svc', at(0));
  record = stepBreaker(record, config, { type: 'failure', at: at(1), error: 'HTTP 503' }).record;
  record = stepBreaker(record, config, { type: 'failure', at: at(2), error: 'HTTP 503' }).record;
  const view = BreakerView.parse(breakerView('svc', record, config, 3, at(12), null, null, CLI_BREAKER_WORDS));
  assert.equal(view.state, 'open');
  assert.equal(view.failures_in_window, 2);
  assert.equal(view.calls_in_window, 2);
  assert.equal(view.failure_threshold, 2);
  assert.equal(view.recovery_timeout_s, 30);
  assert.equal(view.half_open_in_s, 20);
  assert.equal(view.last_error, 'HTTP 503');
  assert.equal(view.opened_at, at(2).toISOString());
  assert.equal(breakerView('svc', record, config, 0, at(99), null, null, CLI_BREAKER_WORDS).half_open_in_s, 0);
  assert.equal(breakerView('svc', { ...record, mode: 'force_open' }, config, 0, at(12), null, null, CLI_BREAKER_WORDS).half_open_in_s, null);
});

test('a half-open breaker no probe runs for says since when, that it waits for a job, and the command that checks its service by hand', () => {
  const halfOpen = { ...newBreakerRecord('svc', at(0)), state: 'half_open' as const, opened_at: at(0).toISOString(), last_transition_at: at(30).toISOString() };
  const view = BreakerView.parse(breakerView('svc', halfOpen, config, 0, at(90), null, 'http', CLI_BREAKER_WORDS));
  assert.equal(view.probes_in_flight, 0);
  assert.equal(
    view.waiting_for_probe,
    'half-open since 2026-01-01T00:00:30.000Z, waiting for a job of svc to probe it: check it by hand with opsdeck test-connectivity svc, and once it passes, opsdeck breaker reset svc closes it',
  );
  assert.equal(
    breakerView('svc', halfOpen, config, 0, at(90), null, 'http', CLI_BREAKER_WORDS, 'PUT').waiting_for_probe,
    "half-open since 2026-01-01T00:00:30.000Z, waiting for a job of svc to probe it: check it by hand with opsdeck test-connectivity svc, which cannot pass for it, as it does not send its jobs' PUT: once the breaker's last error and the recent failures it shows say their cause is gone, opsdeck breaker reset svc closes it",
    'jobs that PUT: the check never sends it, so its evidence decides',
  );
  assert.match(breakerView('svc', halfOpen, config, 0, at(90), null, 'docker', CLI_BREAKER_WORDS).waiting_for_probe ?? '', /check it by hand with opsdeck health-check runner:docker,/);
  assert.match(breakerView('svc', halfOpen, config, 0, at(90), null, null, CLI_BREAKER_WORDS).waiting_for_probe ?? '', /: check the service by hand, and once/, 'no registry here: no command to name');
  assert.equal(breakerView('svc', { ...halfOpen, probes_in_flight: 1 }, config, 0, at(90), null, 'http', CLI_BREAKER_WORDS).waiting_for_probe, null, 'a probe runs: nothing to wait for');
  assert.equal(breakerView('svc', { ...halfOpen, mode: 'force_open' }, config, 0, at(90), null, 'http', CLI_BREAKER_WORDS).waiting_for_probe, null, 'forced open: an operator holds it');
  assert.equal(breakerView('svc', { ...halfOpen, state: 'open' }, config, 0, at(90), null, 'http', CLI_BREAKER_WORDS).waiting_for_probe, null);
});
