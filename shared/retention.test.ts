import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RETENTION, Retention, durationMs, pruneCutoffs } from './retention.ts';

test('durations read in minutes, hours and days', () => {
  assert.equal(durationMs('90m'), 90 * 60_000);
  assert.equal(durationMs('12h'), 12 * 3_600_000);
  assert.equal(durationMs('1.5d'), 36 * 3_600_000);
  assert.ok(Number.isNaN(durationMs('7 days')));
});

test('the defaults keep finished jobs a week, resolved dead letters and the charts a month', () => {
  assert.deepEqual(DEFAULT_RETENTION, { completed: '7d', cancelled: '7d', dead_letters: '30d', history: '30d', enabled: true });
  const now = new Date('2026-12-04T00:00:00Z');
  const cut = pruneCutoffs(DEFAULT_RETENTION, now);
  assert.equal(cut.completed.toISOString(), '2026-11-27T00:00:00.000Z');
  assert.equal(cut.deadLetters.toISOString(), '2026-11-04T00:00:00.000Z');
});

test('a bad duration is refused with the way to write one', () => {
  const bad = Retention.safeParse({ completed: '7 days' });
  assert.equal(bad.success, false);
  assert.match(JSON.stringify(bad.error?.issues), /duration such as 90m, 12h or 7d/);
  assert.equal(Retention.safeParse({ history: '10s' }).success, false);
  assert.equal(Retention.safeParse({ keep: '1d' }).success, false, 'unknown keys are refused');
});
