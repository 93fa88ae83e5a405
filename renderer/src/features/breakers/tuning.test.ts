import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BreakerView } from '../../../../shared/contract.ts';
import { tuningChanges } from './tuning.ts';

const breaker: BreakerView = {
  service_name: 'payments',
  state: 'closed',
  mode: 'auto',
  failures_in_window: 0,
  calls_in_window: 0,
  failure_threshold: 5,
  minimum_volume: 3,
  recovery_timeout_s: 60,
  half_open_in_s: null,
  probes_in_flight: 0,
  waiting_for_probe: null,
  opened_at: null,
  last_transition_at: null,
  last_error: null,
  mode_set_by: null,
  mode_set_at: null,
  mode_reason: null,
  waiting_jobs: 0,
  tuning: null,
  reset_clears: false,
  registry_settings: { failure_threshold: 5, recovery_timeout_s: 60, minimum_volume: 3 },
};

test('only the values the operator changed are stored', () => {
  assert.deepEqual(tuningChanges({ failure_threshold: '10', recovery_timeout: '60', minimum_volume: ' 3 ' }, breaker), { settings: { failure_threshold: 10 } });
  assert.deepEqual(tuningChanges({ failure_threshold: '5', recovery_timeout: '30', minimum_volume: '1' }, breaker), { settings: { recovery_timeout: 30, minimum_volume: 1 } });
});

test('a value the store would refuse is named before anything is sent', () => {
  assert.deepEqual(tuningChanges({ failure_threshold: 'many', recovery_timeout: '60', minimum_volume: '3' }, breaker), { problem: 'Failure threshold must be a number' });
  assert.deepEqual(tuningChanges({ failure_threshold: '2.5', recovery_timeout: '60', minimum_volume: '3' }, breaker), { problem: 'Failure threshold must be a whole number, 1 or more' });
  assert.deepEqual(tuningChanges({ failure_threshold: '5', recovery_timeout: '60', minimum_volume: '0' }, breaker), { problem: 'Minimum volume must be a whole number, 1 or more' });
  assert.deepEqual(tuningChanges({ failure_threshold: '5', recovery_timeout: '-1', minimum_volume: '3' }, breaker), { problem: 'Recovery timeout must be more than 0 seconds' });
  assert.deepEqual(tuningChanges({ failure_threshold: '5', recovery_timeout: '60', minimum_volume: '3' }, breaker), { problem: "Nothing changed: edit a value, or go back to the registry's settings" });
});
