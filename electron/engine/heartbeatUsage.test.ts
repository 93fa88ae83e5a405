import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WorkerPool } from '../../shared/domain.ts';
import { HeartbeatUsage } from './heartbeatUsage.ts';

/** A store whose pool went through `periods`, one a take, as PgDb's gauge would tell them. */
function storeOf(periods: (WorkerPool | null)[]) {
  let taken = 0;
  return { takePoolPeaks: () => periods[taken++] ?? null };
}

const calm: WorkerPool = { max: 2, peak_in_use: 1, peak_waiting: 0, longest_wait_ms: 3 };
const exhausted: WorkerPool = { max: 2, peak_in_use: 2, peak_waiting: 4, longest_wait_ms: 4800 };

test("each heartbeat carries the pool's figures since the one before, beside the memory and CPU", () => {
  const usage = new HeartbeatUsage();
  const store = storeOf([exhausted, calm]);
  const first = usage.take(store);
  assert.deepEqual(first.pool, exhausted);
  assert.ok(first.memory !== null && first.memory.rss_bytes > 0, 'memory measured too');
  usage.sent(first);
  assert.deepEqual(usage.take(store).pool, calm, 'a heartbeat the store took is not said again');
});

test('a heartbeat that did not reach the store leaves its figures to the next, the worst of both kept', () => {
  const usage = new HeartbeatUsage();
  const timedOut: WorkerPool = { max: 2, peak_in_use: 2, peak_waiting: 1, longest_wait_ms: 5000 };
  const store = storeOf([exhausted, timedOut, calm]);
  assert.deepEqual(usage.take(store).pool, exhausted);
  // It failed (waiting on that very pool, most likely): no sent().
  const next = usage.take(store);
  assert.deepEqual(next.pool, { max: 2, peak_in_use: 2, peak_waiting: 4, longest_wait_ms: 5000 });
  usage.sent(next);
  assert.deepEqual(usage.take(store).pool, calm);
});

test("two heartbeats on their way at once (one on a control change beside the periodic one): the first landing keeps the second's figures should it fail", () => {
  const usage = new HeartbeatUsage();
  const timedOut: WorkerPool = { max: 2, peak_in_use: 2, peak_waiting: 1, longest_wait_ms: 5000 };
  const store = storeOf([calm, exhausted, timedOut]);
  const first = usage.take(store);
  const second = usage.take(store);
  assert.deepEqual(second.pool, exhausted, 'the second carries both periods, the worst of each');
  usage.sent(first);
  // The second failed: no sent(). What it carried goes with the next.
  assert.deepEqual(usage.take(store).pool, { max: 2, peak_in_use: 2, peak_waiting: 4, longest_wait_ms: 5000 });
});

test('two heartbeats on their way at once, the later landing first: the earlier one carried nothing it did not', () => {
  const usage = new HeartbeatUsage();
  const store = storeOf([exhausted, calm, calm]);
  const first = usage.take(store);
  const second = usage.take(store);
  usage.sent(second);
  // Its figures went with the second too: landing after, it leaves nothing to send again.
  usage.sent(first);
  assert.deepEqual(usage.take(store).pool, calm);
});

test('a store with no pool (SQLite) says none', () => {
  const usage = new HeartbeatUsage();
  assert.equal(usage.take(storeOf([null])).pool, null);
});
