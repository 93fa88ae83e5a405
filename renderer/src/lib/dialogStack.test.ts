import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTop, isTopDialog, openDialog, pushDialog, removeDialog } from './dialogStack.ts';

test('the newest dialog is on top; closing it gives the top back to the one below', () => {
  const bulk = Symbol('bulk');
  const stop = Symbol('stop');
  let stack = pushDialog(pushDialog([], bulk), stop);
  assert.equal(isTopDialog(stack, stop), true);
  assert.equal(isTopDialog(stack, bulk), false);
  stack = removeDialog(stack, stop);
  assert.equal(isTopDialog(stack, bulk), true);
  assert.equal(isTopDialog(removeDialog(stack, bulk), bulk), false);
});

test('opening a dialog that is already open moves it to the top rather than adding it twice', () => {
  const a = Symbol('a');
  const b = Symbol('b');
  assert.deepEqual(pushDialog([a, b], a), [b, a]);
});

test('a dialog closed out of order (its page went away) leaves the others in place', () => {
  const first = Symbol('first');
  const second = Symbol('second');
  const closeFirst = openDialog(first);
  const closeSecond = openDialog(second);
  closeFirst();
  assert.equal(isTop(second), true);
  closeSecond();
  assert.equal(isTop(second), false);
});
