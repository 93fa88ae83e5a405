import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workflowTaskOf } from './workflowTask.ts';

test("a workflow task's job names its run and task; other payloads name none", () => {
  assert.deepEqual(workflowTaskOf({ args: [], workflow: { run: 'etl-1', name: 'etl', task: 'load' } }), { run: 'etl-1', task: 'load' });
  assert.equal(workflowTaskOf({ workflow: 'not a run' }), null);
  assert.equal(workflowTaskOf(['workflow']), null);
  assert.equal(workflowTaskOf(null), null);
});
