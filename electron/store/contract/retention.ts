import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { PruneCutoffs } from '../../../shared/retention.ts';
import { alice, err, job, sleep, base, claimOne, deadLetter, allJobIds, pruneAll } from './fixtures.ts';
import type { ContractTest } from './fixtures.ts';

/** Every kind of job is "older" than a cutoff an hour ahead, and none older than one an hour back. */
function cutoffsAt(when: Date): PruneCutoffs {
  return { completed: when, cancelled: when, deadLetters: when, history: when };
}

/** Pruning by retention, and who does the upkeep. */
export function retentionContract(test: ContractTest): void {
  describe('retention', () => {
    test('pruning removes finished jobs past their retention, never pending, running or open dead letters', async (store) => {
      const [pending] = await store.enqueue([job('svc')]);
      const running = await claimOne(store, { service_name: 'svc' });
      const completed = await claimOne(store, { service_name: 'svc' });
      await store.settle([{ ...base(completed), kind: 'completed' }]);
      const [cancelled] = await store.enqueue([job('svc', { queue: 'other' })]);
      assert.ok(pending && cancelled);
      await store.cancelJob(cancelled.id, alice, null);
      const open = await deadLetter(store, 'svc', err('still broken'));
      const resolved = await deadLetter(store, 'svc', err('known'));
      await store.dlqResolve({ job_ids: [resolved] }, 'fixed upstream', alice);
      const cutoffs = cutoffsAt(new Date(Date.now() + 3_600_000));
      const estimate = await store.pruneEstimate(cutoffs);
      assert.deepEqual([estimate.completed, estimate.cancelled, estimate.dead_letters], [1, 1, 1]);
      assert.ok(estimate.bytes > 0, 'the estimate says about how much space the jobs take');
      const pruned = await pruneAll(store, cutoffs, 2);
      assert.deepEqual([pruned.completed, pruned.cancelled, pruned.dead_letters], [1, 1, 1]);
      assert.ok(pruned.batches >= 3, 'small batches walk the jobs a few at a time');
      assert.deepEqual((await allJobIds(store)).sort((a, b) => a - b), [pending.id, running.id, open].sort((a, b) => a - b));
      assert.deepEqual(await store.listAttempts(completed.id), [], 'attempts go with their job');
      assert.equal((await store.listAttempts(open)).length, 1);
      assert.equal(await store.deadLetterCount(), 1);
    });

    test('nothing newer than its cutoff is pruned, and a pruned id is never handed out again', async (store) => {
      const done = await claimOne(store, { service_name: 'svc' });
      await store.settle([{ ...base(done), kind: 'completed' }]);
      const past = cutoffsAt(new Date(Date.now() - 3_600_000));
      assert.deepEqual(await store.pruneBatch(past, 0, 100), { completed: 0, cancelled: 0, dead_letters: 0, lastId: done.id, done: true });
      assert.equal((await store.pruneEstimate(past)).completed, 0);
      await pruneAll(store, cutoffsAt(new Date(Date.now() + 3_600_000)), 100);
      assert.equal(await store.getJob(done.id), null);
      const [next] = await store.enqueue([job('svc')]);
      assert.ok(next && next.id > done.id, `a new job gets an id above the pruned ${done.id}, not ${next?.id}`);
    });

    test('the per-minute history outlives the jobs and goes after its own retention', async (store) => {
      const done = await claimOne(store, { service_name: 'svc' });
      await store.settle([{ ...base(done), kind: 'completed' }]);
      const failed = await claimOne(store, { service_name: 'svc' });
      await store.settle([{ ...base(failed), kind: 'failed', error: { message: 'boom', error_class: 'exit_code', fingerprint: 'fp-boom' }, outcome: 'failed' }]);
      await store.dlqResolve({ job_ids: [failed.id] }, 'seen', alice);
      await pruneAll(store, cutoffsAt(new Date(Date.now() + 3_600_000)), 100);
      const sum = async () => (await store.throughput(new Date(Date.now() - 3_600_000), 60)).reduce((n, b) => n + b.completed, 0);
      const failures = async () => (await store.recentFailures(new Date(Date.now() - 3_600_000), null, 10)).total;
      assert.equal(await sum(), 1, 'the charts still show the pruned job');
      assert.equal(await failures(), 1, 'and the recent failures the pruned dead letter');
      assert.equal(await store.pruneHistory(new Date(Date.now() - 3_600_000), 1000), 0);
      assert.deepEqual([await sum(), await failures()], [1, 1]);
      assert.ok((await store.pruneHistory(new Date(Date.now() + 120_000), 1000)) > 0);
      assert.deepEqual([await sum(), await failures()], [0, 0]);
      const space = await store.reclaimSpace(1 << 20);
      assert.ok(space.freedBytes >= 0 && space.freeBytes >= 0);
    });

    test('a cutoff inside a minute keeps that minute, on either store', async (store) => {
      const minuteStart = Math.floor(Date.now() / 60_000) * 60_000;
      const done = await claimOne(store, { service_name: 'svc' });
      await store.settle([{ ...base(done), kind: 'completed' }]);
      const sum = async () => (await store.throughput(new Date(minuteStart - 3_600_000), 60)).reduce((n, b) => n + b.completed, 0);
      assert.equal(await store.pruneHistory(new Date(minuteStart + 30_000), 1000), 0, 'the minute the job finished in holds the cutoff, or comes after it');
      assert.equal(await sum(), 1);
    });

    test('one owner at a time holds an upkeep task, renews it, and loses it only once it runs out', async (store) => {
      assert.equal(await store.takeMaintenance('prune', 'a', 300), true);
      assert.equal(await store.takeMaintenance('prune', 'b', 300), false);
      assert.equal(await store.takeMaintenance('prune', 'a', 300), true, 'the owner renews');
      assert.equal(await store.takeMaintenance('other', 'b', 300), true, 'tasks are held apart');
      await sleep(450);
      assert.equal(await store.takeMaintenance('prune', 'b', 60_000), true, 'an expired lease is taken over');
      assert.equal(await store.takeMaintenance('prune', 'a', 60_000), false);
    });

    test('an upkeep task says who holds it until when, and is given up by its owner alone', async (store) => {
      assert.equal(await store.maintenanceHolder('prune'), null, 'never taken');
      const asked = Date.now();
      assert.equal(await store.takeMaintenance('prune', 'a', 60_000), true);
      const held = await store.maintenanceHolder('prune');
      assert.equal(held?.owner, 'a');
      const until = Date.parse(held?.until ?? '');
      assert.ok(until >= asked + 55_000 && until <= Date.now() + 65_000, `held for about a minute: until ${held?.until}`);
      await store.releaseMaintenance('prune', 'b');
      assert.equal((await store.maintenanceHolder('prune'))?.owner, 'a', 'another owner cannot give it up');
      await store.releaseMaintenance('prune', 'a');
      assert.equal(await store.maintenanceHolder('prune'), null, 'given up');
      assert.equal(await store.takeMaintenance('prune', 'b', 300), true, 'and taken at once by another');
      await sleep(450);
      assert.equal(await store.maintenanceHolder('prune'), null, 'a lease that ran out is held by nobody');
    });
  });
}
