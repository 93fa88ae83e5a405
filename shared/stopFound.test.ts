import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stopFoundText } from './stopFound.ts';

test('an emergency stop says what it asked to stop and held, and what becomes of the stopped jobs', () => {
  assert.equal(
    stopFoundText({ running: 3, running_fail_on_interrupt: 0, running_unknown_service: 0, pending: 2 }),
    '3 running job(s) asked to stop, back to pending with their attempt not spent, to run again once released; 2 pending job(s) held',
  );
  assert.equal(
    stopFoundText({ running: 3, running_fail_on_interrupt: 1, running_unknown_service: 0, pending: 0 }),
    '3 running job(s) asked to stop, back to pending with their attempt not spent, to run again once released (1 of them to the dead-letter queue instead, as their service says on_interrupt: fail); 0 pending job(s) held',
  );
  assert.equal(stopFoundText({ running: 2, running_fail_on_interrupt: 2, running_unknown_service: 0, pending: 1 }), '2 running job(s) asked to stop, to the dead-letter queue, as their service says on_interrupt: fail; 1 pending job(s) held');
  assert.equal(stopFoundText({ running: 0, running_fail_on_interrupt: 0, running_unknown_service: 0, pending: 4 }), 'no job was running; 4 pending job(s) held');
});

test("running jobs of services the registry here does not name: their fate is the workers' registry's to say, not promised", () => {
  const undecided = "their workers' registry decides (on_interrupt): back to pending, or to the dead-letter queue where it says fail";
  assert.equal(
    stopFoundText({ running: 2, running_fail_on_interrupt: 0, running_unknown_service: 2, pending: 1 }),
    `2 running job(s) asked to stop, of services the registry here does not name: ${undecided}; 1 pending job(s) held`,
  );
  assert.equal(
    stopFoundText({ running: 3, running_fail_on_interrupt: 1, running_unknown_service: 1, pending: 0 }),
    `3 running job(s) asked to stop, back to pending with their attempt not spent, to run again once released (1 of them to the dead-letter queue instead, as their service says on_interrupt: fail); 1 of them of services the registry here does not name: ${undecided}; 0 pending job(s) held`,
  );
  assert.equal(
    stopFoundText({ running: 2, running_fail_on_interrupt: 1, running_unknown_service: 1, pending: 0 }),
    `2 running job(s) asked to stop: 1 to the dead-letter queue, as their service says on_interrupt: fail; 1 of them of services the registry here does not name: ${undecided}; 0 pending job(s) held`,
  );
});

test('counts in the thousands read with their separators', () => {
  assert.equal(
    stopFoundText({ running: 1500, running_fail_on_interrupt: 1200, running_unknown_service: 0, pending: 20_000 }),
    '1,500 running job(s) asked to stop, back to pending with their attempt not spent, to run again once released (1,200 of them to the dead-letter queue instead, as their service says on_interrupt: fail); 20,000 pending job(s) held',
  );
});
