import assert from 'node:assert/strict';
import { test } from 'node:test';
import { taskWhy } from './taskWhy.ts';
import type { WorkflowTaskView } from './views.ts';

function task(name: string, status: WorkflowTaskView['status'], depends_on: string[] = [], error_message: string | null = null): WorkflowTaskView {
  return { name, job_id: 1, service_name: 's', status, depends_on, pass_output: null, attempts: 0, started_at: null, completed_at: null, error_message, waiting: [] };
}

const CANCELLED = { status: 'cancelled' as const };

test('a cancelled task says why: with its run, never run for a failed upstream, or on its own', () => {
  // prepare → sync (failed) → report (blocked, then cancelled with the run); check ran on, cancelled with the run.
  const sync = task('sync', 'failed', ['prepare'], 'HTTP 503');
  const report = task('report', 'cancelled', ['sync'], "upstream task 'sync' failed");
  const check = task('check', 'cancelled');
  const flow = [task('prepare', 'completed'), sync, report, check];
  assert.equal(taskWhy(report, CANCELLED, flow), "cancelled with the run, never run: upstream task 'sync' failed");
  assert.equal(taskWhy(check, CANCELLED, flow), 'cancelled because an operator cancelled the run');
  assert.equal(taskWhy(sync, CANCELLED, flow), 'HTTP 503', "a failed task's why is its error");
});

test("a task whose job an operator cancelled on its own says so, in a run cancelled after it or not", () => {
  const sync = task('sync', 'cancelled');
  const report = task('report', 'blocked', ['sync'], "upstream task 'sync' cancelled");
  const own = 'cancelled by an operator: its job was cancelled on its own';
  assert.equal(taskWhy(sync, { status: 'failed' }, [sync, report]), own);
  assert.equal(taskWhy(sync, CANCELLED, [sync, report]), own, 'report was blocked by it: it was cancelled before the run');
  assert.equal(taskWhy(report, { status: 'failed' }, [sync, report]), "upstream task 'sync' cancelled");
});

test('a reason kept from before a retry, naming an upstream that completed since, is not why it was cancelled', () => {
  const sync = task('sync', 'completed');
  const report = task('report', 'cancelled', ['sync'], "upstream task 'sync' failed");
  assert.equal(taskWhy(report, CANCELLED, [sync, report]), 'cancelled because an operator cancelled the run');
});

test("a pending task's why is why it waits", () => {
  const pending = { ...task('a', 'pending'), waiting: ['safe mode is on', 'queue q is paused'] };
  assert.equal(taskWhy(pending, { status: 'running' }, [pending]), 'safe mode is on; queue q is paused');
});

test('a waiting task says which upstream tasks it waits for and where each is; those completed are not named', () => {
  const extract = task('extract', 'running');
  const lookup = task('lookup', 'completed');
  const enrich = task('enrich', 'pending');
  const transform = task('transform', 'waiting', ['extract', 'lookup', 'enrich']);
  const load = task('load', 'waiting', ['transform']);
  const flow = [extract, lookup, enrich, transform, load];
  assert.equal(taskWhy(transform, { status: 'running' }, flow), 'waits for upstream tasks extract (running), enrich (pending)');
  assert.equal(taskWhy(load, { status: 'running' }, flow), 'waits for upstream task transform (waiting)');
});

test("a running task's why is the API's: its worker lost, or nothing while it runs", () => {
  const lost = { ...task('a', 'running'), waiting: ['worker w-1 is lost (…): nobody runs this job; …'] };
  assert.equal(taskWhy(lost, { status: 'running' }, [lost]), 'worker w-1 is lost (…): nobody runs this job; …');
  assert.equal(taskWhy(task('b', 'running'), { status: 'running' }, []), '');
});
