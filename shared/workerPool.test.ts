import assert from 'node:assert/strict';
import { test } from 'node:test';
import { poolExhausted, poolText } from './workerPool.ts';

test('a pool nobody waited on is its most connections in use of its size', () => {
  const calm = { max: 8, peak_in_use: 3, peak_waiting: 0, longest_wait_ms: 4.2 };
  assert.equal(poolText(calm), '3/8');
  assert.equal(poolExhausted(calm), false);
  assert.equal(poolExhausted(null), false, 'no pool (SQLite), nothing exhausted');
});

test('an exhausted one says how many waited at once at most, and the longest wait', () => {
  const exhausted = { max: 2, peak_in_use: 2, peak_waiting: 3, longest_wait_ms: 1204 };
  assert.equal(poolExhausted(exhausted), true);
  assert.equal(poolText(exhausted), '2/2, up to 3 waiting, longest 1.20 s');
  assert.equal(poolExhausted({ ...exhausted, longest_wait_ms: 100 }), true, 'a tenth of a second');
});

test("callers queued for a millisecond behind a tick's burst of reads are said, but are no exhaustion", () => {
  const burst = { max: 8, peak_in_use: 8, peak_waiting: 3, longest_wait_ms: 1.4 };
  assert.equal(poolText(burst), '8/8, up to 3 waiting, longest 1 ms');
  assert.equal(poolExhausted(burst), false);
  assert.equal(poolExhausted({ ...burst, longest_wait_ms: 99.9 }), false);
});
