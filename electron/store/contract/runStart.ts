import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { latencyBucket } from '../../../shared/latencyBuckets.ts';
import { ago, base, claimOne, mustGet, only, sleep } from './fixtures.ts';
import type { ContractTest } from './fixtures.ts';

const ms = (at: string | null | undefined) => Date.parse(at ?? '');

/**
 * When a run started: a job claimed ahead of a free slot waits in its worker's buffer, leased and running
 * since its claim, before its program starts. The settlement says how long the attempt ran (`run_ms`), and
 * the store dates the run's start that long before its end, on the job and its attempt, in its duration's
 * latency bucket, so no wait for a slot counts as running.
 */
export function runStartContract(test: ContractTest): void {
  describe('the run\'s start', () => {
    test('a settlement saying how long its attempt ran dates the run\'s start that long before the settle: the job, its attempt and its duration bucket', async (store) => {
      const since = new Date(Date.now() - 60_000);
      const claimed = await claimOne(store, { service_name: 'brief', execution_type: 'shell' });
      const claimedAt = ms((await mustGet(store, claimed.id)).started_at);
      // Waiting for a slot in its worker's buffer: leased, not running.
      await sleep(400);
      assert.deepEqual(await store.settle([{ ...base(claimed), kind: 'completed', run_ms: 40 }]), [claimed.id]);

      const done = await mustGet(store, claimed.id);
      assert.equal(ms(done.completed_at) - ms(done.started_at), 40, 'the job took what it ran');
      assert.ok(ms(done.started_at) - claimedAt >= 350, `started after its wait for a slot, not at its claim: ${done.started_at} against ${new Date(claimedAt).toISOString()}`);
      const attempt = only(await store.listAttempts(claimed.id));
      assert.equal(attempt.started_at, done.started_at, 'the attempt started with the run');
      assert.equal(ms(attempt.finished_at) - ms(attempt.started_at), 40);
      const latency = (await store.rollupsByService(since, 'brief')).latency;
      assert.deepEqual(latency.map((l) => [l.bucket, l.n]), [[latencyBucket(40), 1]], 'its duration counted as 40 ms, not the wait');
      const p95 = (await store.latencyByType(since)).find((l) => l.execution_type === 'shell')?.p95_ms ?? Infinity;
      assert.ok(p95 < 50, `the shell p95 is the run's, not the wait's: ${p95} ms`);
    });

    test('a run stopped long before its settle starts run_ms before it ended', async (store) => {
      const claimed = await claimOne(store, { max_attempts: 1 });
      const endedAt = ago(20_000);
      const settled = { ...base(claimed), kind: 'interrupted' as const, reason: 'its worker lost the store and stopped it', ran: true, ended_at: endedAt, run_ms: 1500 };
      assert.deepEqual(await store.settle([settled]), [claimed.id]);
      const attempt = only(await store.listAttempts(claimed.id));
      assert.deepEqual([ms(attempt.started_at), ms(attempt.finished_at)], [ms(endedAt) - 1500, ms(endedAt)]);
      assert.equal(ms((await mustGet(store, claimed.id)).started_at), ms(endedAt) - 1500, 'the job shows the run it gave back');
    });

    test('a settlement that does not say how long it ran (a worker of a version before) keeps the claim as the start', async (store) => {
      const claimed = await claimOne(store);
      const claimedAt = (await mustGet(store, claimed.id)).started_at;
      await sleep(30);
      await store.settle([{ ...base(claimed), kind: 'retry', error: { message: 'again', error_class: 'TestError', fingerprint: 'fp' }, outcome: 'failed', run_at: ago(0) }]);
      assert.equal((await mustGet(store, claimed.id)).started_at, claimedAt);
      assert.equal(only(await store.listAttempts(claimed.id)).started_at, claimedAt);
    });

    test('a hand-back of a job that never ran shows no start, whatever run_ms says', async (store) => {
      const claimed = await claimOne(store);
      await store.settle([{ ...base(claimed), kind: 'interrupted', reason: 'worker shutdown', ran: false, run_ms: 5 }]);
      const back = await mustGet(store, claimed.id);
      assert.deepEqual([back.status, back.started_at, await store.listAttempts(claimed.id)], ['pending', null, []]);
    });

    test('a run_ms no attempt can have is refused, naming it: the job still runs', async (store) => {
      for (const bad of [-5, Number.NaN, Number.POSITIVE_INFINITY]) {
        const claimed = await claimOne(store);
        await assert.rejects(store.settle([{ ...base(claimed), kind: 'completed', run_ms: bad }]), new RegExp(`run_ms ${String(bad)} of job ${claimed.id} is not how long an attempt ran`));
        assert.equal((await mustGet(store, claimed.id)).status, 'running');
      }
    });
  });
}
