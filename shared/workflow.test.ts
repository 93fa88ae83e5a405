import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkflowConfig, findCycle, isRunStuck, stuckAfterMs, workflowProblems } from './workflow.ts';

const flow = (tasks: Array<{ name: string; depends_on?: string[]; service?: string }>) =>
  WorkflowConfig.parse({ name: 'etl', tasks: tasks.map((t) => ({ service: 'svc', ...t })) });

test('a cycle is named by its path in run order, closed by the depends_on entry that makes it', () => {
  const wf = flow([
    { name: 'extract', depends_on: ['load'] },
    { name: 'transform', depends_on: ['extract'] },
    { name: 'load', depends_on: ['transform'] },
  ]);
  const cycle = findCycle(wf.tasks);
  assert.deepEqual(cycle, { path: ['extract', 'transform', 'load', 'extract'], task: 0, dependency: 0 });
  const problems = workflowProblems(wf, new Set(['svc']));
  assert.deepEqual(problems, [{ path: ['tasks', 0, 'depends_on', 0], message: 'dependency cycle: extract -> transform -> load -> extract' }]);
});

test('a diamond has no cycle; a cycle below a clean start is still found', () => {
  const diamond = flow([{ name: 'a' }, { name: 'b', depends_on: ['a'] }, { name: 'c', depends_on: ['a'] }, { name: 'd', depends_on: ['b', 'c'] }]);
  assert.equal(findCycle(diamond.tasks), null);
  assert.deepEqual(workflowProblems(diamond, new Set(['svc'])), []);
  const deep = flow([{ name: 'a' }, { name: 'b', depends_on: ['a', 'c'] }, { name: 'c', depends_on: ['b'] }]);
  assert.deepEqual(findCycle(deep.tasks)?.path, ['b', 'c', 'b']);
});

test('unknown dependencies, unknown services, duplicate names and self-dependencies are each reported', () => {
  const wf = flow([{ name: 'a', service: 'nope' }, { name: 'a' }, { name: 'b', depends_on: ['ghost', 'b'] }]);
  const messages = workflowProblems(wf, new Set(['svc'])).map((p) => `${p.path.join('.')}: ${p.message}`);
  assert.deepEqual(messages, [
    "tasks.0.service: unknown service 'nope': not in services",
    "tasks.1.name: duplicate task name 'a' (first defined at tasks[0])",
    "tasks.2.depends_on.0: unknown dependency 'ghost' of task 'b': no task of that name in workflow 'etl'",
    "tasks.2.depends_on.1: task 'b' depends on itself",
  ]);
});

test('a misspelt service or dependency gets a guess at what was meant', () => {
  const wf = flow([{ name: 'transform', service: 'load_warehous' }, { name: 'load', depends_on: ['transfrom'] }]);
  const messages = workflowProblems(wf, new Set(['svc', 'load_warehouse'])).map((p) => p.message);
  assert.deepEqual(messages, [
    "unknown service 'load_warehous': not in services (did you mean 'load_warehouse'?)",
    "unknown dependency 'transfrom' of task 'load': no task of that name in workflow 'etl' (did you mean 'transform'?)",
  ]);
});

test('stuck_after reads as milliseconds; only a running run past it is stuck', () => {
  assert.equal(stuckAfterMs('90s'), 90_000);
  assert.equal(stuckAfterMs('2h'), 7_200_000);
  const at = '2026-01-01T00:00:00.000Z';
  assert.equal(isRunStuck({ status: 'running', updated_at: at }, 60_000, Date.parse(at) + 61_000), true);
  assert.equal(isRunStuck({ status: 'running', updated_at: at }, 60_000, Date.parse(at) + 59_000), false);
  assert.equal(isRunStuck({ status: 'failed', updated_at: at }, 60_000, Date.parse(at) + 61_000), false);
});
