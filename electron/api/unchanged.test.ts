import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { calls } from '../../shared/contract.ts';
import { dispatch } from './dispatch.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';
import { failure, ok } from './testing/responses.ts';

/** Operator calls asking for what is already so: each says nothing changed, and none is audited. */

const REGISTRY = `
services:
  - name: step
    execution_type: noop
workflows:
  - name: pair
    tasks:
      - { name: first, service: step }
      - { name: second, service: step, depends_on: [first] }
`;

let t: TestContext | null = null;
afterEach(async () => {
  await t?.cleanup();
  t = null;
});

async function context(): Promise<TestContext> {
  t = await createTestContext(REGISTRY);
  return t;
}

describe('control calls that change nothing', () => {
  it('resume, safe mode off and unpause with nothing to undo say so, keep the state and write no audit row', async () => {
    const { ctx, auditCount } = await context();
    const before = await ctx.store.getControl();
    const resumed = calls['control.resume'].output.parse(ok(await dispatch('control.resume', {}, ctx)));
    assert.deepEqual(resumed, { ...before, changed: false, note: 'the emergency stop was not engaged; nothing changed' });
    const safeOff = calls['control.safeMode'].output.parse(ok(await dispatch('control.safeMode', { enabled: false }, ctx)));
    assert.deepEqual([safeOff.changed, safeOff.note], [false, 'safe mode was not on; nothing changed']);
    const unpaused = calls['control.pauseQueue'].output.parse(ok(await dispatch('control.pauseQueue', { queue: 'default', paused: false }, ctx)));
    assert.deepEqual([unpaused.changed, unpaused.note], [false, 'queue default was not paused; nothing changed']);
    assert.equal(await auditCount(), 0);
    assert.equal((await ctx.store.getControl()).version, before.version, 'no worker is told of a change');
  });

  it('a stop, safe mode or pause already in force says who put it there, and keeps their who, when and why', async () => {
    const { ctx, auditCount } = await context();
    const stopped = calls['control.emergencyStop'].output.parse(ok(await dispatch('control.emergencyStop', { reason: 'bad deploy' }, ctx)));
    assert.deepEqual([stopped.changed, stopped.note], [true, null]);
    const safe = calls['control.safeMode'].output.parse(ok(await dispatch('control.safeMode', { enabled: true, reason: 'draining' }, ctx)));
    const paused = calls['control.pauseQueue'].output.parse(ok(await dispatch('control.pauseQueue', { queue: 'default', paused: true }, ctx)));
    assert.deepEqual([safe.changed, paused.changed], [true, true]);
    const audited = await auditCount();

    const bob = { ...ctx, actor: { user: 'bob', host: 'desk' } };
    const again = calls['control.emergencyStop'].output.parse(ok(await dispatch('control.emergencyStop', { reason: 'another reason' }, bob)));
    assert.deepEqual([again.changed, again.note], [false, 'the emergency stop was already engaged by tester@test-host; nothing changed']);
    assert.deepEqual(again.emergency_stop, stopped.emergency_stop, 'engaged again: the first engagement stands, its reason too');
    const safeAgain = calls['control.safeMode'].output.parse(ok(await dispatch('control.safeMode', { enabled: true }, bob)));
    assert.deepEqual([safeAgain.changed, safeAgain.note], [false, 'safe mode was already on (turned on by tester@test-host); nothing changed']);
    const pausedAgain = calls['control.pauseQueue'].output.parse(ok(await dispatch('control.pauseQueue', { queue: 'default', paused: true }, bob)));
    assert.deepEqual([pausedAgain.changed, pausedAgain.note], [false, 'queue default was already paused by tester@test-host; nothing changed']);
    assert.deepEqual(pausedAgain.paused_queues, paused.paused_queues);
    assert.equal(await auditCount(), audited, 'no repeat is audited');

    const resumed = calls['control.resume'].output.parse(ok(await dispatch('control.resume', {}, bob)));
    assert.deepEqual([resumed.changed, resumed.note, resumed.emergency_stop.engaged], [true, null, false]);
    assert.equal(await auditCount(), audited + 1);
  });
});

describe('cancelling a job twice', () => {
  it('a running job already asked to stop is not asked again: the answer names the request in force, nothing is audited', async () => {
    const { ctx, store } = await context();
    const created = calls['jobs.enqueue'].output.parse(ok(await dispatch('jobs.enqueue', { service: 'step' }, ctx)));
    await store.claim({ workerId: 'w1', limit: 1, leaseMs: 60_000 });
    const first = calls['jobs.cancel'].output.parse(ok(await dispatch('jobs.cancel', { id: created.id, reason: 'wrong customer' }, ctx)));
    assert.deepEqual([first.status, first.cancel_requested, first.changed, first.note], ['running', true, true, null]);
    assert.deepEqual({ ...first.cancel_request, at: null }, { by: 'tester@test-host', at: null, reason: 'wrong customer', workflow_run: null });

    const bob = { ...ctx, actor: { user: 'bob', host: 'desk' } };
    const again = calls['jobs.cancel'].output.parse(ok(await dispatch('jobs.cancel', { id: created.id, reason: 'me too' }, bob)));
    assert.equal(again.changed, false);
    assert.deepEqual(again.cancel_request, first.cancel_request);
    assert.match(
      again.note ?? '',
      new RegExp(`^cancel already requested at ${first.cancel_request?.at.replace(/\./g, '\\.')} \\(\\d+s ago\\) by tester@test-host \\(wrong customer\\); nothing changed$`),
    );
    assert.equal((await store.listAudit({ action: 'job.cancel' }, { limit: 5 })).items.length, 1);
  });

  it('a job that has finished is still a conflict, not "nothing changed"', async () => {
    const { ctx } = await context();
    const created = calls['jobs.enqueue'].output.parse(ok(await dispatch('jobs.enqueue', { service: 'step' }, ctx)));
    ok(await dispatch('jobs.cancel', { id: created.id }, ctx));
    assert.deepEqual(failure(await dispatch('jobs.cancel', { id: created.id }, ctx)), {
      code: 'conflict',
      message: `job ${created.id} is cancelled: only pending or running jobs can be cancelled`,
    });
    assert.equal(failure(await dispatch('jobs.cancel', { id: 987_654 }, ctx)).code, 'not_found');
  });
});

describe('cancelling a workflow run that has finished', () => {
  it('is a conflict naming what the run is once it completed, says so once cancelled already, and writes no audit row', async () => {
    const { ctx, store } = await context();
    const started = calls['workflows.run'].output.parse(ok(await dispatch('workflows.run', { workflow: 'pair', identifier: 'r1' }, ctx)));
    for (let i = 0; i < 2; i++) {
      const [claimed] = await store.claim({ workerId: 'w1', limit: 1, leaseMs: 60_000 });
      assert.ok(claimed);
      await store.settle([{ jobId: claimed.id, attemptId: claimed.attempt_id, workerId: 'w1', kind: 'completed' }]);
    }
    const refused = failure(await dispatch('workflows.cancel', { run: started.run_id, reason: 'too late' }, ctx));
    assert.deepEqual(refused, { code: 'conflict', message: `workflow run ${started.run_id} (r1) of pair is completed: nothing to cancel` });

    const other = calls['workflows.run'].output.parse(ok(await dispatch('workflows.run', { workflow: 'pair', identifier: 'r2' }, ctx)));
    assert.deepEqual(calls['workflows.cancel'].output.parse(ok(await dispatch('workflows.cancel', { run: 'r2' }, ctx))), { cancelled: 2, stopping: 0, changed: true, note: null });
    const twice = calls['workflows.cancel'].output.parse(ok(await dispatch('workflows.cancel', { run: 'r2' }, ctx)));
    const finished = (await store.getWorkflowRun(other.run_id))?.run.finished_at;
    assert.ok(finished);
    assert.deepEqual(twice, { cancelled: 0, stopping: 0, changed: false, note: `workflow run ${other.run_id} (r2) of pair was already cancelled at ${finished}; nothing changed` });
    assert.equal((await store.listAudit({ action: 'workflow.cancel' }, { limit: 5 })).items.length, 1);
  });
});

describe('setting a breaker to the mode it is in', () => {
  it('changes nothing, keeps who forced it and why, and writes no audit row, for each mode', async () => {
    const { ctx, store } = await context();
    const set = async (mode: 'auto' | 'force_open' | 'force_closed' | 'reset', reason?: string) =>
      calls['breakers.setMode'].output.parse(ok(await dispatch('breakers.setMode', { service: 'step', mode, ...(reason === undefined ? {} : { reason }) }, ctx)));
    const breakerAudit = async () => (await store.listAudit({}, { limit: 50 })).items.filter((e) => e.action.startsWith('breaker.')).length;

    assert.equal((await set('auto')).changed, false, 'a breaker never saved is in auto already');
    assert.equal((await set('reset')).changed, false, 'a closed breaker in auto has nothing to clear');
    assert.equal(await breakerAudit(), 0);
    for (const mode of ['force_open', 'force_closed'] as const) {
      const first = await set(mode, 'first reason');
      assert.deepEqual([first.changed, first.mode], [true, mode]);
      const again = await set(mode, 'second reason');
      assert.deepEqual([again.changed, again.mode, again.mode_reason], [false, mode, 'first reason'], 'the first reason stands');
    }
    assert.equal((await set('auto')).changed, true);
    assert.equal(await breakerAudit(), 3, 'force_open, force_closed and auto, each once');
  });
});
