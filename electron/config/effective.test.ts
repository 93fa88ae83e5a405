import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveBreaker, effectiveRetry, effectiveTimeout, ServiceConfig } from '../../shared/registry.ts';

test("effectiveBreaker reads the runbook's security_policy.circuit_breaker; the service level wins", () => {
  const svc = ServiceConfig.parse({
    name: 's',
    execution_type: 'noop',
    security_policy: { circuit_breaker: { failure_threshold: 5, recovery_timeout: 300 } },
    circuit_breaker: { failure_threshold: 2 },
  });
  const breaker = effectiveBreaker(svc);
  assert.equal(breaker.failure_threshold, 2);
  assert.equal(breaker.recovery_timeout, 300);
  assert.equal(effectiveBreaker(undefined).failure_threshold, 5);
});

test("effectiveRetry and effectiveTimeout honour runner_config as the runbook writes it, and it wins over the service level for both", () => {
  const svc = ServiceConfig.parse({
    name: 's',
    execution_type: 'http',
    timeout: 100,
    runner_config: { base_url: 'http://x', timeout: 60, retry_config: { max_retries: 3, backoff_factor: 2.0 } },
    retry_config: { max_retries: 5 },
  });
  assert.equal(effectiveRetry(svc).max_retries, 3);
  assert.equal(effectiveRetry(svc).backoff_factor, 2);
  assert.equal(effectiveTimeout(svc), 60);
});

test('a key written at one level is not overwritten by a default of another', () => {
  const svc = ServiceConfig.parse({
    name: 's',
    execution_type: 'noop',
    runner_config: { retry_config: { backoff_factor: 3 } },
    retry_config: { max_retries: 1 },
  });
  assert.deepEqual(effectiveRetry(svc), { max_retries: 1, backoff_factor: 3, max_backoff: 300, initial_backoff: 1 });
});
