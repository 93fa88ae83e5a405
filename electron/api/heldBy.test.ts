import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { calls, type ApiResponse, type CallName } from '../../shared/contract.ts';
import { dispatch } from './dispatch.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';

const REGISTRY = `
services:
  - name: extract
    execution_type: noop
    queue: etl
    retry_config: { max_retries: 0 }
  - name: load
    execution_type: noop
    queue: etl
  - name: mail
    execution_type: noop
    queue: mail
workflows:
  - name: etl2
    tasks:
      - { name: extract, service: extract }
      - { name: load, service: load, depends_on: [extract] }
`;

const ops = { user: 'ops', host: 'vm' };
const STOP = 'the emergency stop is engaged by ops@vm: drill (Resume in the banner at the top releases it)';
const SAFE = 'safe mode is on by ops@vm: deploy (Leave safe mode in the banner at the top)';
const PAUSED = 'queue etl is paused by ops@vm: migration (Resume queue in its banner at the top)';

function ok(res: ApiResponse): unknown {
  if (!res.ok) assert.fail(`${res.error.code}: ${res.error.message}`);
  return res.result;
}

/**
 * Every action that sends work to pending says what holds it, in the same fields dlq.retry answers with:
 * the control plane (a paused queue only among the queues its jobs go to) and the breakers of their services.
 */
for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`what holds the work an action makes pending, on ${dialect}`, () => {
    let t: TestContext | null = null;
    afterEach(async () => {
      await t?.cleanup();
      t = null;
    });

    it('enqueue, retry, workflow run and retry, and schedule run-now each say the stop, safe mode, a paused queue and a breaker', async () => {
      t = await createTestContext(REGISTRY, dialect);
      const { ctx, store } = t;
      const call = async (name: CallName, input: unknown) => ok(await dispatch(name, input, ctx));

      // A run whose first task failed, before anything holds dispatch.
      const run = calls['workflows.run'].output.parse(await call('workflows.run', { workflow: 'etl2' }));
      assert.equal(run.held_by_control, undefined, 'nothing holds it yet');
      assert.equal(run.held_by_breaker, undefined);
      const [extract] = await store.claim({ workerId: 'w', limit: 1, leaseMs: 60_000, queues: ['etl'] });
      assert.ok(extract);
      await store.settle([{ jobId: extract.id, attemptId: extract.attempt_id, workerId: 'w', kind: 'failed', outcome: 'failed', error: { message: 'boom', error_class: 'test', fingerprint: 'fp' } }]);
      assert.equal((await store.getJob(extract.id))?.status, 'failed');
      await call('schedules.add', { name: 'nightly', workflow: 'etl2', cron: '@daily' });
      await call('schedules.add', { name: 'mailer', service: 'mail', cron: '@daily' });

      const [dead] = await t.deadLetters('mail', 1, 'upstream returned 503');
      await store.setEmergencyStop(true, ops, 'drill');
      await store.setSafeMode(true, ops, 'deploy');
      await store.setQueuePaused('etl', true, ops, 'migration');
      await store.setBreakerModeIfItChanges('extract', 'force_open', ops, 'vendor outage');

      const both = [STOP, SAFE];
      const mail = calls['jobs.enqueue'].output.parse(await call('jobs.enqueue', { service: 'mail' }));
      assert.deepEqual(mail.held_by_control, both, 'the etl queue is no queue of this job');
      assert.equal(mail.held_by_breaker, undefined);
      const again = calls['jobs.enqueue'].output.parse(await call('jobs.enqueue', { service: 'mail', identifier: mail.identifier }));
      assert.equal(again.created, false);
      assert.equal(again.held_by_control, undefined, 'nothing was enqueued: nothing is said to wait');

      const many = calls['jobs.enqueueMany'].output.parse(await call('jobs.enqueueMany', { service: 'extract', jobs: [{}, {}] }));
      assert.deepEqual(many.held_by_control, [...both, PAUSED]);
      assert.deepEqual(many.held_by_breaker, [{ service_name: 'extract', mode: 'force_open', state: 'open', jobs: 2 }]);

      const retried = calls['workflows.retry'].output.parse(await call('workflows.retry', { run: run.run_id }));
      assert.deepEqual(retried.retried, [extract.id]);
      assert.deepEqual(retried.held_by_control, [...both, PAUSED]);
      assert.deepEqual(retried.held_by_breaker, [{ service_name: 'extract', mode: 'force_open', state: 'open', jobs: 1 }]);

      const second = calls['workflows.run'].output.parse(await call('workflows.run', { workflow: 'etl2' }));
      assert.deepEqual(second.held_by_control, [...both, PAUSED]);
      assert.deepEqual(second.held_by_breaker, [{ service_name: 'extract', mode: 'force_open', state: 'open', jobs: 1 }], 'its extract task; load is not held by a breaker');

      const fired = calls['schedules.runNow'].output.parse(await call('schedules.runNow', { name: 'mailer' }));
      assert.deepEqual(fired.held_by_control, both);
      const firedRun = calls['schedules.runNow'].output.parse(await call('schedules.runNow', { name: 'nightly' }));
      assert.deepEqual(firedRun.held_by_control, [...both, PAUSED]);

      const job = calls['jobs.retry'].output.parse(await call('jobs.retry', { id: dead ?? 0 }));
      assert.equal(job.status, 'pending');
      assert.deepEqual(job.held_by_control, both, 'its queue is the dead letter\'s own, not etl');

      // Released, the same actions say nothing holds them.
      await store.setEmergencyStop(false, ops, null);
      await store.setSafeMode(false, ops, null);
      await store.setQueuePaused('etl', false, ops, null);
      await store.setBreakerModeIfItChanges('extract', 'reset', ops, null);
      const free = calls['jobs.enqueue'].output.parse(await call('jobs.enqueue', { service: 'extract' }));
      assert.deepEqual([free.held_by_control, free.held_by_breaker], [undefined, undefined]);
    });
  });
}
