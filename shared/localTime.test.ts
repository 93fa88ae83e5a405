import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timeWithOffset } from './localTime.ts';

test('a moment with its offset, year first, Z at zero; the zone named or the machine\'s', () => {
  assert.equal(timeWithOffset('2026-12-06T20:46:48.000Z', 'Europe/Berlin'), '2026-12-06 21:46:48+01:00');
  assert.equal(timeWithOffset('2026-07-06T20:46:48.000Z', 'Europe/Berlin'), '2026-07-06 22:46:48+02:00');
  assert.equal(timeWithOffset('2026-12-06T20:46:48.000Z', 'UTC'), '2026-12-06 20:46:48Z');
  assert.equal(timeWithOffset('2026-12-06T00:04:05.000Z', 'UTC'), '2026-12-06 00:04:05Z', 'midnight is 00, not 24');
  assert.equal(timeWithOffset('not a time', 'UTC'), 'not a time');
  const before = process.env.TZ;
  process.env.TZ = 'America/St_Johns';
  try {
    assert.equal(timeWithOffset('2026-01-15T12:00:00.000Z'), '2026-01-15 08:30:00-03:30');
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
});
