import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../../shared/domain.ts';
import { ScheduleConfig } from '../../../shared/schedule.ts';
import type { FirePlan, ScheduleWrite } from '../store.ts';
import type { NewWorkflowRun } from '../workflowTypes.ts';
import { ALICE, alice, auditActions } from './fixtures.ts';
import type { ContractTest } from './fixtures.ts';

const T0 = '2030-01-01T00:00:00.000Z';
const T1 = '2030-01-01T00:01:00.000Z';
const T2 = '2030-01-01T00:02:00.000Z';

function write(name: string, payload: JsonObject): ScheduleWrite {
  const config = ScheduleConfig.parse({ name, workflow: 'etl', cron: '* * * * *', payload });
  return { config, timing: `${config.cron}|${config.timezone}|${config.enabled}`, next_fire_at: T0 };
}

/** A two-task run (extract → load) of workflow `etl`, as engine/workflowStart.ts builds one. */
function runOf(identifier: string, payload: JsonObject): NewWorkflowRun {
  const task = (name: string, depends_on: string[]) => ({
    name,
    depends_on,
    pass_output: null,
    job: {
      identifier: `${identifier}/${name}`,
      queue: 'wf',
      service_name: 'step',
      execution_type: 'noop' as const,
      max_attempts: 1,
      payload: { ...payload, workflow: { run: identifier, name: 'etl', task: name } },
    },
  });
  return { identifier, workflow: 'etl', payload, stuckAfterMs: 3_600_000, tasks: [task('extract', []), task('load', ['extract'])] };
}

function plan(name: string, cursor: string, fires: string[], next: string | null, payload: JsonObject, by = 'worker-1'): FirePlan {
  return { name, cursor, next, fires: fires.map((at) => ({ fire_at: at, run: runOf(`schedule:${name}:${at}`, payload) })), skipped: [], by };
}

/** Workflow schedules: each fire starts one run, in the fire's transaction, linked from the fire. */
export function workflowSchedulesContract(test: ContractTest): void {
  describe('workflow schedules', () => {
    test("a fire starts one run of the workflow with the schedule's payload, and the fire links to it", async (store) => {
      await store.addSchedule(write('nightly_etl', { day: 'today' }), alice);
      const outcome = await store.fireSchedule(plan('nightly_etl', T0, [T0], T1, { day: 'today' }));
      assert.equal(outcome.applied, true);
      const [fired] = outcome.fired;
      assert.ok(fired?.created);
      assert.equal(fired.job_id, null, 'a workflow fire makes a run, not a job of its own');
      const detail = await store.getWorkflowRun(`schedule:nightly_etl:${T0}`);
      assert.ok(detail, 'the run is named by the fire key');
      assert.equal(detail.run.id, fired.run_id);
      assert.equal(detail.run.workflow, 'etl');
      assert.deepEqual(detail.run.payload, { day: 'today' });
      assert.equal(detail.run.created_by, 'schedule:nightly_etl@worker-1');
      assert.deepEqual(
        detail.tasks.map((t) => [t.name, t.status]),
        [
          ['extract', 'pending'],
          ['load', 'waiting'],
        ],
      );
      assert.equal(await store.countJobs({}), 2, "the run's tasks are the only jobs");

      const last = (await store.getSchedule('nightly_etl'))?.last_fire;
      assert.deepEqual([last?.status, last?.run_id, last?.run_status, last?.job_id, last?.recorded_by], ['fired', fired.run_id, 'running', null, 'worker-1']);
      const history = (await store.listScheduleFires('nightly_etl', { limit: 10 })).items;
      assert.deepEqual(
        history.map((f) => [f.fire_key, f.run_id]),
        [[`schedule:nightly_etl:${T0}`, fired.run_id]],
      );

      const repeat = await store.fireSchedule(plan('nightly_etl', T0, [T0], T1, { day: 'today' }));
      assert.equal(repeat.applied, false, 'the next fire moved on: a late worker starts nothing');
      assert.equal((await store.listWorkflowRuns({}, { limit: 10 })).items.length, 1);
      // A cron's fire is recorded as a fire, not in the audit log of operator actions.
      assert.deepEqual((await auditActions(store)).map((a) => a.action), ['schedule.add']);
    });

    test('while the emergency stop is engaged a workflow fire is recorded skipped and starts no run', async (store) => {
      await store.addSchedule(write('stopped_etl', {}), alice);
      await store.setEmergencyStop(true, alice, 'incident');
      const outcome = await store.fireSchedule(plan('stopped_etl', T0, [T0, T1], T2, {}));
      assert.equal(outcome.stopped, true);
      assert.deepEqual(outcome.fired, []);
      assert.equal(outcome.skipped, 2);
      assert.equal((await store.listWorkflowRuns({}, { limit: 10 })).items.length, 0);
      assert.equal(await store.countJobs({}), 0);
      const last = (await store.getSchedule('stopped_etl'))?.last_fire;
      assert.deepEqual([last?.status, last?.reason, last?.count, last?.run_id], ['skipped', 'emergency_stop', 2, null]);
    });

    test('run now starts a run, recorded as a manual fire linked to it and audited once', async (store) => {
      await store.addSchedule(write('manual_etl', { full: true }), alice);
      const identifier = 'schedule:manual_etl:run-now:2030-01-01T00:00:00.000Z';
      const fire = await store.runScheduleNow('manual_etl', { run: runOf(identifier, { full: true }) }, alice);
      assert.equal(fire?.trigger, 'manual');
      assert.equal(fire?.recorded_by, ALICE);
      const detail = await store.getWorkflowRun(identifier);
      assert.equal(detail?.run.id, fire?.run_id);
      assert.equal(detail?.run.created_by, ALICE);
      assert.deepEqual(detail?.run.payload, { full: true });
      const audits = await auditActions(store);
      assert.equal(audits.find((a) => a.action === 'schedule.run_now')?.details?.run_id, fire?.run_id);
      assert.equal(audits.filter((a) => a.action === 'workflow.run').length, 0, 'one action, one audit entry: the run-now names its run');
    });

    test('two stores firing the same due workflow schedule at once start one run', async (store, handle) => {
      if (!handle.openSecond) return;
      const second = await handle.openSecond();
      try {
        await store.addSchedule(write('race_etl', {}), alice);
        const [a, b] = await Promise.all([
          store.fireSchedule(plan('race_etl', T0, [T0], T1, {})),
          second.fireSchedule(plan('race_etl', T0, [T0], T1, {}, 'worker-2')),
        ]);
        assert.equal([...a.fired, ...b.fired].filter((f) => f.created).length, 1);
        assert.equal((await store.listWorkflowRuns({}, { limit: 10 })).items.length, 1);
        assert.equal(await store.countJobs({}), 2);
      } finally {
        await second.close();
      }
    });
  });
}
