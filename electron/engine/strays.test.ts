import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineLogger } from '../log/logger.ts';
import type { Settlement } from '../store/store.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { handBackStrays, STRAY_WINDOW_MS, StrayWatch } from './strays.ts';

test('strays are looked for only after a failed claim, for a while, at most once a second', () => {
  const watch = new StrayWatch();
  assert.equal(watch.due(1_000), false, 'no claim failed: nothing to look for');
  watch.claimFailed(1_000);
  assert.equal(watch.due(1_100), true);
  assert.equal(watch.due(1_500), false, 'not twice within a second');
  assert.equal(watch.due(2_100), true);
  assert.equal(watch.due(1_000 + STRAY_WINDOW_MS), false, 'the window has closed');
  watch.claimFailed(50_000);
  assert.equal(watch.due(50_001), true, 'another failure opens it again');
});

test('a stray is an attempt leased to this worker that it neither holds nor gave up', () => {
  const watch = new StrayWatch();
  watch.gaveUp(7);
  const leased = [1, 2, 7, 9].map((attemptId) => ({ jobId: attemptId * 10, attemptId }));
  assert.deepEqual(watch.strays(leased, new Set([1, 2])).map((a) => a.attemptId), [9], '1 and 2 held, 7 given up');
  // Once the store no longer has 7 under this worker (the watchdog took it), it is forgotten: a later
  // attempt with that id could only be a new one.
  assert.deepEqual(watch.strays([{ jobId: 90, attemptId: 9 }], new Set()).map((a) => a.attemptId), [9]);
  assert.deepEqual(watch.strays([{ jobId: 70, attemptId: 7 }], new Set()).map((a) => a.attemptId), [7]);
});

test('a result that lands while the store is asked for the leased attempts is no stray', async () => {
  const { store, cleanup } = await createSqliteTestStore();
  try {
    await store.enqueue([{ queue: 'default', service_name: 'quick', execution_type: 'noop', max_attempts: 1 }]);
    const [claimed] = await store.claim({ workerId: 'w1', limit: 1, leaseMs: 60_000 });
    assert.ok(claimed);
    const held = new Set([claimed.attempt_id]);
    const lines: string[] = [];
    const handedBack: Settlement[] = [];
    const watch = new StrayWatch();
    watch.claimFailed(Date.now());
    await handBackStrays({
      store: {
        // The store reads the attempt leased, then the worker's settle of it lands before the answer is read.
        async leasedAttempts(workerId) {
          const leased = await store.leasedAttempts(workerId);
          assert.deepEqual(await store.settle([{ jobId: claimed.id, attemptId: claimed.attempt_id, workerId: 'w1', kind: 'completed' }]), [claimed.id]);
          held.delete(claimed.attempt_id);
          return leased;
        },
      },
      workerId: 'w1',
      log: lineLogger((l) => lines.push(l)),
      watch,
      held: () => held,
      handBack: (s) => handedBack.push(s),
    });
    assert.deepEqual(handedBack, [], 'the completed job is not handed back as interrupted');
    assert.deepEqual(lines, [], 'nor warned of as a stray');
    assert.equal((await store.getJob(claimed.id))?.status, 'completed');
  } finally {
    await cleanup();
  }
});
