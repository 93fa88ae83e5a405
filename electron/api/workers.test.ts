import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calls, type HealthReport } from '../../shared/contract.ts';
import { dispatch } from './dispatch.ts';
import { createTestContext } from './testing/apiTestContext.ts';

const REGISTRY = 'services:\n  - name: svc\n    execution_type: noop\n';

test('a lost worker fails health-check while it holds jobs, is a warning once they were taken back, and can be forgotten (audited)', async (t) => {
  // Lost means 10 s without a heartbeat: the clock is moved on rather than waited for.
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  const c = await createTestContext(REGISTRY);
  try {
    const health = async (): Promise<HealthReport> => {
      const res = await dispatch('health.check', {}, c.ctx);
      return calls['health.check'].output.parse(res.ok ? res.result : assert.fail(JSON.stringify(res)));
    };
    const workerCheck = async (id: string) => (await health()).checks.find((ch) => ch.name === `worker:${id}`);
    const forget = (id: string) => dispatch('workers.forget', { id }, c.ctx);

    await c.store.registerWorker({ id: 'killed:1', host: 'a', pid: 1, version: 'test', concurrency: 1, queues: null });
    await c.store.enqueue([{ queue: 'default', service_name: 'svc', execution_type: 'noop', max_attempts: 3 }]);
    assert.equal((await c.store.claim({ workerId: 'killed:1', limit: 1, leaseMs: 5_000 })).length, 1);
    t.mock.timers.tick(30_000);
    await c.store.registerWorker({ id: 'live:2', host: 'b', pid: 2, version: 'test', concurrency: 1, queues: null });

    const holding = await workerCheck('killed:1');
    assert.deepEqual([holding?.ok, holding?.warning], [false, undefined]);
    assert.match(holding?.detail ?? '', /^lost: .*1 running job\(s\) still leased to it/);
    const refused = await forget('killed:1');
    assert.ok(!refused.ok && refused.error.code === 'conflict' && /still holds 1 running job/.test(refused.error.message), JSON.stringify(refused));

    // A live worker's watchdog takes the job back.
    assert.equal((await c.store.reclaimExpired(new Date())).retried.length, 1);
    const settled = await workerCheck('killed:1');
    assert.deepEqual([settled?.ok, settled?.warning], [true, true]);
    assert.match(settled?.detail ?? '', /its jobs were taken back .*: Forget beside killed:1 on the Runners page$/);
    const failing = (await health()).checks.filter((ch) => !ch.ok && /^worker|^dispatch/.test(ch.name));
    assert.deepEqual(failing, [], 'a recovered lost worker fails no check');

    const alive = await forget('live:2');
    assert.ok(!alive.ok && alive.error.code === 'conflict' && /is alive/.test(alive.error.message));
    const gone = await forget('killed:1');
    assert.ok(gone.ok, JSON.stringify(gone));
    assert.equal(await workerCheck('killed:1'), undefined);
    assert.equal((await forget('killed:1')).ok, false);
    const audit = (await c.store.listAudit({ action: 'worker.forget' }, { limit: 10 })).items;
    assert.deepEqual(audit.map((a) => a.target), ['killed:1']);
  } finally {
    await c.cleanup();
  }
});

test('a lost worker is a failure while no live worker serves, even with its jobs taken back', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  const c = await createTestContext(REGISTRY);
  try {
    await c.store.registerWorker({ id: 'only:1', host: 'a', pid: 1, version: 'test', concurrency: 1, queues: null });
    t.mock.timers.tick(30_000);
    const res = await dispatch('health.check', { check: 'worker' }, c.ctx);
    const report = calls['health.check'].output.parse(res.ok ? res.result : null);
    assert.deepEqual(report.checks.map((ch) => [ch.name, ch.ok]), [['worker:only:1', false]]);
    assert.match(report.checks[0]?.detail ?? '', /no live worker is serving/);
  } finally {
    await c.cleanup();
  }
});
