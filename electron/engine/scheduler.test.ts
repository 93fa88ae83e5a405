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

const SERVICE = { name: 'report', execution_type: 'noop', runner_config: { sleep_ms: 1 } };

function holderWith(schedules: unknown[], services: unknown[] = [SERVICE]): RegistryHolder {
  const holder = new RegistryHolder({});
  const result = holder.loadText(JSON.stringify({ services, schedules }));
  if (!result.ok) throw new Error(`test registry rejected: ${JSON.stringify(result.problems)}`);
  return holder;
}

function schedulerOn(store: Store, registry: RegistryHolder, workerId = 'w1'): Scheduler {
  return new Scheduler({ store, registry, workerId, emitter: new EngineEmitter(silentLogger), log: silentLogger });
}

/** Ticks a scheduler through simulated time, every `stepMs` from `from` to `to`. */
async function tickThrough(scheduler: Scheduler, from: string, to: string, stepMs: number): Promise<void> {
  for (let t = Date.parse(from); t <= Date.parse(to); t += stepMs) await scheduler.tick(new Date(t));
}

async function scheduledJobs(store: Store, schedule: string): Promise<string[]> {
  const page = await store.listJobs({}, { limit: 1000 });
  const prefix = `schedule:${schedule}:`;
  return page.items.filter((j) => j.identifier.startsWith(prefix)).map((j) => j.identifier.slice(prefix.length)).sort();
}

function wall(iso: string, zone: string): string {
  return new Date(iso).toLocaleString('sv-SE', { timeZone: zone }).slice(0, 16);
}

describe('scheduler on a real store', () => {
  let store: Store;
  let cleanup: () => Promise<void>;

  before(async () => {
    ({ store, cleanup } = await createSqliteTestStore());
  });
  after(async () => cleanup());

  const dstCases = [
    { zone: 'Europe/Berlin', from: '2026-03-27T12:00:00Z', to: '2026-03-31T12:00:00Z', expect: ['2026-03-28 02:30', '2026-03-29 03:00', '2026-03-30 02:30', '2026-03-31 02:30'] },
    { zone: 'Europe/Berlin', from: '2026-10-23T12:00:00Z', to: '2026-10-27T12:00:00Z', expect: ['2026-10-24 02:30', '2026-10-25 02:30', '2026-10-26 02:30', '2026-10-27 02:30'] },
    { zone: 'America/New_York', from: '2026-03-06T12:00:00Z', to: '2026-03-10T12:00:00Z', expect: ['2026-03-07 02:30', '2026-03-08 03:00', '2026-03-09 02:30', '2026-03-10 02:30'] },
    { zone: 'America/New_York', from: '2026-10-30T12:00:00Z', to: '2026-11-03T12:00:00Z', expect: ['2026-10-31 02:30', '2026-11-01 02:30', '2026-11-02 02:30', '2026-11-03 02:30'] },
  ];
  for (const [i, c] of dstCases.entries()) {
    test(`a daily 02:30 in ${c.zone} from ${c.from.slice(0, 10)}: one job a day at the right wall-clock time`, async () => {
      const name = `dst${i}`;
      const scheduler = schedulerOn(store, holderWith([{ name, service: 'report', cron: '30 2 * * *', timezone: c.zone }]));
      await tickThrough(scheduler, c.from, c.to, 5 * 60_000);
      const fires = await scheduledJobs(store, name);
      assert.deepEqual(fires.map((f) => wall(f, c.zone)), c.expect);
    });
  }

  test('missed fires after a downtime follow each schedule policy, capped', async () => {
    const schedules = ['skip', 'run_once', 'catch_up'].map((missed) => ({ name: `down_${missed}`, service: 'report', cron: '* * * * *', missed, max_catch_up: 3 }));
    const scheduler = schedulerOn(store, holderWith(schedules));
    await scheduler.tick(new Date('2030-05-01T10:00:30Z'));
    // The workers were down from 10:00:30 to 10:10:30: the fires of 10:01 … 10:09 were missed, 10:10 is on time.
    await scheduler.tick(new Date('2030-05-01T10:10:30Z'));
    const at = (hhmm: string[]) => hhmm.map((t) => `2030-05-01T${t}:00.000Z`);
    assert.deepEqual(await scheduledJobs(store, 'down_skip'), at(['10:10']));
    assert.deepEqual(await scheduledJobs(store, 'down_run_once'), at(['10:09', '10:10']));
    assert.deepEqual(await scheduledJobs(store, 'down_catch_up'), at(['10:07', '10:08', '10:09', '10:10']));
    const skipped = async (name: string) =>
      (await store.listScheduleFires(name, { limit: 50 })).items.filter((f) => f.status === 'skipped').map((f) => [f.reason, f.count]);
    assert.deepEqual(await skipped('down_skip'), [['missed', 9]]);
    assert.deepEqual(await skipped('down_run_once'), [['missed', 8]]);
    assert.deepEqual(await skipped('down_catch_up'), [['missed', 6]]);
  });

  test('while the emergency stop is engaged fires are recorded skipped, and firing resumes after', async () => {
    const scheduler = schedulerOn(store, holderWith([{ name: 'halted', service: 'report', cron: '* * * * *' }]));
    await scheduler.tick(new Date('2031-01-01T00:00:10Z'));
    await store.setEmergencyStop(true, actor, 'incident');
    await scheduler.tick(new Date('2031-01-01T00:01:10Z'));
    await store.setEmergencyStop(false, actor, null);
    await scheduler.tick(new Date('2031-01-01T00:02:10Z'));
    assert.deepEqual(await scheduledJobs(store, 'halted'), ['2031-01-01T00:02:00.000Z']);
    const fires = (await store.listScheduleFires('halted', { limit: 10 })).items.map((f) => [f.fire_at, f.status, f.reason]);
    assert.deepEqual(fires, [
      ['2031-01-01T00:02:00.000Z', 'fired', null],
      ['2031-01-01T00:01:00.000Z', 'skipped', 'emergency_stop'],
    ]);
  });

  test("a schedule whose service this worker's registry lacks is left for a worker that has it", async () => {
    await store.addSchedule(
      { config: { name: 'elsewhere', service: 'not_here', cron: '* * * * *', timezone: 'UTC', enabled: true, missed: 'skip', max_catch_up: 10 }, timing: 't', next_fire_at: '2032-01-01T00:01:00.000Z' },
      actor,
    );
    const scheduler = schedulerOn(store, holderWith([]));
    await scheduler.tick(new Date('2032-01-01T00:01:30Z'));
    assert.deepEqual(await scheduledJobs(store, 'elsewhere'), []);
    assert.equal((await store.getSchedule('elsewhere'))?.next_fire_at, '2032-01-01T00:01:00.000Z', 'still due, for a worker that knows the service');
  });

  test('schedules left for other workers, however many, never hold back the ones this worker can fire', async () => {
    const others = { service: 'billing_only_elsewhere', cron: '* * * * *', timezone: 'UTC', enabled: true, missed: 'skip' as const, max_catch_up: 10 };
    for (let i = 0; i < 450; i++) {
      await store.addSchedule({ config: { name: `others${String(i).padStart(3, '0')}`, ...others }, timing: 't', next_fire_at: '2033-01-01T00:00:00.000Z' }, actor);
    }
    await store.addSchedule(
      { config: { name: 'zz_mine', service: 'report', cron: '* * * * *', timezone: 'UTC', enabled: true, missed: 'skip', max_catch_up: 10 }, timing: 't', next_fire_at: '2033-01-01T00:01:00.000Z' },
      actor,
    );
    const scheduler = schedulerOn(store, holderWith([]));
    await tickThrough(scheduler, '2033-01-01T00:01:30Z', '2033-01-01T00:03:30Z', 60_000);
    assert.deepEqual(await scheduledJobs(store, 'zz_mine'), ['2033-01-01T00:01:00.000Z', '2033-01-01T00:02:00.000Z', '2033-01-01T00:03:00.000Z']);
    for (let i = 0; i < 450; i++) await store.removeSchedule(`others${String(i).padStart(3, '0')}`, actor);
  });

  test('an engine fires an every-second schedule and runs its jobs', async () => {
    const registry = holderWith([{ name: 'every_second', service: 'report', cron: '* * * * * *', payload: { from: 'schedule' } }]);
    const engine = new Engine({ store, registry, concurrency: 2, pollMs: 20, scheduleTickMs: 100, env: {}, maintenance: false });
    await engine.start();
    try {
      const done = await waitFor('three scheduled jobs to complete', async () => {
        const jobs = (await store.listJobs({ status: ['completed'] }, { limit: 100 })).items.filter((j) => j.identifier.startsWith('schedule:every_second:'));
        return jobs.length >= 3 ? jobs : null;
      });
      assert.deepEqual(done[0]?.payload, { from: 'schedule' });
      const schedule = await store.getSchedule('every_second');
      assert.equal(schedule?.source, 'registry');
      assert.equal(schedule?.last_fire?.recorded_by, engine.workerId);
    } finally {
      await engine.stop({ graceMs: 0 });
    }
  });
});

describe('scheduler, when the store refuses one schedule', () => {
  test('the others still fire', async () => {
    const { store, cleanup } = await createSqliteTestStore();
    try {
      const registry = holderWith([
        { name: 'a_refused', service: 'report', cron: '* * * * *' },
        { name: 'b_fine', service: 'report', cron: '* * * * *' },
      ]);
      const lines: string[] = [];
      const scheduler = new Scheduler({ store, registry, workerId: 'w1', emitter: new EngineEmitter(silentLogger), log: lineLogger((l) => lines.push(l)) });
      await scheduler.tick(new Date('2033-01-01T00:00:10Z'));
      const fire = store.fireSchedule.bind(store);
      store.fireSchedule = async (plan) => (plan.name === 'a_refused' ? Promise.reject(new Error('payload refused')) : fire(plan));
      const result = await scheduler.tick(new Date('2033-01-01T00:01:10Z'));
      assert.equal(result.fired, 1);
      assert.deepEqual(await scheduledJobs(store, 'b_fine'), ['2033-01-01T00:01:00.000Z']);
      assert.ok(lines.some((l) => l.startsWith('error schedules: could not fire') && l.includes('schedule=a_refused') && l.includes('payload refused')), lines.join('\n'));
    } finally {
      await cleanup();
    }
  });
});
