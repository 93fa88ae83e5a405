import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeaseBook } from './leases.ts';

test("a claim's lease row is done with the settle that takes its last attempt, however they are split", () => {
  const book = new LeaseBook();
  book.opened(1, [10, 11, 12]);
  book.opened(2, [20, 21]);
  assert.deepEqual(book.closing([10, 20]), []);
  assert.deepEqual(book.closing([11, 21, 12]), [2, 1]);
  assert.deepEqual(book.closing([10, 11]), [], 'an attempt settled twice does not close anything again');
});

test('attempts the book never saw are ignored', () => {
  const book = new LeaseBook();
  assert.deepEqual(book.closing([99]), []);
  book.opened(3, [30]);
  assert.deepEqual(book.closing([98, 30]), [3]);
});
