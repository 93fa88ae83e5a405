import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HOUR_MS, hourCutInto, hoursStep, pruneStop, readSplit, RESUM_HOURS } from './rollupHours.ts';

const at = (iso: string) => Date.parse(iso);

describe('summing whole hours of the rollups', () => {
  it('a first step starts at the oldest minute\'s hour and stops at the whole hour before through, maxHours at a time', () => {
    const step = hoursStep({ through: at('2026-03-02T12:04:00Z'), mark: null, oldestMinute: at('2026-03-02T07:31:00Z'), maxHours: 3 });
    assert.deepEqual(step, { from: at('2026-03-02T07:00:00Z'), to: at('2026-03-02T10:00:00Z'), mark: at('2026-03-02T10:00:00Z'), done: false });
    const next = hoursStep({ through: at('2026-03-02T12:04:00Z'), mark: step.mark, oldestMinute: at('2026-03-02T07:31:00Z'), maxHours: 3 });
    assert.deepEqual(next, { from: step.mark - RESUM_HOURS * HOUR_MS, to: at('2026-03-02T12:00:00Z'), mark: at('2026-03-02T12:00:00Z'), done: true }, 'the hour under way is left to the minutes');
    const one = hoursStep({ through: at('2026-03-02T12:04:00Z'), mark: step.mark, oldestMinute: at('2026-03-02T07:31:00Z'), maxHours: 1 });
    assert.deepEqual([one.from, one.to], [at('2026-03-02T08:00:00Z'), at('2026-03-02T11:00:00Z')], 'an hour a step still moves on an hour');
  });

  it('once caught up a step does nothing; the next hour\'s step sums the hours before it again', () => {
    const mark = at('2026-03-02T12:00:00Z');
    const idle = hoursStep({ through: at('2026-03-02T12:59:00Z'), mark, oldestMinute: at('2026-02-01T00:00:00Z'), maxHours: 24 });
    assert.deepEqual(idle, { from: mark, to: mark, mark, done: true });
    const next = hoursStep({ through: at('2026-03-02T13:05:00Z'), mark, oldestMinute: at('2026-02-01T00:00:00Z'), maxHours: 24 });
    assert.deepEqual(next, { from: mark - RESUM_HOURS * HOUR_MS, to: at('2026-03-02T13:00:00Z'), mark: at('2026-03-02T13:00:00Z'), done: true });
  });

  it('an empty store marks the hour before through; pruning past the mark starts at the oldest minute kept', () => {
    assert.deepEqual(hoursStep({ through: at('2026-03-02T12:30:00Z'), mark: null, oldestMinute: null, maxHours: 24 }), {
      from: at('2026-03-02T12:00:00Z'),
      to: at('2026-03-02T12:00:00Z'),
      mark: at('2026-03-02T12:00:00Z'),
      done: true,
    });
    const step = hoursStep({ through: at('2026-03-02T12:30:00Z'), mark: at('2026-02-01T00:00:00Z'), oldestMinute: at('2026-03-01T08:10:00Z'), maxHours: 2 });
    assert.deepEqual([step.from, step.to], [at('2026-03-01T08:00:00Z'), at('2026-03-01T10:00:00Z')]);
  });

  it('a mark past through (a clock that ran ahead) is never moved back', () => {
    const mark = at('2026-03-02T15:00:00Z');
    const step = hoursStep({ through: at('2026-03-02T12:30:00Z'), mark, oldestMinute: at('2026-03-01T00:00:00Z'), maxHours: 24 });
    assert.deepEqual([step.from === step.to, step.mark, step.done], [true, mark, true]);
  });

  it('a read takes the minutes up to its first whole hour, the summed hours to the mark, the minutes after', () => {
    const since = at('2026-03-01T11:17:00Z');
    assert.deepEqual(readSplit(since, at('2026-03-02T12:00:00Z')), { since, hoursFrom: at('2026-03-01T12:00:00Z'), hoursTo: at('2026-03-02T12:00:00Z') });
    assert.deepEqual(readSplit(since, null), { since, hoursFrom: at('2026-03-01T12:00:00Z'), hoursTo: at('2026-03-01T12:00:00Z') }, 'nothing summed: minutes only');
    assert.deepEqual(readSplit(since, at('2026-03-01T09:00:00Z')).hoursTo, at('2026-03-01T12:00:00Z'), 'a mark before the window: minutes only');
    const onTheHour = at('2026-03-01T11:00:00Z');
    assert.equal(readSplit(onTheHour, at('2026-03-02T12:00:00Z')).hoursFrom, onTheHour, 'a window on the hour starts with its hour');
  });

  it('a prune sums again the summed hour its cutoff falls inside, and no other', () => {
    const mark = at('2026-03-02T12:00:00Z');
    assert.equal(hourCutInto(at('2026-03-02T09:17:00Z'), mark), at('2026-03-02T09:00:00Z'));
    assert.equal(hourCutInto(at('2026-03-02T09:00:00Z'), mark), null, 'a cutoff on the hour leaves that hour whole');
    assert.equal(hourCutInto(at('2026-03-02T12:17:00Z'), mark), null, 'an hour past the mark: the summing step sums what is left');
    assert.equal(hourCutInto(at('2026-03-02T09:17:00Z'), null), null, 'nothing summed yet');
  });

  it('a prune call stops at the cut, or short of it at the nearest hour start that still removes something, or at its rows\' bound', () => {
    const cut = at('2026-03-02T09:17:00Z');
    assert.equal(pruneStop(cut, null, [null]), null, 'nothing before the cut');
    assert.equal(pruneStop(cut, at('2026-03-02T09:20:00Z'), [null]), null, 'the oldest minute is after the cut');
    assert.equal(pruneStop(cut, at('2026-03-02T09:03:00Z'), [null, null]), cut, 'all of it within the cut hour: to the cut');
    assert.equal(pruneStop(cut, at('2026-03-02T07:40:00Z'), [null]), at('2026-03-02T09:00:00Z'), 'the hours before the cut hour first, whole');
    assert.equal(pruneStop(cut, at('2026-03-01T07:40:00Z'), [at('2026-03-01T12:34:00Z'), null]), at('2026-03-01T12:00:00Z'), 'a backlog: the hour start before the bound');
    assert.equal(
      pruneStop(cut, at('2026-03-01T07:40:00Z'), [at('2026-03-01T12:34:00Z'), at('2026-03-01T10:05:00Z')]),
      at('2026-03-01T10:00:00Z'),
      'the nearest of the tables\' bounds: each table to the same minute',
    );
    assert.equal(pruneStop(cut, at('2026-03-02T09:01:00Z'), [at('2026-03-02T09:08:00Z')]), at('2026-03-02T09:08:00Z'), 'more rows in the hour than a call takes: inside it');
    assert.equal(pruneStop(cut, at('2026-03-02T09:01:00Z'), [at('2026-03-02T09:01:00Z')]), at('2026-03-02T09:02:00Z'), 'a minute holding more rows than a call takes goes whole');
  });
});
