import { test } from 'node:test';
import assert from 'node:assert/strict';
import { whyLost } from './leaseExtension.ts';

test('a lost lease is explained by what the store says of the job now', () => {
  assert.match(whyLost({ status: 'running', lease_owner: 'w2' }, 'w1'), /^worker w2 runs it now: the watchdog took it back, or an operator ended it and retried it$/);
  assert.equal(whyLost({ status: 'running', lease_owner: 'w1' }, 'w1'), 'its lease is gone');
  assert.match(whyLost({ status: 'pending', lease_owner: null }, 'w1'), /^it waits for another attempt/);
  assert.equal(whyLost({ status: 'completed', lease_owner: null }, 'w1'), 'it was taken back and completed on another attempt');
  assert.equal(whyLost({ status: 'failed', lease_owner: null }, 'w1'), 'an operator or the watchdog ended it while it ran (now failed)');
  assert.match(whyLost({ status: 'cancelled', lease_owner: null }, 'w1'), /now cancelled/);
  assert.equal(whyLost(null, 'w1'), 'the job was deleted');
  assert.match(whyLost(undefined, 'w1'), /could not say/);
});
