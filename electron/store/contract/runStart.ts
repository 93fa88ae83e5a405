import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { latencyBucket } from '../../../shared/latencyBuckets.ts';
import { ago, alice, base, claimOne, mustGet, only, sleep } from './fixtures.ts';
import type { ContractTest } from './fixtures.ts';
import type { ClaimedJob, Settlement } from '../store.ts';

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
      // Claimed ahead, run 150 ms, stopped, and held while the store was away.
      await sleep(500);
      const endedAt = ago(250);
      const settled = { ...base(claimed), kind: 'interrupted' as const, reason: 'its worker lost the store and stopped it', ran: true, ended_at: endedAt, run_ms: 150 };
      assert.deepEqual(await store.settle([settled]), [claimed.id]);
      const attempt = only(await store.listAttempts(claimed.id));
      assert.deepEqual([ms(attempt.started_at), ms(attempt.finished_at)], [ms(endedAt) - 150, ms(endedAt)]);
      assert.equal(ms((await mustGet(store, claimed.id)).started_at), ms(endedAt) - 150, 'the job shows the run it gave back');
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

    test('a retry dates its attempt by how long it ran; the next claim starts the job anew, and its run dates it again', async (store) => {
      const claimed = await claimOne(store, { max_attempts: 3 });
      const claimedAt = ms((await mustGet(store, claimed.id)).started_at);
      await sleep(300);
      const error = { message: 'again', error_class: 'TestError', fingerprint: 'fp' };
      assert.deepEqual(await store.settle([{ ...base(claimed), kind: 'retry', error, outcome: 'failed', run_at: ago(0), run_ms: 40 }]), [claimed.id]);
      const first = only(await store.listAttempts(claimed.id));
      assert.equal(ms(first.finished_at) - ms(first.started_at), 40, 'the failed attempt took what it ran');
      assert.ok(ms(first.started_at) - claimedAt >= 250, 'started after its wait for a slot');
      const back = await mustGet(store, claimed.id);
      assert.deepEqual([back.status, back.started_at], ['pending', first.started_at], 'the job shows the run that failed');

      const again = only(await store.claim({ workerId: 'w1', limit: 1, leaseMs: 60_000, queues: [back.queue] }));
      await sleep(200);
      await store.settle([{ ...base(again), kind: 'completed', run_ms: 30 }]);
      const done = await mustGet(store, claimed.id);
      assert.equal(ms(done.completed_at) - ms(done.started_at), 30);
      const attempts = await store.listAttempts(claimed.id);
      assert.deepEqual(attempts.map((a) => [a.attempt, a.outcome, ms(a.finished_at) - ms(a.started_at)]).sort(), [[1, 'failed', 40], [2, 'completed', 30]]);
    });

    test('an operator\'s cancel of a running job dates the cancelled run by how long it ran, as does a retry the cancel turned into one', async (store) => {
      const stopped = await claimOne(store);
      const retried = await claimOne(store);
      for (const c of [stopped, retried]) await store.cancelJob(c.id, alice, 'wrong input');
      await sleep(300);
      const error = { message: 'again', error_class: 'TestError', fingerprint: 'fp' };
      assert.deepEqual(
        await store.settle([
          { ...base(stopped), kind: 'cancelled', reason: 'cancelled by an operator', ran: true, run_ms: 30 },
          { ...base(retried), kind: 'retry', error, outcome: 'failed', run_at: ago(0), run_ms: 45 },
        ]),
        [stopped.id, retried.id],
      );
      for (const [c, ran] of [[stopped, 30], [retried, 45]] as const) {
        const job = await mustGet(store, c.id);
        assert.equal(job.status, 'cancelled');
        assert.equal(ms(job.completed_at) - ms(job.started_at), ran, `job ${c.id} took the ${ran} ms it ran`);
        const attempt = only(await store.listAttempts(c.id));
        assert.deepEqual([attempt.started_at, ms(attempt.finished_at) - ms(attempt.started_at)], [job.started_at, ran]);
      }
    });

    test('a batch mixing run_ms no run can have with good ones lands whole: each bad one keeps its claim as the start', async (store) => {
      const claimed: ClaimedJob[] = [];
      for (let i = 0; i < 6; i++) claimed.push(await claimOne(store));
      const claimedAt = new Map(await Promise.all(claimed.map(async (c) => [c.id, ms((await mustGet(store, c.id)).started_at)] as const)));
      await sleep(300);
      const runMs = [40, -5, Number.NaN, 25, Number.POSITIVE_INFINITY, 3 * 2_147_483_647];
      const batch = claimed.map((c, i): Settlement => ({ ...base(c), kind: 'completed', run_ms: runMs[i] }));
      assert.deepEqual(await store.settle(batch), claimed.map((c) => c.id), 'none refused');
      for (const [i, c] of claimed.entries()) {
        const done = await mustGet(store, c.id);
        assert.equal(done.status, 'completed');
        const took = ms(done.completed_at) - ms(done.started_at);
        const said = runMs[i] ?? Number.NaN;
        if (said === 40 || said === 25) assert.equal(took, said, `job ${c.id} took the ${said} ms it ran`);
        else assert.equal(ms(done.started_at), claimedAt.get(c.id), `job ${c.id}, run_ms ${said}: started at its claim`);
        assert.equal(only(await store.listAttempts(c.id)).started_at, done.started_at);
      }
    });

    test('a run\'s start is never before its claim: not for an end dated before it by a worker clock behind the store\'s, nor for a run longer than the job has existed', async (store) => {
      const behind = await claimOne(store, { max_attempts: 1 });
      const behindClaim = await mustGet(store, behind.id);
      const endedAt = new Date(ms(behindClaim.started_at) - 5000).toISOString();
      await store.settle([{ ...base(behind), kind: 'interrupted', reason: 'its worker lost the store and stopped it', ran: true, ended_at: endedAt, run_ms: 100 }]);
      const back = await mustGet(store, behind.id);
      assert.equal(back.started_at, behindClaim.started_at, 'its claim, not 5.1 s before it');
      assert.equal(only(await store.listAttempts(behind.id)).started_at, behindClaim.started_at);

      const since = new Date(Date.now() - 60_000);
      const long = await claimOne(store, { service_name: 'long' });
      const longClaim = await mustGet(store, long.id);
      await store.settle([{ ...base(long), kind: 'completed', run_ms: 3_600_000 }]);
      const done = await mustGet(store, long.id);
      assert.equal(done.started_at, longClaim.started_at, 'its claim, not an hour before the job was created');
      assert.ok(ms(done.started_at) >= ms(done.created_at));
      const attempt = only(await store.listAttempts(long.id));
      assert.equal(attempt.started_at, longClaim.started_at);
      const latency = (await store.rollupsByService(since, 'long')).latency;
      assert.ok(latency.every((l) => l.bucket < latencyBucket(60_000)), `its duration is from its claim, not an hour: ${JSON.stringify(latency)}`);
    });
  });
}
