import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { ScheduleConfig } from '../../../shared/schedule.ts';
import type { ScheduleInput } from '../../../shared/schedule.ts';
import type { FirePlan, NewJob, ScheduleWrite, Store } from '../store.ts';
import { alice, ALICE, auditActions, mustGet } from './fixtures.ts';
import type { ContractTest } from './fixtures.ts';

const T0 = '2030-01-01T00:00:00.000Z';
const T1 = '2030-01-01T00:01:00.000Z';
const T2 = '2030-01-01T00:02:00.000Z';

function write(input: Partial<ScheduleInput> & { name: string }, next: string | null = T0): ScheduleWrite {
  const config = ScheduleConfig.parse({ service: 'svc', cron: '* * * * *', ...input });
  return { config, timing: `${config.cron}|${config.timezone}|${config.enabled}`, next_fire_at: next };
}

function jobFor(name: string, at: string): NewJob & { identifier: string } {
  return { identifier: `schedule:${name}:${at}`, queue: 'default', service_name: 'svc', execution_type: 'noop', max_attempts: 1, payload: { from: name } };
}

function plan(name: string, cursor: string, fires: string[], next: string | null, extra: Partial<FirePlan> = {}): FirePlan {
  return { name, cursor, next, fires: fires.map((at) => ({ fire_at: at, job: jobFor(name, at) })), skipped: [], by: 'worker-1', ...extra };
}

async function names(store: Store): Promise<string[]> {
  return (await store.listSchedules()).map((s) => s.name);
}

/** Schedules: kept by name, synced from the registry, fired once per fire key, every operator change audited. */
export function schedulesContract(test: ContractTest): void {
  describe('schedules', () => {
    test('an operator adds, pauses, resumes and removes a schedule; each change audited', async (store) => {
      const added = await store.addSchedule(write({ name: 'nightly', timezone: 'Europe/Berlin', payload: { a: 1 } }), alice);
      assert.equal(added?.source, 'operator');
      assert.equal(added?.created_by, ALICE);
      assert.equal(added?.config.timezone, 'Europe/Berlin');
      assert.deepEqual(added?.config.payload, { a: 1 });
      assert.equal(added?.next_fire_at, T0);
      assert.equal(added?.last_fire, null);
      assert.equal(await store.addSchedule(write({ name: 'nightly' }), alice), null, 'a name is one schedule');

      const paused = await store.setSchedulePaused('nightly', true, null, alice, 'maintenance window');
      assert.ok(paused);
      assert.equal(paused.changed, true);
      assert.equal(paused.schedule.paused, true);
      assert.equal(paused.schedule.paused_by, ALICE);
      assert.equal(paused.schedule.pause_reason, 'maintenance window');
      assert.equal(paused.schedule.next_fire_at, null, 'a paused schedule has no next fire');
      assert.deepEqual(await store.dueSchedules(new Date(T2), 10), [], 'nor is it ever due');
      const again = await store.setSchedulePaused('nightly', true, null, alice, null);
      assert.ok(again);
      assert.equal(again.changed, false, 'pausing twice changes nothing');
      assert.equal(again.schedule.pause_reason, 'maintenance window');

      const resumed = await store.setSchedulePaused('nightly', false, T1, alice, null);
      assert.ok(resumed);
      assert.equal(resumed.changed, true);
      assert.equal(resumed.schedule.paused, false);
      assert.equal(resumed.schedule.next_fire_at, T1, 'resumed from the next fire after now, not the ones it slept through');
      assert.equal((await store.setSchedulePaused('nightly', false, T2, alice, null))?.changed, false);
      assert.equal(await store.setSchedulePaused('nope', true, null, alice, null), null);

      const removed = await store.removeSchedule('nightly', alice);
      assert.equal(removed?.name, 'nightly');
      assert.equal(await store.getSchedule('nightly'), null);
      assert.equal(await store.removeSchedule('nightly', alice), null);

      const audits = (await auditActions(store)).filter((a) => a.action.startsWith('schedule.')).reverse();
      assert.deepEqual(audits.map((a) => [a.action, a.target, a.actor]), [
        ['schedule.add', 'nightly', ALICE],
        ['schedule.pause', 'nightly', ALICE],
        ['schedule.resume', 'nightly', ALICE],
        ['schedule.remove', 'nightly', ALICE],
      ]);
    });

    test('registry sync adds, rewrites and removes registry schedules; operators cannot remove them', async (store) => {
      const registry = { user: 'registry', host: 'box' };
      let sync = await store.syncRegistrySchedules([write({ name: 'a' }), write({ name: 'b' })], registry);
      assert.deepEqual(sync, { added: ['a', 'b'], updated: [], removed: [] });
      assert.equal((await store.getSchedule('a'))?.source, 'registry');
      assert.equal(await store.removeSchedule('a', alice), null, 'a registry schedule is removed from the registry, not by hand');

      // Same definition again: nothing to do, and the next fire a worker moved on stays.
      await store.fireSchedule(plan('a', T0, [T0], T1));
      sync = await store.syncRegistrySchedules([write({ name: 'a' }, T2), write({ name: 'b' })], registry);
      assert.deepEqual(sync, { added: [], updated: [], removed: [] });
      assert.equal((await store.getSchedule('a'))?.next_fire_at, T1);

      // A payload change keeps the timing; a cron change takes the new next fire.
      await store.setSchedulePaused('b', true, null, alice, null);
      sync = await store.syncRegistrySchedules([write({ name: 'a', payload: { v: 2 } }, T2), write({ name: 'b', cron: '*/5 * * * *' }, T2)], registry);
      assert.deepEqual(sync, { added: [], updated: ['a', 'b'], removed: [] });
      assert.equal((await store.getSchedule('a'))?.next_fire_at, T1);
      assert.deepEqual((await store.getSchedule('a'))?.config.payload, { v: 2 });
      const b = await store.getSchedule('b');
      assert.equal(b?.config.cron, '*/5 * * * *');
      assert.equal(b?.paused, true, "an operator's pause outlives a registry reload");

      // An operator's schedule the registry now names becomes the registry's; one it dropped goes.
      await store.addSchedule(write({ name: 'c' }), alice);
      sync = await store.syncRegistrySchedules([write({ name: 'c' })], registry);
      assert.deepEqual(sync, { added: [], updated: ['c'], removed: ['a', 'b'] });
      assert.deepEqual(await names(store), ['c']);
      assert.equal((await store.getSchedule('c'))?.source, 'registry');
      const syncs = (await auditActions(store)).filter((a) => a.action === 'schedule.sync');
      assert.equal(syncs.length, 3, 'each sync that changed something is audited, the empty one is not');
    });

    test('due schedules page soonest first, then by name, each once', async (store) => {
      for (const name of ['d', 'b', 'e', 'a', 'c']) await store.addSchedule(write({ name }, T0), alice);
      await store.addSchedule(write({ name: 'sooner' }, '2029-12-31T23:59:00.000Z'), alice);
      await store.addSchedule(write({ name: 'later' }, T1), alice);
      const seen: string[] = [];
      let after: { next_fire_at: string; name: string } | undefined;
      for (;;) {
        const page = await store.dueSchedules(new Date(T0), 2, after);
        seen.push(...page.map((s) => s.name));
        const last = page.at(-1);
        if (page.length < 2 || !last?.next_fire_at) break;
        after = { next_fire_at: last.next_fire_at, name: last.name };
      }
      assert.deepEqual(seen, ['sooner', 'a', 'b', 'c', 'd', 'e']);
    });

    test('a fire enqueues one job named by its fire key and moves the schedule on; a repeat does nothing', async (store) => {
      await store.addSchedule(write({ name: 'tick' }), alice);
      assert.deepEqual((await store.dueSchedules(new Date(T0), 10)).map((s) => s.name), ['tick']);
      assert.deepEqual(await store.dueSchedules(new Date(Date.parse(T0) - 1), 10), [], 'not due before its time');

      const first = await store.fireSchedule(plan('tick', T0, [T0], T1));
      assert.equal(first.applied, true);
      assert.equal(first.stopped, false);
      const [fired] = first.fired;
      assert.ok(fired?.created);
      const job = await mustGet(store, fired.job_id ?? 0);
      assert.equal(job.identifier, `schedule:tick:${T0}`);
      assert.equal(job.status, 'pending');
      assert.deepEqual(job.payload, { from: 'tick' });

      const repeat = await store.fireSchedule(plan('tick', T0, [T0], T1));
      assert.equal(repeat.applied, false, 'the next fire moved on: a late worker leaves it');
      assert.equal((await store.countJobs({})), 1);

      const listed = await store.getSchedule('tick');
      assert.equal(listed?.next_fire_at, T1);
      assert.equal(listed?.last_fire?.status, 'fired');
      assert.equal(listed?.last_fire?.job_id, fired.job_id);
      assert.equal(listed?.last_fire?.job_status, 'pending');
      assert.equal(listed?.last_fire?.recorded_by, 'worker-1');
    });

    test('missed fires are recorded skipped with their count; the fire history pages newest first', async (store) => {
      await store.addSchedule(write({ name: 'hist' }), alice);
      const outcome = await store.fireSchedule(
        plan('hist', T0, [T2], '2030-01-01T00:03:00.000Z', { skipped: [{ fire_at: T1, fire_key: `schedule:hist:${T1}`, count: 2, reason: 'missed' }] }),
      );
      assert.equal(outcome.skipped, 2);
      assert.equal(outcome.fired.length, 1);
      const page1 = await store.listScheduleFires('hist', { limit: 1 });
      assert.equal(page1.items[0]?.status, 'fired');
      assert.equal(page1.items[0]?.fire_at, T2);
      assert.ok(page1.next_cursor);
      const page2 = await store.listScheduleFires('hist', { limit: 1, after: page1.next_cursor });
      assert.deepEqual(page2.items.map((f) => [f.status, f.reason, f.count, f.fire_at, f.job_id]), [['skipped', 'missed', 2, T1, null]]);
      assert.equal(page2.next_cursor, null);
    });

    test('while the emergency stop is engaged a fire records skipped fires and makes no job', async (store) => {
      await store.addSchedule(write({ name: 'stopped' }), alice);
      await store.setEmergencyStop(true, alice, 'incident');
      const outcome = await store.fireSchedule(plan('stopped', T0, [T0, T1], T2));
      assert.equal(outcome.stopped, true);
      assert.deepEqual(outcome.fired, []);
      assert.equal(outcome.skipped, 2);
      assert.equal(await store.countJobs({}), 0);
      const last = (await store.getSchedule('stopped'))?.last_fire;
      assert.deepEqual([last?.status, last?.reason, last?.count], ['skipped', 'emergency_stop', 2]);
      assert.equal((await store.getSchedule('stopped'))?.next_fire_at, T2, 'the schedule moves on: nothing piles up behind the stop');
    });

    test('run now enqueues a manual fire, even while paused, and audits it', async (store) => {
      await store.addSchedule(write({ name: 'manual' }), alice);
      await store.setSchedulePaused('manual', true, null, alice, null);
      const identifier = 'schedule:manual:run-now:2030-01-01T00:00:00.000Z';
      const fire = await store.runScheduleNow('manual', { job: { ...jobFor('manual', T0), identifier } }, alice);
      assert.equal(fire?.trigger, 'manual');
      assert.equal(fire?.status, 'fired');
      assert.equal(fire?.recorded_by, ALICE);
      assert.equal((await mustGet(store, fire?.job_id ?? 0)).identifier, identifier);
      assert.equal(await store.runScheduleNow('nope', { job: jobFor('nope', T0) }, alice), null);
      const audit = (await auditActions(store)).find((a) => a.action === 'schedule.run_now');
      assert.equal(audit?.target, 'manual');
      assert.equal(audit?.details?.job_id, fire?.job_id);
    });

    test("pruning fires removes the oldest, never a schedule's last fire", async (store) => {
      await store.addSchedule(write({ name: 'old' }), alice);
      await store.fireSchedule(plan('old', T0, [T0], T1));
      await store.fireSchedule(plan('old', T1, [T1], T2));
      await store.runScheduleNow('old', { job: { ...jobFor('old', T2), identifier: 'schedule:old:run-now:x' } }, alice);
      const future = new Date(Date.now() + 60_000);
      assert.equal(await store.pruneScheduleFires(future, 1), 1, 'one at a time when asked');
      assert.equal(await store.pruneScheduleFires(future, 100), 1);
      assert.equal(await store.pruneScheduleFires(future, 100), 0, 'the last fire stays');
      const left = (await store.listScheduleFires('old', { limit: 10 })).items;
      assert.deepEqual(left.map((f) => f.trigger), ['manual']);
      assert.equal((await store.getSchedule('old'))?.last_fire?.id, left[0]?.id);
      assert.equal(await store.pruneScheduleFires(new Date(0), 100), 0, 'nothing recorded before the cutoff goes');
    });

    test('two stores syncing the same registry at once: one adds, the other finds it done', async (store, handle) => {
      if (!handle.openSecond) return;
      const second = await handle.openSecond();
      try {
        const registry = { user: 'registry', host: 'box' };
        const list = [write({ name: 'r1' }), write({ name: 'r2' })];
        const [a, b] = await Promise.all([store.syncRegistrySchedules(list, registry), second.syncRegistrySchedules(list, registry)]);
        assert.deepEqual([...a.added, ...b.added].sort(), ['r1', 'r2']);
        assert.deepEqual(await names(store), ['r1', 'r2']);
      } finally {
        await second.close();
      }
    });

    test('two stores pausing, then resuming, the same schedule at once: one changes it, the other is told nothing changed', async (store, handle) => {
      if (!handle.openSecond) return;
      const second = await handle.openSecond();
      try {
        await store.addSchedule(write({ name: 'contested' }), alice);
        const bob = { user: 'bob', host: 'desk' };
        const paused = await Promise.all([store.setSchedulePaused('contested', true, null, alice, 'mine'), second.setSchedulePaused('contested', true, null, bob, 'no, mine')]);
        assert.deepEqual(paused.map((p) => p?.changed).sort(), [false, true]);
        const winner = paused.find((p) => p?.changed)?.schedule;
        assert.deepEqual(paused.map((p) => p?.schedule.paused_by), [winner?.paused_by, winner?.paused_by], 'the loser is shown the pause that holds');
        const resumed = await Promise.all([store.setSchedulePaused('contested', false, T1, alice, null), second.setSchedulePaused('contested', false, T1, bob, null)]);
        assert.deepEqual(resumed.map((r) => r?.changed).sort(), [false, true]);
        const audit = (await store.listAudit({}, { limit: 10 })).items.filter((a) => a.target === 'contested');
        assert.deepEqual(audit.map((a) => a.action).reverse(), ['schedule.add', 'schedule.pause', 'schedule.resume'], 'each change audited once');
      } finally {
        await second.close();
      }
    });

    test('two stores firing the same due schedule at once make one job', async (store, handle) => {
      if (!handle.openSecond) return;
      const second = await handle.openSecond();
      try {
        await store.addSchedule(write({ name: 'race' }), alice);
        const [a, b] = await Promise.all([store.fireSchedule(plan('race', T0, [T0], T1)), second.fireSchedule(plan('race', T0, [T0], T1, { by: 'worker-2' }))]);
        assert.equal([a, b].filter((o) => o.applied).length, 1, 'one of them handled the fire');
        assert.equal([...a.fired, ...b.fired].filter((f) => f.created).length, 1);
        assert.equal(await store.countJobs({}), 1);
        assert.equal((await store.listScheduleFires('race', { limit: 10 })).items.length, 1);
      } finally {
        await second.close();
      }
    });
  });
}
