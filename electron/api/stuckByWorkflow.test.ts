import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WorkflowRunView } from '../../shared/contract.ts';
import { stuckByWorkflow } from './stuckByWorkflow.ts';

function run(id: number, workflow: string, updatedAt: string): WorkflowRunView {
  return {
    id,
    identifier: `${workflow}-${id}`,
    workflow,
    status: 'running',
    payload: {},
    created_by: 'alice@laptop',
    created_at: '2026-12-07T08:00:00.000Z',
    updated_at: updatedAt,
    finished_at: null,
    stuck_after_ms: 3_600_000,
    tasks: { running: 1 },
    stuck: true,
  };
}

test("one workflow's many stuck runs leave every other workflow its longest stuck run and its count, longest stuck first", () => {
  // As the store lists them: longest stuck first, a bounded number of each workflow.
  const runs = [
    run(1, 'bulk', '2026-12-07T08:00:00.000Z'),
    run(2, 'bulk', '2026-12-07T08:01:00.000Z'),
    run(3, 'nightly', '2026-12-07T08:02:00.000Z'),
    ...[4, 5, 6, 7, 8].map((id) => run(id, 'bulk', `2026-12-07T08:0${id}:00.000Z`)),
    run(9, 'lone', '2026-12-07T08:09:00.000Z'),
    run(10, 'nightly', '2026-12-07T08:10:00.000Z'),
  ];
  const counts = [
    { workflow_name: 'bulk', n: 230 },
    { workflow_name: 'nightly', n: 2 },
    { workflow_name: 'lone', n: 1 },
  ];
  assert.deepEqual(
    stuckByWorkflow(runs, counts).map((w) => [w.workflow, w.longest?.id, w.stuck]),
    [
      ['bulk', 1, 230],
      ['nightly', 3, 2],
      ['lone', 9, 1],
    ],
  );
});

test('two reads a moment apart: the larger count stands, and a workflow only counted comes last, with no run to name', () => {
  const runs = [run(1, 'bulk', '2026-12-07T08:00:00.000Z'), run(2, 'bulk', '2026-12-07T08:01:00.000Z')];
  const counts = [
    { workflow_name: 'bulk', n: 1 },
    { workflow_name: 'late', n: 3 },
    { workflow_name: 'gone', n: 0 },
  ];
  assert.deepEqual(
    stuckByWorkflow(runs, counts).map((w) => [w.workflow, w.longest?.id ?? null, w.stuck]),
    [
      ['bulk', 1, 2],
      ['late', null, 3],
    ],
  );
  assert.deepEqual(stuckByWorkflow([], []), []);
});
