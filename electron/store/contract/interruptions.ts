import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { alice, LEASE, job, mustGet, only, base } from './fixtures.ts';
import type { ContractTest } from './fixtures.ts';

/**
 * The stops of a job whose worker could not confirm its lease (a store going away): counted in the job,
 * told by each claim, and set back by an operator's retry.
 */
export function interruptionsContract(test: ContractTest): void {
  describe('lease interruptions', () => {
    test('the interruptions its worker could not confirm the lease of are counted in the job, and each claim, gated or not, tells the count', async (store) => {
      const queue = `q-${Math.random().toString(36).slice(2)}`;
      const [enqueued] = await store.enqueue([job('counted', { queue, max_attempts: 3 })]);
      assert.ok(enqueued);
      const gate = { service: 'counted', limit: 100, perMs: 60_000, maxConcurrent: null };
      const claimAgain = async (gated: boolean) => only(await store.claim({ workerId: 'w1', limit: 5, leaseMs: LEASE, queues: [queue], ...(gated ? { gates: [gate] } : {}) }));
      let claimed = await claimAgain(false);
      assert.equal(claimed.interruptions, 0);
      const reason = 'its worker lost the store and stopped it';
      // Handed back by a shutdown, or unstarted: no lease went unconfirmed, nothing is counted.
      await store.settle([{ ...base(claimed), kind: 'interrupted', reason: 'worker shutdown', ran: true }]);
      claimed = await claimAgain(true);
      assert.equal(claimed.interruptions, 0);
      await store.settle([{ ...base(claimed), kind: 'interrupted', reason, ran: true, lease_unconfirmed: true }]);
      claimed = await claimAgain(true);
      assert.equal(claimed.interruptions, 1, 'told by the gated claim');
      await store.settle([{ ...base(claimed), kind: 'interrupted', reason, ran: true, lease_unconfirmed: true }]);
      claimed = await claimAgain(false);
      assert.equal(claimed.interruptions, 2, 'told by the plain claim');
      assert.equal(claimed.attempt, 1, 'none of those spent an attempt');
      // Past the free ones the worker settles the stop as a failure: counted too, the attempt spent.
      const error = { message: 'interrupted 3 times by lost leases or store outages', error_class: 'lease_unconfirmed', fingerprint: 'lease-unconfirmed' };
      await store.settle([{ ...base(claimed), kind: 'retry', outcome: 'failed', error, run_at: new Date().toISOString(), lease_unconfirmed: true }]);
      claimed = await claimAgain(false);
      assert.deepEqual([claimed.interruptions, claimed.attempt], [3, 2]);
      await store.settle([{ ...base(claimed), kind: 'completed' }]);
      assert.deepEqual((await store.listAttempts(claimed.id)).map((a) => a.outcome), ['interrupted', 'interrupted', 'interrupted', 'failed', 'completed']);
    });

    test("a job an operator retries starts again with no interruptions counted, as with no attempts spent", async (store) => {
      const queue = `q-${Math.random().toString(36).slice(2)}`;
      const [enqueued] = await store.enqueue([job('interrupted-then-retried', { queue, max_attempts: 1 })]);
      assert.ok(enqueued);
      const claimAgain = async () => only(await store.claim({ workerId: 'w1', limit: 5, leaseMs: LEASE, queues: [queue] }));
      let claimed = await claimAgain();
      for (let stop = 1; stop <= 2; stop += 1) {
        await store.settle([{ ...base(claimed), kind: 'interrupted', reason: 'its worker lost the store and stopped it', ran: true, lease_unconfirmed: true }]);
        claimed = await claimAgain();
      }
      assert.equal(claimed.interruptions, 2);
      const error = { message: 'interrupted 3 times by lost leases or store outages', error_class: 'lease_unconfirmed', fingerprint: 'lease-unconfirmed' };
      await store.settle([{ ...base(claimed), kind: 'failed', outcome: 'failed', error, lease_unconfirmed: true }]);
      assert.equal((await mustGet(store, claimed.id)).status, 'failed');
      assert.ok(await store.retryJob(claimed.id, alice));
      claimed = await claimAgain();
      assert.deepEqual([claimed.interruptions, claimed.attempt], [0, 1], 'retried by hand: the free interruptions are free again');
      await store.settle([{ ...base(claimed), kind: 'failed', outcome: 'failed', error, lease_unconfirmed: true }]);
      assert.equal((await store.dlqRetry({ job_ids: [claimed.id] }, alice)).retried, 1);
      claimed = await claimAgain();
      assert.deepEqual([claimed.interruptions, claimed.attempt], [0, 1], 'retried from the dead-letter queue: the same');
    });
  });
}
