import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unservedByReason, unservedLine } from './unservedText.ts';

const none = 'no worker is running (start one: opsdeck worker)';

test('services with the same reason are one line, the reason said once, in the order they were listed', () => {
  const groups = unservedByReason([
    { service: 'payments', queue: 'billing', reason: none },
    { service: 'extra', queue: 'default', reason: "no running worker's registry has service extra" },
    { service: 'reports', queue: 'default', reason: none },
  ]);
  assert.deepEqual(groups.map(unservedLine), [
    'payments (queue billing), reports (queue default): no worker is running (start one: opsdeck worker)',
    "extra (queue default): no running worker's registry has service extra",
  ]);
});

test('one service alone reads as before, and nothing unserved is no line', () => {
  assert.deepEqual(unservedByReason([{ service: 'payments', queue: 'billing', reason: none }]).map(unservedLine), ['payments (queue billing): no worker is running (start one: opsdeck worker)']);
  assert.deepEqual(unservedByReason([]), []);
});
