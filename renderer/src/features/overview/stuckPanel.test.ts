import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WorkflowRunView } from '../../../../shared/contract.ts';
import { SHOWN_PER_WORKFLOW, stuckPanel } from './stuckPanel.ts';

function run(id: number, workflow: string): WorkflowRunView {
  return {
    id,
    identifier: `${workflow}-${id}`,
    workflow,
    status: 'running',
    payload: {},
    created_by: 'ops',
    created_at: '2026-12-07T09:00:00.000Z',
    updated_at: '2026-12-07T09:00:00.000Z',
    finished_at: null,
    stuck_after_ms: 60_000,
    tasks: { running: 1 },
    stuck: true,
  };
}

test("one workflow's thousands of stuck runs neither hide another's nor fill the page: a few each, the rest counted", () => {
  const runs = [...Array.from({ length: 200 }, (_, i) => run(i + 1, 'bulk')), run(500, 'lone')];
  const panel = stuckPanel(runs, [
    { workflow: 'bulk', stuck: 1200 },
    { workflow: 'lone', stuck: 1 },
  ]);
  assert.equal(panel.total, 1201);
  assert.deepEqual(
    panel.workflows.map((w) => [w.workflow, w.runs.map((r) => r.id), w.more]),
    [
      ['bulk', [1, 2, 3, 4, 5].slice(0, SHOWN_PER_WORKFLOW), 1200 - SHOWN_PER_WORKFLOW],
      ['lone', [500], 0],
    ],
  );
});

test('nothing stuck: nothing to show', () => {
  assert.deepEqual(stuckPanel([], []), { total: 0, workflows: [] });
});
