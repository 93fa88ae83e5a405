import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { alice, ALICE, auditActions, base, claimOne, job, mustGet, only } from './fixtures.ts';
import type { ContractTest } from './fixtures.ts';

/** "Fail it now" for a running job whose worker is gone, and finding the jobs that run too long. */
export function failJobContract(test: ContractTest): void {
  describe('failing a running job', () => {
    test('running → failed at once: a dead letter with its attempt recorded, audited', async (store) => {
      const claimed = await claimOne(store, { service_name: 'reports' }, 'dead-worker');
      const failed = await store.failRunningJob(claimed.id, 'dead-worker', alice, 'worker host was terminated');
      assert.equal(failed?.status, 'failed');
      assert.equal(failed?.lease_owner, null);
      assert.equal(failed?.resolved_at, null);
      assert.ok(failed?.completed_at);
      assert.equal(failed?.error_message, `failed by an operator (${ALICE}): worker host was terminated`);
      assert.equal(failed?.error_fingerprint, 'operator-failed:reports');
      const attempt = only(await store.listAttempts(claimed.id));
      assert.equal(attempt.outcome, 'failed');
      assert.equal(attempt.error_class, 'operator');
      assert.equal(attempt.worker_id, 'dead-worker');
      assert.ok(attempt.finished_at);
      assert.equal(await store.deadLetterCount(), 1);
      assert.deepEqual((await store.dlqGroups({})).map((g) => [g.fingerprint, g.count]), [['operator-failed:reports', 1]]);
      const audit = only((await auditActions(store)).filter((a) => a.action === 'job.fail'));
      assert.deepEqual([audit.actor, audit.target, audit.job_count], [ALICE, String(claimed.id), 1]);
      assert.deepEqual(audit.details, { reason: 'worker host was terminated', worker: 'dead-worker' });
      assert.deepEqual(await store.settle([{ ...base(claimed, 'dead-worker'), kind: 'completed' }]), [], 'the old worker cannot settle it any more');
      assert.equal((await mustGet(store, claimed.id)).status, 'failed');
      assert.equal((await store.retryJob(claimed.id, alice))?.status, 'pending', 'and it retries like every other dead letter');
    });

    test('refused unless the job still runs under the named worker', async (store) => {
      const claimed = await claimOne(store, {}, 'w1');
      const other = await store.failRunningJob(claimed.id, 'w2', alice, 'wrong worker');
      assert.equal(other?.status, 'running', 'a job another worker holds is left alone');
      await store.settle([{ ...base(claimed), kind: 'completed' }]);
      assert.equal((await store.failRunningJob(claimed.id, 'w1', alice, 'too late'))?.status, 'completed');
      const [pending] = await store.enqueue([job('svc')]);
      assert.ok(pending);
      assert.equal((await store.failRunningJob(pending.id, null, alice, 'not running'))?.status, 'pending');
      assert.equal(await store.failRunningJob(987_654, null, alice, 'no such job'), null);
      assert.equal((await auditActions(store)).filter((a) => a.action === 'job.fail').length, 0, 'refusals are not audited');
    });

    test('started_before finds the jobs that have run longer than a time', async (store) => {
      const old = await claimOne(store, {}, 'w1');
      const cutoff = new Date(Date.now() + 60_000).toISOString();
      const running = await store.listJobs({ status: ['running'], started_before: cutoff }, { limit: 10 });
      assert.deepEqual(running.items.map((j) => j.id), [old.id]);
      const none = await store.listJobs({ status: ['running'], started_before: new Date(Date.now() - 60_000).toISOString() }, { limit: 10 });
      assert.deepEqual(none.items, []);
      assert.equal(await store.countJobs({ status: ['running'], started_before: cutoff }), 1);
      await store.enqueue([job('svc')]);
      assert.equal(await store.countJobs({ started_before: cutoff }), 1, 'a job that never started has no start to compare');
    });
  });
}
