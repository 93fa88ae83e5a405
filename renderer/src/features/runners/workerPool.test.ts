import assert from 'node:assert/strict';
import { test } from 'node:test';
import { poolCell } from './workerPool.ts';

const exhausted = { max: 2, peak_in_use: 2, peak_waiting: 3, longest_wait_ms: 1204 };

test("a live worker's pool is its most connections in use of its size, and once callers waited, marked so with what to do", () => {
  const calm = poolCell({ pool: { max: 8, peak_in_use: 3, peak_waiting: 0, longest_wait_ms: 2 }, state: 'running', lost: false });
  assert.deepEqual([calm.text, calm.dim, calm.exhausted], ['3/8', false, false]);
  assert.match(calm.title, /^Its PostgreSQL connection pool between its last two heartbeats/);
  const busy = poolCell({ pool: exhausted, state: 'running', lost: false });
  assert.deepEqual([busy.text, busy.exhausted], ['2/2, up to 3 waiting, longest 1.20 s', true]);
  assert.match(busy.title, /Exhausted: restart it with a larger OPSDECK_PG_POOL_MAX or a lower --concurrency, unless its statements wait on locks held elsewhere \(.*\), where a larger pool only holds more connections stuck behind them$/);
  const burst = poolCell({ pool: { max: 8, peak_in_use: 8, peak_waiting: 2, longest_wait_ms: 1 }, state: 'running', lost: false });
  assert.deepEqual([burst.text, burst.exhausted], ['8/8, up to 2 waiting, longest 1 ms', false], "a millisecond's queue is said, not marked");
});

test("a lost or stopped worker's pool is its last known, not a live exhaustion; one that said nothing shows a dash", () => {
  const lost = poolCell({ pool: exhausted, state: 'running', lost: true });
  assert.deepEqual([lost.text, lost.dim, lost.exhausted], ['2/2, up to 3 waiting, longest 1.20 s last known', true, false]);
  assert.match(lost.title, /^Last known, a lost worker reports nothing: /);
  const none = poolCell({ pool: null, state: 'running', lost: false });
  assert.deepEqual([none.text, none.dim], ['-', true]);
  assert.match(none.title, /older version/);
});
