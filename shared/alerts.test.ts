import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlertRule } from './alerts.ts';

test("a rule written as a runbook's condition is refused with the kinds there are and how its condition reads here", () => {
  const parsed = AlertRule.safeParse({ name: 'high_error_rate', condition: 'error_rate > 0.05', action: 'send_email' });
  assert.equal(parsed.success, false);
  const [issue] = parsed.error?.issues ?? [];
  assert.deepEqual(issue?.path, ['kind']);
  assert.equal(
    issue?.message,
    'kind must be one of failure_rate, dead_letters, oldest_due, breaker_open, worker_lost, no_live_worker, schedule_missed (a runbook condition "error_rate > 0.05" is kind: failure_rate with threshold: 0.05)',
  );
  assert.equal(AlertRule.safeParse({ name: 'high_error_rate', kind: 'failure_rate', threshold: 0.05 }).success, true);
});

test('a disk condition is answered: opsdeck has no disk-space kind, and these are the kinds', () => {
  const [issue] = AlertRule.safeParse({ name: 'low_disk_space', condition: 'disk_free < 1GB' }).error?.issues ?? [];
  assert.equal(issue?.message, "opsdeck has no disk-space kind: it watches jobs, queues and workers, not the hosts' disks; kind must be one of failure_rate, dead_letters, oldest_due, breaker_open, worker_lost, no_live_worker, schedule_missed");
});

test('a failure-rate threshold written as a percentage is read back as the fraction it should be', () => {
  const [issue] = AlertRule.safeParse({ name: 'spike', kind: 'failure_rate', threshold: 5 }).error?.issues ?? [];
  assert.deepEqual(issue?.path, ['threshold']);
  assert.equal(issue?.message, 'the threshold is a fraction of attempts (0.05 = 5%), at most 1: for 5% write 0.05');
  const [big] = AlertRule.safeParse({ name: 'spike', kind: 'failure_rate', threshold: 250 }).error?.issues ?? [];
  assert.equal(big?.message, 'the threshold is a fraction of attempts (0.05 = 5%), at most 1');
});
