import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistryHolder } from '../config/holder.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import type { Store } from '../store/store.ts';
import { Engine } from './engine.ts';
import { EngineEmitter } from './engineEvents.ts';
import { Scheduler } from './scheduler.ts';
import { actor, waitFor } from './testing/harness.ts';
import { lineLogger, silentLogger } from '../log/logger.ts';

const SERVICES = [{ name: 'step', execution_type: 'noop', runner_config: { sleep_ms: 1 } }];
const WORKFLOWS = [
  {
    name: 'etl',
    tasks: [
      { name: 'extract', service: 'step' },
      { name: 'load', service: 'step', depends_on: ['extract'] },
    ],
  },
];

function holderWith(schedules: unknown[], workflows: unknown[] = WORKFLOWS): RegistryHolder {
  const holder = new RegistryHolder({});
  const result = holder.loadText(JSON.stringify({ services: SERVICES, workflows, schedules }));
  if (!result.ok) throw new Error(`test registry rejected: ${JSON.stringify(result.problems)}`);
  return holder;
}

async function runKeys(store: Store, schedule: string): Promise<string[]> {
  const prefix = `schedule:${schedule}:`;
  const runs = (await store.listWorkflowRuns({ workflow: 'etl' }, { limit: 500 })).items;
  return runs.filter((r) => r.identifier.startsWith(prefix)).map((r) => r.identifier.slice(prefix.length)).sort();
}

describe('workflow schedules on a real store', () => {
  let store: Store;
  let cleanup: () => Promise<void>;

  before(async () => {
    ({ store, cleanup } = await createSqliteTestStore());
  });
  after(async () => cleanup());

  test('missed fires and the emergency stop apply to workflow runs as to jobs', async () => {
    const scheduler = new Scheduler({
      store,
      registry: holderWith([{ name: 'etl_catch_up', workflow: 'etl', cron: '* * * * *', missed: 'catch_up', max_catch_up: 2 }]),
      workerId: 'w1',
      emitter: new EngineEmitter(silentLogger),
      log: silentLogger,
    });
    await scheduler.tick(new Date('2030-05-01T10:00:30Z'));
    await scheduler.tick(new Date('2030-05-01T10:05:30Z'));
    const at = (hhmm: string[]) => hhmm.map((t) => `2030-05-01T${t}:00.000Z`);
    assert.deepEqual(await runKeys(store, 'etl_catch_up'), at(['10:03', '10:04', '10:05']), 'the last two missed fires run, and the one on time');

    await store.setEmergencyStop(true, actor, 'incident');
    await scheduler.tick(new Date('2030-05-01T10:06:10Z'));
    await store.setEmergencyStop(false, actor, null);
    await scheduler.tick(new Date('2030-05-01T10:07:10Z'));
    assert.deepEqual(await runKeys(store, 'etl_catch_up'), at(['10:03', '10:04', '10:05', '10:07']), 'no run for the fire under the stop');
    const fires = (await store.listScheduleFires('etl_catch_up', { limit: 10 })).items;
    assert.deepEqual(
      fires.map((f) => [f.fire_at.slice(11, 16), f.status, f.reason, f.run_id !== null]),
      [
        ['10:07', 'fired', null, true],
        ['10:06', 'skipped', 'emergency_stop', false],
        ['10:05', 'fired', null, true],
        ['10:04', 'fired', null, true],
        ['10:03', 'fired', null, true],
        ['10:02', 'skipped', 'missed', false],
      ],
    );
    assert.deepEqual(await store.checkCounts(false), []);
  });

  test("a workflow schedule this worker's registry lacks is left for a worker that has it, and logged once", async () => {
    const lines: string[] = [];
    await store.addSchedule(
      {
        config: { name: 'etl_elsewhere', workflow: 'etl', cron: '* * * * *', timezone: 'UTC', enabled: true, missed: 'skip', max_catch_up: 10 },
        timing: 't',
        next_fire_at: '2031-01-01T00:01:00.000Z',
      },
      actor,
    );
    const syncing = new Scheduler({ store, registry: holderWith([]), workerId: 'w1', emitter: new EngineEmitter(silentLogger), log: silentLogger });
    const holder = new RegistryHolder({});
    assert.ok(holder.loadText(JSON.stringify({ services: SERVICES })).ok);
    const lacking = new Scheduler({ store, registry: holder, workerId: 'w2', emitter: new EngineEmitter(silentLogger), log: lineLogger((l) => lines.push(l)) });
    await lacking.tick(new Date('2031-01-01T00:01:10Z'));
    await lacking.tick(new Date('2031-01-01T00:01:20Z'));
    assert.deepEqual(await runKeys(store, 'etl_elsewhere'), []);
    assert.equal((await store.getSchedule('etl_elsewhere'))?.next_fire_at, '2031-01-01T00:01:00.000Z', 'still due, for a worker that knows the workflow');
    assert.equal(lines.filter((l) => l.includes('workflow etl is not in the registry loaded by this worker')).length, 1, lines.join('\n'));
    await syncing.tick(new Date('2031-01-01T00:01:30Z'));
    assert.deepEqual(await runKeys(store, 'etl_elsewhere'), ['2031-01-01T00:01:00.000Z'], 'the worker that has it fires it');
  });

  test('an engine fires an every-second workflow schedule and its runs complete', async () => {
    const registry = holderWith([{ name: 'etl_every_second', workflow: 'etl', cron: '* * * * * *', payload: { region: 'eu' } }]);
    const engine = new Engine({ store, registry, concurrency: 2, pollMs: 20, scheduleTickMs: 100, env: {}, maintenance: false });
    await engine.start();
    try {
      const done = await waitFor('two scheduled runs to complete', async () => {
        const runs = (await store.listWorkflowRuns({ status: 'completed' }, { limit: 100 })).items.filter((r) => r.identifier.startsWith('schedule:etl_every_second:'));
        return runs.length >= 2 ? runs : null;
      });
      assert.deepEqual(done[0]?.payload, { region: 'eu' });
      const last = (await store.getSchedule('etl_every_second'))?.last_fire;
      assert.equal(last?.recorded_by, engine.workerId);
      assert.ok(last?.run_id);
      assert.equal((await store.getWorkflowRun(last.run_id))?.run.identifier, last.fire_key);
    } finally {
      await engine.stop({ graceMs: 0 });
    }
  });
});
