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
