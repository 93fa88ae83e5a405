import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSchedule, ScheduleCheckInput } from './scheduleCheck.ts';

const NOW = new Date('2026-03-27T12:00:00Z');
const check = (input: ScheduleCheckInput) => checkSchedule(ScheduleCheckInput.parse(input), NOW);

test('a good cron answers its next fires in its zone, across the change to summer time', () => {
  const result = check({ cron: '30 2 * * *', timezone: 'Europe/Berlin', count: 3 });
  assert.equal(result.ok, true);
  assert.deepEqual(result.problems, []);
  // 02:30 does not exist on 29 March in Berlin: that day it fires when the clock jumps, at 03:00 CEST.
  assert.deepEqual(result.next_fires, ['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
});

test('the zone defaults to UTC and the count to 5', () => {
  const result = check({ cron: '@daily' });
  assert.equal(result.timezone, 'UTC');
  assert.equal(result.next_fires.length, 5);
  assert.equal(result.next_fires[0], '2026-03-28T00:00:00.000Z');
});

test('each problem is at its field, in the words an add is refused with, and nothing fires', () => {
  const result = check({ cron: '0 9 * * MON-FRY', timezone: 'Europe/Berln' });
  assert.equal(result.ok, false);
  assert.deepEqual(result.problems, [
    { field: 'cron', message: "day-of-week 'MON-FRY': 'FRY' is not a day (MON..SUN or 0..7)" },
    { field: 'timezone', message: "'Europe/Berln' is not a time zone: did you mean Europe/Berlin?" },
  ]);
  assert.deepEqual(result.next_fires, []);
  assert.deepEqual(check({ cron: '   ' }).problems, [{ field: 'cron', message: 'cron is empty' }]);
});
