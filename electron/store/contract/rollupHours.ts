import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { HOUR_MS, hourFloor } from '../rollupHours.ts';
import type { Store, TypeRollups } from '../store.ts';
import { base, claimOne, deadLetter, err, later, sleep } from './fixtures.ts';
import type { ContractTest } from './fixtures.ts';

/** Jobs of three types finished now: completions with durations, a dead letter, a failed attempt to be retried. */
async function finishSome(store: Store): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const claimed = await claimOne(store, { execution_type: 'http' });
    await sleep(i * 4);
    await store.settle([{ ...base(claimed), kind: 'completed' }]);
  }
  const shell = await claimOne(store, { execution_type: 'shell' });
  await store.settle([{ ...base(shell), kind: 'completed' }]);
  await deadLetter(store, 'svc', err('nope'), 'http');
  const retried = await claimOne(store, { execution_type: 'docker' });
  await store.settle([{ ...base(retried), kind: 'retry', error: err('again'), outcome: 'failed', run_at: later(60_000) }]);
}

/** The whole hours up to `through`, summed a step of `maxHours` at a time; how many steps it took. */
async function sumAll(store: Store, through: Date, maxHours = 1): Promise<number> {
  for (let steps = 1; ; steps++) {
    if ((await store.sumRollupHours(through, maxHours)).done) return steps;
    assert.ok(steps < 100, 'summing hours comes to an end');
  }
}

/** Rows in a stable order, so two reads of the same jobs compare equal however each was summed. */
function sorted(rollups: TypeRollups): TypeRollups {
  return {
    outcomes: [...rollups.outcomes].sort((a, b) => a.execution_type.localeCompare(b.execution_type)),
    latency: [...rollups.latency].sort((a, b) => a.execution_type.localeCompare(b.execution_type) || a.bucket - b.bucket),
  };
}

const completions = (rollups: TypeRollups) => rollups.latency.reduce((n, l) => n + l.n, 0);

/**
 * The rollups' whole hours summed per type: a read gives what the minutes gave, whichever hours were
 * summed and whoever summed them. "Now" moves on by summing through a later time, as the hours the upkeep
 * sums are those before its clock.
 */
export function rollupHoursContract(test: ContractTest): void {
  describe('rollups summed by the hour', () => {
    test('a window reads the same from the summed hours as from the minutes, from the hour or from within it', async (store) => {
      await finishSome(store);
      const dayAgo = new Date(Date.now() - 24 * HOUR_MS);
      const fromMinutes = sorted(await store.rollupsByType(dayAgo));
      assert.deepEqual(fromMinutes.outcomes, [
        { execution_type: 'docker', completed: 0, failed: 0, retried: 1 },
        { execution_type: 'http', completed: 3, failed: 1, retried: 0 },
        { execution_type: 'shell', completed: 1, failed: 0, retried: 0 },
      ]);
      assert.equal(completions(fromMinutes), 4);
      const onTheHour = new Date(hourFloor(Date.now()));
      const fromTheHour = sorted(await store.rollupsByType(onTheHour));
      const failures = await store.recentFailures(dayAgo, null, 100);
      assert.deepEqual([failures.total, failures.groups.length], [2, 2], 'the dead letter and the retried attempt');

      // Two hours on, the hour these jobs finished in is over: it is summed, an hour a step.
      assert.ok((await sumAll(store, new Date(Date.now() + 2 * HOUR_MS))) >= 1);
      assert.deepEqual(sorted(await store.rollupsByType(dayAgo)), fromMinutes, 'a day back: the hour summed');
      assert.deepEqual(sorted(await store.rollupsByType(onTheHour)), fromTheHour, 'from the hour itself: summed too');
      assert.deepEqual(await store.recentFailures(dayAgo, null, 100), failures, 'the failures a day back: the hour summed, samples and all');
      assert.deepEqual(await store.recentFailures(onTheHour, 'svc', 100), failures, 'from the hour itself, of their one service');
      assert.deepEqual(await store.recentFailures(onTheHour, 'other', 100), { groups: [], total: 0 });
      assert.deepEqual(sorted(await store.rollupsByType(new Date(Date.now() + 2 * 60_000))), { outcomes: [], latency: [] }, 'nothing after now');
      assert.deepEqual((await store.sumRollupHours(new Date(Date.now() + 2 * HOUR_MS), 24)).done, true, 'nothing left to sum');
    });

    test('a job finished in an hour already summed is counted once the next hour\'s step sums that hour again', async (store) => {
      await finishSome(store);
      await sumAll(store, new Date(Date.now() + HOUR_MS), 24);
      const late = await claimOne(store, { execution_type: 'shell' });
      await store.settle([{ ...base(late), kind: 'completed' }]);
      const shellIn = async () => (await store.rollupsByType(new Date(Date.now() - 24 * HOUR_MS))).outcomes.find((o) => o.execution_type === 'shell')?.completed;
      assert.equal(await shellIn(), 1, 'read from the hour as it was summed, not from its minutes');
      await sumAll(store, new Date(Date.now() + HOUR_MS), 24);
      assert.equal(await shellIn(), 1, 'no new hour: the step writes nothing');
      await sumAll(store, new Date(Date.now() + 2 * HOUR_MS), 24);
      const rollups = sorted(await store.rollupsByType(new Date(Date.now() - 24 * HOUR_MS)));
      assert.deepEqual(rollups.outcomes.find((o) => o.execution_type === 'shell'), { execution_type: 'shell', completed: 2, failed: 0, retried: 0 });
      assert.equal(completions(rollups), 5, 'each completion once: the hour was summed anew, not added to');
    });

    test('two processes summing at once sum each hour once', async (store, handle) => {
      await finishSome(store);
      const other = handle.openSecond ? await handle.openSecond() : store;
      try {
        const before = sorted(await store.rollupsByType(new Date(Date.now() - 24 * HOUR_MS)));
        const through = new Date(Date.now() + 3 * HOUR_MS);
        await Promise.all([sumAll(store, through), sumAll(other, through)]);
        // A process that left the work to the other (PostgreSQL) is done before it: sum once more to be sure all is.
        await sumAll(store, through);
        assert.deepEqual(sorted(await other.rollupsByType(new Date(Date.now() - 24 * HOUR_MS))), before);
      } finally {
        if (other !== store) await other.close();
      }
    });

    test('an empty store has nothing to sum; pruning takes the summed hours that ended by its cutoff with their minutes', async (store) => {
      assert.deepEqual(await store.sumRollupHours(new Date(), 24), { hours: 0, done: true });
      await finishSome(store);
      await sumAll(store, new Date(Date.now() + 2 * HOUR_MS));
      const dayAgo = new Date(Date.now() - 24 * HOUR_MS);
      assert.equal(await store.pruneHistory(new Date(Date.now() - HOUR_MS), 1000), 0, 'nothing is that old');
      assert.equal(completions(await store.rollupsByType(dayAgo)), 4);
      assert.ok((await store.pruneHistory(new Date(hourFloor(Date.now()) + 2 * HOUR_MS), 1000)) > 0);
      assert.deepEqual(await store.rollupsByType(dayAgo), { outcomes: [], latency: [] }, 'the minutes and the hour are gone');
      assert.deepEqual(await store.rollupsByService(dayAgo, null), { outcomes: [], latency: [] }, 'the hour by service too');
    });

    test('a history shorter than the windows read: the summed hour holding the cutoff counts the minutes it keeps', async (store) => {
      // The jobs finish this minute and the cutoff is the next, inside the same hour: a cutoff on the hour
      // would take that hour whole, so a run at an hour's end waits for the next to begin.
      const toNextHour = hourFloor(Date.now()) + HOUR_MS - Date.now();
      if (toNextHour < 90_000) await sleep(toNextHour + 100);
      const first = Math.floor(Date.now() / 60_000) * 60_000;
      await finishSome(store);
      const cut = Math.floor(Date.now() / 60_000) * 60_000 + 60_000;
      assert.equal(hourFloor(first), hourFloor(cut - 1), 'the jobs and the cutoff share an hour');
      await sumAll(store, new Date(Date.now() + 2 * HOUR_MS), 24);
      const dayAgo = new Date(Date.now() - 24 * HOUR_MS);
      const reads = async () => ({
        byType: sorted(await store.rollupsByType(dayAgo)),
        byService: await store.rollupsByService(dayAgo, null),
        failures: await store.recentFailures(dayAgo, null, 100),
        minutes: (await store.throughput(dayAgo, 60)).reduce((n, b) => n + b.completed + b.failed, 0),
      });
      const before = await reads();
      assert.deepEqual([completions(before.byType), before.failures.total, before.minutes], [4, 2, 5]);

      assert.equal(await store.pruneHistory(new Date(first), 1000), 0);
      assert.deepEqual(await reads(), before, 'a cutoff before every minute of the hour changes nothing');

      assert.ok((await store.pruneHistory(new Date(cut), 1000)) > 0);
      const after = await reads();
      assert.equal(after.minutes, 0, 'the minutes are gone');
      assert.deepEqual(after.byType, { outcomes: [], latency: [] }, 'the hour by type counts no pruned minute');
      assert.deepEqual(after.byService, { outcomes: [], latency: [] }, 'nor by service');
      assert.deepEqual(after.failures, { groups: [], total: 0 }, 'nor its failures, whose sample minute is gone');
    });
  });
}
