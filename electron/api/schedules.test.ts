import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calls } from '../../shared/contract.ts';
import type { ApiError, CallName } from '../../shared/contract.ts';
import type { ApiContext } from './context.ts';
import { dispatch } from './dispatch.ts';
import { Scheduler } from '../engine/scheduler.ts';
import { EngineEmitter } from '../engine/engineEvents.ts';
import { createTestContext } from './testing/apiTestContext.ts';
import { silentLogger } from '../log/logger.ts';
import { scheduleWrite } from '../engine/schedulePlans.ts';

const REGISTRY = `services:
  - name: report
    execution_type: noop
    queue: reports
schedules:
  - name: nightly
    service: report
    cron: "30 2 * * *"
    timezone: Europe/Berlin
`;

function caller(ctx: ApiContext) {
  return {
    async ok(name: CallName, input: unknown): Promise<unknown> {
      const res = await dispatch(name, input, ctx);
      if (!res.ok) assert.fail(`${name}: ${res.error.code}: ${res.error.message}`);
      return res.result;
    },
    async fails(name: CallName, input: unknown): Promise<ApiError> {
      const res = await dispatch(name, input, ctx);
      if (res.ok) assert.fail(`${name}: expected a failure, got ${JSON.stringify(res.result)}`);
      return res.error;
    },
  };
}

test('schedules through the contract: registry ones are paused, not removed; operator ones come and go; all audited', async () => {
  const t = await createTestContext(REGISTRY);
  try {
    const call = caller(t.ctx);
    // A worker's scheduler syncs the registry's schedules into the store.
    await new Scheduler({ store: t.store, registry: t.ctx.registry, workerId: 'w', emitter: new EngineEmitter(silentLogger), log: silentLogger }).syncRegistry();

    const list = calls['schedules.list'].output.parse(await call.ok('schedules.list', {}));
    const [nightly] = list.schedules;
    assert.equal(nightly?.name, 'nightly');
    assert.equal(nightly?.source, 'registry');
    assert.equal(nightly?.next_fires.length, 3);
    assert.ok(nightly?.next_fires.every((f) => /T0[01]:30:00\.000Z$/.test(f)), `02:30 in Berlin is 00:30 or 01:30 UTC: ${nightly?.next_fires.join(', ')}`);

    const removeRegistry = await call.fails('schedules.remove', { name: 'nightly' });
    assert.equal(removeRegistry.code, 'conflict');
    assert.match(removeRegistry.message, /comes from the registry.*pause it/);

    const paused = calls['schedules.pause'].output.parse(await call.ok('schedules.pause', { name: 'nightly', reason: 'quarter close' }));
    assert.equal(paused.active, false);
    assert.deepEqual(paused.next_fires, []);
    const resumed = calls['schedules.resume'].output.parse(await call.ok('schedules.resume', { name: 'nightly' }));
    assert.ok(resumed.active && resumed.next_fire_at !== null);

    const unknown = await call.fails('schedules.add', { name: 'x', service: 'nope', cron: '@daily' });
    assert.equal(unknown.code, 'not_found');
    assert.match(unknown.message, /service nope is not in the registry \(known: report\)/);
    const badCron = await call.fails('schedules.add', { name: 'x', service: 'report', cron: '0 25 * * *' });
    assert.equal(badCron.code, 'invalid_input');
    assert.match(JSON.stringify(badCron.issues), /hour/);
    const workflow = await call.fails('schedules.add', { name: 'x', workflow: 'etl', cron: '@daily' });
    assert.deepEqual([workflow.code, workflow.message], ['not_found', 'workflow etl is not in the registry (known: none)']);

    const added = calls['schedules.add'].output.parse(await call.ok('schedules.add', { name: 'adhoc', service: 'report', cron: '*/10 * * * * *', payload: { n: 1 } }));
    assert.equal(added.source, 'operator');
    assert.equal((await call.fails('schedules.add', { name: 'adhoc', service: 'report', cron: '@daily' })).code, 'conflict');

    const run = calls['schedules.runNow'].output.parse(await call.ok('schedules.runNow', { name: 'adhoc' }));
    const job = await t.store.getJob(run.job_id ?? 0);
    assert.equal(job?.queue, 'reports', "the service's queue");
    assert.deepEqual(job?.payload, { n: 1 });
    assert.match(job?.identifier ?? '', /^schedule:adhoc:run-now:/);
    const fires = calls['schedules.fires'].output.parse(await call.ok('schedules.fires', { name: 'adhoc' }));
    assert.deepEqual(fires.fires.map((f) => [f.trigger, f.job_id]), [['manual', job?.id]]);

    await call.ok('schedules.remove', { name: 'adhoc' });
    assert.equal((await call.fails('schedules.get', { name: 'adhoc' })).code, 'not_found');

    const audit = (await t.store.listAudit({}, { limit: 50 })).items.filter((a) => a.action.startsWith('schedule.'));
    assert.deepEqual(audit.map((a) => [a.action, a.target, a.actor.split('@')[0]]).reverse(), [
      ['schedule.sync', null, 'registry'],
      ['schedule.pause', 'nightly', 'tester'],
      ['schedule.resume', 'nightly', 'tester'],
      ['schedule.add', 'adhoc', 'tester'],
      ['schedule.run_now', 'adhoc', 'tester'],
      ['schedule.remove', 'adhoc', 'tester'],
    ]);
  } finally {
    await t.cleanup();
  }
});

test('pause and resume that change nothing say so and write no audit row; a disabled schedule is not called resumed', async () => {
  const t = await createTestContext(`${REGISTRY}  - name: weekday
    service: report
    cron: "0 9 * * MON-FRI"
    enabled: false
`);
  try {
    const call = caller(t.ctx);
    await new Scheduler({ store: t.store, registry: t.ctx.registry, workerId: 'w', emitter: new EngineEmitter(silentLogger), log: silentLogger }).syncRegistry();
    const audited = async () => (await t.store.listAudit({}, { limit: 50 })).items.filter((a) => a.action !== 'schedule.sync').map((a) => [a.action, a.target]);
    const resume = async (name: string) => calls['schedules.resume'].output.parse(await call.ok('schedules.resume', { name }));
    const pause = async (name: string) => calls['schedules.pause'].output.parse(await call.ok('schedules.pause', { name }));

    const notPaused = await resume('nightly');
    assert.deepEqual([notPaused.changed, notPaused.note], [false, 'nightly is not paused: nothing to resume']);
    const disabled = await resume('weekday');
    assert.deepEqual([disabled.changed, disabled.active], [false, false]);
    assert.equal(disabled.note, 'weekday is disabled in the registry (enabled: false): resuming does not fire it; enable it there');
    assert.deepEqual(await audited(), []);

    assert.equal((await pause('nightly')).changed, true);
    const again = await pause('nightly');
    assert.deepEqual([again.changed, again.note], [false, 'nightly is already paused (by tester@test-host): nothing to pause']);
    assert.equal((await pause('weekday')).changed, true);
    const unpaused = await resume('weekday');
    assert.deepEqual([unpaused.changed, unpaused.paused, unpaused.active], [true, false, false]);
    assert.match(unpaused.note ?? '', /disabled in the registry/);
    assert.deepEqual((await audited()).reverse(), [
      ['schedule.pause', 'nightly'],
      ['schedule.pause', 'weekday'],
      ['schedule.resume', 'weekday'],
    ]);
  } finally {
    await t.cleanup();
  }
});

test("health-check's scheduler check fails while a schedule is left unfired, and names it", async () => {
  const t = await createTestContext(REGISTRY);
  try {
    await t.store.addSchedule(
      { config: { name: 'stale', service: 'report', cron: '* * * * *', timezone: 'UTC', enabled: true, missed: 'skip', max_catch_up: 10 }, timing: 't', next_fire_at: new Date(Date.now() - 600_000).toISOString() },
      t.ctx.actor,
    );
    const report = calls['health.check'].output.parse(await caller(t.ctx).ok('health.check', {}));
    const check = report.checks.find((c) => c.name === 'scheduler');
    assert.equal(check?.ok, false);
    assert.match(check?.detail ?? '', /schedule stale overdue \(\d+s late\): no worker is firing it/);
    const shown = calls['schedules.get'].output.parse(await caller(t.ctx).ok('schedules.get', { name: 'stale' }));
    assert.match(shown.problem ?? '', /^overdue: its fire due \d{4}-\S+Z \(10m ago\) has not happened; no running worker fires it \(start one whose registry has service report\)$/, 'the schedule says so itself');
    await t.store.setSchedulePaused('stale', true, null, t.ctx.actor, null);
    const after = calls['health.check'].output.parse(await caller(t.ctx).ok('health.check', {}));
    assert.equal(after.checks.find((c) => c.name === 'scheduler')?.ok, true, 'a paused schedule is not overdue');
    assert.equal(calls['schedules.get'].output.parse(await caller(t.ctx).ok('schedules.get', { name: 'stale' })).problem, null);
  } finally {
    await t.cleanup();
  }
});

const WORKFLOW_REGISTRY = `services:
  - name: step
    execution_type: noop
workflows:
  - name: nightly_etl
    tasks:
      - name: extract
        service: step
        payload: { depth: 1 }
      - name: load
        service: step
        depends_on: [extract]
`;

test('a workflow schedule through the contract: added, run now starts a run with its payload, the fire links to the run', async () => {
  const t = await createTestContext(WORKFLOW_REGISTRY);
  try {
    const call = caller(t.ctx);
    const badPayload = await call.fails('schedules.add', { name: 'etl', workflow: 'nightly_etl', cron: '@daily', payload: { workflow: 'x' } });
    assert.equal(badPayload.code, 'invalid_input');
    assert.match(JSON.stringify(badPayload.issues), /reserved/);
    const added = calls['schedules.add'].output.parse(
      await call.ok('schedules.add', { name: 'etl', workflow: 'nightly_etl', cron: '@daily', payload: { day: 'yesterday' } }),
    );
    assert.deepEqual([added.config.workflow, added.config.service, added.problem], ['nightly_etl', undefined, null]);

    const fire = calls['schedules.runNow'].output.parse(await call.ok('schedules.runNow', { name: 'etl' }));
    assert.equal(fire.job_id, null);
    assert.equal(fire.run_status, 'running');
    const detail = await t.store.getWorkflowRun(fire.run_id ?? 0);
    assert.equal(detail?.run.identifier, fire.fire_key);
    assert.match(fire.fire_key, /^schedule:etl:run-now:/);
    assert.deepEqual(detail?.run.payload, { day: 'yesterday' });
    const extract = await t.store.getJob(detail?.tasks[0]?.job_id ?? 0);
    assert.deepEqual(extract?.payload, { depth: 1, day: 'yesterday', workflow: { run: fire.fire_key, name: 'nightly_etl', task: 'extract' } });

    const shown = calls['schedules.get'].output.parse(await call.ok('schedules.get', { name: 'etl' }));
    assert.equal(shown.last_fire?.run_id, fire.run_id);
    const audit = (await t.store.listAudit({}, { limit: 50 })).items.find((a) => a.action === 'schedule.run_now');
    assert.equal(audit?.details?.run_id, fire.run_id);

    // A schedule naming a workflow this registry lacks (added by a host with another registry) says so, and cannot run now here.
    await t.store.addSchedule(
      { config: { name: 'other', workflow: 'elsewhere', cron: '@daily', timezone: 'UTC', enabled: true, missed: 'skip', max_catch_up: 10 }, timing: 't', next_fire_at: null },
      t.ctx.actor,
    );
    const other = calls['schedules.get'].output.parse(await call.ok('schedules.get', { name: 'other' }));
    assert.equal(other.problem, 'workflow elsewhere is not in the registry loaded here: workers whose registry lacks it leave the schedule alone');
    const refused = await call.fails('schedules.runNow', { name: 'other' });
    assert.deepEqual(
      [refused.code, refused.message],
      ['conflict', 'schedule other: workflow elsewhere is not in the registry loaded here (known: nightly_etl): load the registry that has it to run it now'],
    );
  } finally {
    await t.cleanup();
  }
});

test("a schedule or a workflow run whose payload gives args to a service that takes none is refused when it is made, not at every fire", async () => {
  const t = await createTestContext(`services:
  - name: lister
    execution_type: shell
    runner_config:
      command: ["/usr/bin/find", "/data"]
    security_policy:
      allowed_commands: ["/usr/bin/find"]
  - name: echo
    execution_type: shell
    runner_config:
      command: ["/bin/echo"]
      payload_args: true
    security_policy:
      allowed_commands: ["/bin/echo"]
workflows:
  - name: tidy
    tasks:
      - name: list
        service: lister
`);
  try {
    const call = caller(t.ctx);
    const args = { args: ['-exec', '/bin/sh', ';'] };
    const bySchedule = await call.fails('schedules.add', { name: 'evil', service: 'lister', cron: '* * * * * *', payload: args });
    assert.equal(bySchedule.code, 'invalid_input');
    assert.match(bySchedule.message, /every fire would be refused: service 'lister' takes no payload\.args/);
    const byWorkflowSchedule = await call.fails('schedules.add', { name: 'evil2', workflow: 'tidy', cron: '@daily', payload: args });
    assert.match(byWorkflowSchedule.message, /task list of workflow tidy: service 'lister' takes no payload\.args/);
    const byRun = await call.fails('workflows.run', { workflow: 'tidy', payload: args });
    assert.equal(byRun.code, 'invalid_input');
    assert.match(byRun.message, /task list of workflow tidy: service 'lister' takes no payload\.args/);
    assert.deepEqual((await t.store.listJobs({}, { limit: 5 })).items, [], 'nothing was enqueued');
    await call.ok('schedules.add', { name: 'fine', service: 'echo', cron: '@daily', payload: { args: ['hello'] } });
  } finally {
    await t.cleanup();
  }
});

test('a schedule saved with a payload that is no object, before one was asked for, says so where it is listed', async () => {
  const t = await createTestContext(REGISTRY);
  try {
    const config = { name: 'old-number', service: 'report', cron: '0 * * * *', timezone: 'UTC', enabled: true, missed: 'skip' as const, max_catch_up: 1, payload: 5 };
    await t.store.addSchedule(scheduleWrite(config, new Date()), t.ctx.actor);
    const call = caller(t.ctx);
    const list = calls['schedules.list'].output.parse(await call.ok('schedules.list', {}));
    const old = list.schedules.find((s) => s.name === 'old-number');
    assert.match(old?.problem ?? '', /its payload must be a JSON object.*not a number.*add it again with an object payload/);
    const added = await call.fails('schedules.add', { ...config, name: 'new-number' });
    assert.equal(added.code, 'invalid_input', 'a new one is refused');
  } finally {
    await t.cleanup();
  }
});
