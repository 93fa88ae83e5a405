import { test } from 'node:test';
import assert from 'node:assert/strict';
import { whyLost } from './leaseExtension.ts';

test('a lost lease is explained by what the store says of the job now', () => {
  assert.match(whyLost({ status: 'running', lease_owner: 'w2' }, 'w1'), /watchdog took it back and worker w2 runs it now/);
  assert.match(whyLost({ status: 'pending', lease_owner: null }, 'w1'), /lease ran out; it waits for its next attempt/);
  assert.match(whyLost({ status: 'failed', lease_owner: null }, 'w1'), /ended while it ran.*now failed/);
  assert.match(whyLost({ status: 'cancelled', lease_owner: null }, 'w1'), /now cancelled/);
  assert.equal(whyLost(null, 'w1'), 'the job was deleted');
  assert.match(whyLost(undefined, 'w1'), /could not say/);
});
