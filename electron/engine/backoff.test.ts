import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RetryConfig } from '../../shared/registry.ts';
import { backoffCeilingMs, backoffDelayMs } from './backoff.ts';

const config = RetryConfig.parse({ max_retries: 5, backoff_factor: 2, max_backoff: 10, initial_backoff: 1 });

test('the ceiling grows by the factor per attempt and stops at max_backoff', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map((a) => backoffCeilingMs(config, a)),
    [1000, 2000, 4000, 8000, 10_000, 10_000],
  );
});

test('full jitter: the delay spans zero to the ceiling by the random source', () => {
  assert.equal(backoffDelayMs(config, 3, undefined, () => 0), 0);
  assert.equal(backoffDelayMs(config, 3, undefined, () => 0.5), 2000);
  assert.equal(backoffDelayMs(config, 3, undefined, () => 0.999_999), 3999);
  assert.equal(backoffDelayMs(config, 50, undefined, () => 0.5), 5000);
});

test('the default random source stays within the ceiling', () => {
  for (let i = 0; i < 200; i++) {
    const d = backoffDelayMs(config, 4);
    assert.ok(d >= 0 && d <= 8000, `delay ${d} out of range`);
  }
});

test('Retry-After from the runner wins over the computed delay', () => {
  assert.equal(backoffDelayMs(config, 1, 7000, () => 0), 7000);
  assert.equal(backoffDelayMs(config, 1, 0, () => 0.9), 0);
  assert.equal(backoffDelayMs(config, 1, Number.NaN, () => 0.5), 500);
});
