import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readPastTime, readTime } from './pastTime.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('a past time as operators type it', () => {
  it('a duration ago, a date and a full time', () => {
    assert.deepEqual(readPastTime('1h', NOW), { kind: 'time', iso: '2026-03-01T11:00:00.000Z' });
    assert.deepEqual(readPastTime('2026-01-31', NOW), { kind: 'time', iso: '2026-01-31T00:00:00.000Z' });
    assert.deepEqual(readPastTime('2026-01-31T12:00:00+02:00', NOW), { kind: 'time', iso: '2026-01-31T10:00:00.000Z' });
    assert.deepEqual(readPastTime('yesterday', NOW), { kind: 'other' });
  });

  it('a duration reaching before 1970, or past what a date holds, is too far back rather than a thrown RangeError', () => {
    // 3000w: 57 years before 2026, in 1969.
    for (const text of ['999999999w', '999999999d', '3000w']) {
      assert.deepEqual(readPastTime(text, NOW), { kind: 'refused', problem: `"${text}" is too far back: write a time from 1970 on` }, text);
    }
    assert.deepEqual(readPastTime('1969-12-31', NOW), { kind: 'refused', problem: '"1969-12-31" is too far back: write a time from 1970 on' });
    assert.deepEqual(readPastTime('1970-01-01', NOW), { kind: 'time', iso: '1970-01-01T00:00:00.000Z' });
  });

  it('a day no calendar has is refused, not rolled into the next month', () => {
    assert.deepEqual(readTime('2026-02-30'), { kind: 'refused', problem: '"2026-02-30" is not a date: 2026-02 has 28 days' });
    assert.deepEqual(readTime('2026-02-29T08:00:00Z'), { kind: 'refused', problem: '"2026-02-29T08:00:00Z" is not a date: 2026-02 has 28 days' });
    assert.deepEqual(readTime('2026-00-10'), { kind: 'refused', problem: '"2026-00-10" is not a date: there is no month 00' });
    assert.deepEqual(readTime('2026-06-00'), { kind: 'refused', problem: '"2026-06-00" is not a date: 2026-06 has 30 days' });
    assert.deepEqual(readTime('2000-02-29'), { kind: 'time', iso: '2000-02-29T00:00:00.000Z' }, 'divisible by 400: a leap year');
    assert.equal(readTime('2100-02-29').kind, 'refused', 'divisible by 100 alone: none');
  });

  it('a full time is read by the reader given: REST takes only an ISO time with its offset', () => {
    const strict = (text: string) => (text.endsWith('Z') ? readTime(text) : { kind: 'other' as const });
    assert.deepEqual(readPastTime('Jan 5 2026', NOW, strict), { kind: 'other' });
    assert.equal(readPastTime('Jan 5 2026', NOW).kind, 'time');
    assert.deepEqual(readPastTime('2026-01-05', NOW, strict), { kind: 'time', iso: '2026-01-05T00:00:00.000Z' }, 'a bare date whatever the reader');
  });
});
