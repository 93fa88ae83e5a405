import assert from 'node:assert/strict';
import { test } from 'node:test';
import { job } from '../../lib/testing/fixtures.ts';
import { attemptDuration, jobDuration, runningFor } from './jobTiming.ts';

const attempt = { started_at: '2026-11-22T08:00:00.000Z', finished_at: '2026-11-22T08:00:01.500Z', resource_usage: null };

test('a job\'s duration is what its runner measured, else start to end, else unknown', () => {
  assert.equal(jobDuration(job({ resource_usage: { duration_ms: 42 }, started_at: '2026-11-22T08:00:00.000Z', completed_at: '2026-11-22T09:00:00.000Z' })), '42 ms');
  assert.equal(jobDuration(job({ started_at: '2026-11-22T08:00:00.000Z', completed_at: '2026-11-22T08:00:02.000Z' })), '2.00 s');
  assert.equal(jobDuration(job({ started_at: '2026-11-22T08:00:00.000Z' })), '—');
});

test('an attempt still running says so; a finished one is measured', () => {
  assert.equal(attemptDuration(attempt), '1.50 s');
  assert.equal(attemptDuration({ ...attempt, finished_at: null }), 'running');
  assert.equal(attemptDuration({ ...attempt, resource_usage: { duration_ms: 900 } }), '900 ms');
});

test('a running job shows how long it has run so far, counted from its start', () => {
  const now = Date.parse('2026-11-22T08:04:12.000Z');
  assert.equal(runningFor({ started_at: '2026-11-22T08:00:00.000Z' }, now), 'running 4m 12s');
  assert.equal(runningFor({ started_at: '2026-11-22T08:04:13.000Z' }, now), 'running 0s', 'a clock a little ahead is not negative');
  assert.equal(runningFor({ started_at: null }, now), 'running');
});
