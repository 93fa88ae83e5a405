import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cronRefusal } from './cronWords.ts';
import { cronProblem } from './scheduleMath.ts';

test('a cron of the wrong length says how many fields it needs, and how many it has', () => {
  assert.equal(cronRefusal('*/5 * * *'), 'cron needs 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first; got 4: */5 * * *');
  assert.match(cronRefusal('0 0 9 * * MON 2026') ?? '', /; got 7: 0 0 9 \* \* MON 2026$/);
  assert.match(cronRefusal('  0   9 * *  ') ?? '', /; got 4: 0 {3}9 \* \*$/, 'told as written, without the blanks around it');
});

test('a bad field is named, with what it holds as written (MON stays MON) and what it may hold', () => {
  const cases: Array<[string, string]> = [
    ['0 9 * * MON-FRY', "day-of-week 'MON-FRY': 'FRY' is not a day (MON..SUN or 0..7)"],
    ['0 9 * * 8', "day-of-week '8' is not a day (MON..SUN or 0..7)"],
    ['0 9 * * FRY#2', "day-of-week 'FRY#2': 'FRY' is not a day (MON..SUN or 0..7)"],
    ['0 9 * * 5-1', "day-of-week '5-1' runs backwards: a range goes from low to high (to wrap around, list two ranges)"],
    ['0 24 * * *', "hour '24' is not an hour (0..23)"],
    ['0 9 0 * *', "day-of-month '0' is not a day of the month (1..31, or L for the last)"],
    ['0 9 32W * *', "day-of-month '32W': '32' is not a day of the month (1..31, or L for the last)"],
    ['0 9 * 13 *', "month '13' is not a month (JAN..DEC or 1..12)"],
    ['0 9 * JAN,FEBB *', "month 'JAN,FEBB': 'FEBB' is not a month (JAN..DEC or 1..12)"],
    ['*/0 * * * *', "minute '*/0': a step is 1 or more, not 0"],
    ['*/61 * * * *', "minute '*/61': a step of 61 does not fit in 0..59"],
    ['10/5 * * * *', "minute '10/5': a step goes after * or a range (*/5 or 10-59/5), not after one value (10/5)"],
    ['1,2,,3 * * * *', "minute '1,2,,3': an item between commas is empty"],
    ['-1 * * * *', "minute '-1' is not a range (low-high)"],
    ['60 0 9 * * *', "second '60' is not a second (0..59)"],
  ];
  for (const [cron, words] of cases) assert.equal(cronRefusal(cron), words, cron);
});

test('a shorthand that is not one lists those that are', () => {
  assert.equal(
    cronRefusal('@reboot'),
    "'@reboot' is not a cron shorthand: use @hourly, @daily, @weekly, @monthly, @yearly, or 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first",
  );
});

test("what croner takes is never refused in our words, and what it refuses is said in them", () => {
  for (const ok of ['0 9 L * *', '0 9 15W * *', '0 9 LW * *', '0 9 * * FRI#2', '0 9 * * 5L', '0 9 ? * MON', '0 9 * jan-mar sun', '0 9 1-31/2 * *', '*/60 * * * *']) {
    assert.equal(cronProblem(ok), null, ok);
    assert.equal(cronRefusal(ok), null, ok);
  }
  for (const bad of ['*/5 * * *', '0 9 * * MON-FRY', '61 * * * *', 'a * * * *', '0 9 * * 5-1', '1- * * * *']) {
    assert.equal(cronProblem(bad), cronRefusal(bad), bad);
  }
});
