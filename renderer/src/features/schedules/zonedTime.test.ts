import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zonedTime } from './zonedTime.ts';

test('a fire in its schedule zone and in another, with offsets that follow DST', () => {
  assert.equal(zonedTime('2026-03-29T01:00:00.000Z', 'Europe/Berlin'), '2026-03-29 03:00:00+02:00');
  assert.equal(zonedTime('2026-03-28T01:30:00.000Z', 'Europe/Berlin'), '2026-03-28 02:30:00+01:00');
  assert.equal(zonedTime('2026-03-29T01:00:00.000Z', 'America/New_York'), '2026-03-28 21:00:00-04:00');
  assert.equal(zonedTime('2026-03-29T01:00:00.000Z', 'UTC'), '2026-03-29 01:00:00Z');
});
