import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyRunsText, retryable, taskSummary, taskTiming } from './runView.ts';

test('a run is summarised by its tasks per state, running first', () => {
  assert.equal(taskSummary({ blocked: 2, completed: 3, failed: 1 }), '3 completed · 1 failed · 2 blocked');
  assert.equal(taskSummary({ running: 1, waiting: 0 }), '1 running');
  assert.equal(taskSummary({}), 'no tasks');
});

test('a task says how long it took, runs, or what it waits for', () => {
  const now = Date.parse('2026-12-04T10:00:10.000Z');
  assert.equal(taskTiming({ status: 'completed', started_at: '2026-12-04T10:00:00.000Z', completed_at: '2026-12-04T10:00:02.500Z' }, now), 'took 2.50 s');
  assert.equal(taskTiming({ status: 'running', started_at: '2026-12-04T10:00:00.000Z', completed_at: null }, now), 'running 10.0 s');
  assert.equal(taskTiming({ status: 'waiting', started_at: null, completed_at: null }, now), 'waiting for upstream');
  assert.equal(taskTiming({ status: 'pending', started_at: null, completed_at: null }, now), 'queued');
  assert.equal(taskTiming({ status: 'pending', started_at: '2026-01-01T00:00:00.000Z', completed_at: null }, now), 'queued', 'handed back by a worker that stopped: not running');
  assert.equal(taskTiming({ status: 'completed', started_at: '2026-12-04T10:00:00.000Z', completed_at: '2026-12-04T10:02:05.000Z' }, now), 'took 2m 5s');
});

test('a retry runs the failed and cancelled tasks again', () => {
  assert.deepEqual(retryable([{ name: 'a', status: 'completed' }, { name: 'b', status: 'failed' }, { name: 'c', status: 'blocked' }, { name: 'd', status: 'cancelled' }]), ['b', 'd']);
});

test('an empty Runs list points to a Run button only when the registry has a workflow, and names a State filter that hides runs', () => {
  assert.deepEqual(emptyRunsText(2, undefined), { title: 'No runs yet', detail: 'Start one with Run beside its workflow above.' });
  assert.deepEqual(emptyRunsText(0, undefined), { title: 'No runs yet', detail: 'The registry has no workflow to run: add one, as said above.' });
  assert.deepEqual(emptyRunsText(null, undefined), { title: 'No runs yet', detail: null });
  for (const workflows of [0, 2, null]) assert.deepEqual(emptyRunsText(workflows, 'failed'), { title: 'No failed runs', detail: 'Choose any under State to list every run.' });
});
