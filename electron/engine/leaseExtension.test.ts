import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerBudget, whyLost } from './leaseExtension.ts';

const job = (status: 'running' | 'pending' | 'completed' | 'failed' | 'cancelled', lease_owner: string | null, error: { message: string; fingerprint: string } | null = null) => ({
  status,
  lease_owner,
  error_message: error?.message ?? null,
  error_fingerprint: error?.fingerprint ?? null,
});

test('a lost lease is explained by what the store says of the job now', () => {
  assert.match(whyLost(job('running', 'w2'), 'w1'), /^worker w2 runs it now: the watchdog took it back, or an operator ended it and retried it$/);
  assert.equal(whyLost(job('running', 'w1'), 'w1'), 'its lease is gone');
  assert.match(whyLost(job('pending', null), 'w1'), /^it waits for another attempt/);
  assert.equal(whyLost(job('completed', null), 'w1'), 'it was taken back and completed on another attempt');
  assert.equal(whyLost(job('failed', null, { message: 'lease expired', fingerprint: 'lost:sync' }), 'w1'), 'an operator or the watchdog ended it while it ran (now failed)');
  assert.match(whyLost(job('cancelled', null), 'w1'), /now cancelled/);
  assert.equal(whyLost(null, 'w1'), 'the job was deleted');
  assert.match(whyLost(undefined, 'w1'), /could not say/);
});

test('a job an operator failed is said to be theirs, with who and why', () => {
  const failed = job('failed', null, { message: 'failed by an operator (alice@laptop): stuck on a lock', fingerprint: 'operator-failed:sync' });
  assert.equal(whyLost(failed, 'w1'), 'failed by an operator (alice@laptop): stuck on a lock');
});

test("the store's answer is awaited a third of a lease, never past a sixth of a lease before the soonest lease ends", () => {
  const leaseMs = 30_000;
  assert.deepEqual(answerBudget(leaseMs, Infinity, 0), { ms: 10_000, late: false });
  assert.deepEqual(answerBudget(leaseMs, 20_000, 0), { ms: 10_000, late: false });
  assert.deepEqual(answerBudget(leaseMs, 10_000, 0), { ms: 5000, late: false }, 'a third left after a failed extension: a sixth of it to answer');
});

test('a worker that asks only once that point has passed was late itself (suspended, blocked): the store gets a third of a lease, never 0 ms', () => {
  const leaseMs = 30_000;
  assert.deepEqual(answerBudget(leaseMs, 5000, 0), { ms: 10_000, late: true }, 'exactly at the margin');
  assert.deepEqual(answerBudget(leaseMs, -60_000, 0), { ms: 10_000, late: true }, 'its lease ran out a minute ago (SIGSTOP, then SIGCONT)');
});
