import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { postgresStoreMadeBefore, sqliteStoreMadeBefore } from './testing/storeMadeBefore.ts';
import type { Store } from './store.ts';
import type { StuckAfters } from './workflowTypes.ts';

const alice = { user: 'alice', host: 'laptop' };
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Runs started before runs kept their stuck_after: which workflow, and how long since a task moved. */
const LEGACY = [
  { identifier: 'nightly-old', workflow: 'nightly', idle: 10 * MINUTE },
  { identifier: 'weekly-old', workflow: 'weekly', idle: 2 * HOUR },
  { identifier: 'gone-recent', workflow: 'gone', idle: 10 * MINUTE },
  { identifier: 'gone-old', workflow: 'gone', idle: 2 * HOUR },
];

/** The registry at hand: nightly 1m, weekly a day; `gone` it no longer names, so the default hour. */
const held: StuckAfters = { byWorkflow: new Map([['nightly', MINUTE], ['weekly', 24 * HOUR]]), defaultMs: HOUR };

/**
 * A run without a stuck_after of its own is held to its workflow's in the registry at hand, else the
 * default; a run with one, to its own: the counts and the list decide the same way, on both dialects.
 */
async function check(store: Store): Promise<void> {
  // Started since: nightly's own hour outlasts the registry's minute.
  const { run_id: ownHour } = await store.startWorkflowRun(
    { identifier: 'nightly-new', workflow: 'nightly', payload: {}, stuckAfterMs: HOUR, tasks: [{ name: 'a', depends_on: [], pass_output: null, job: { identifier: 'nightly-new/a', queue: 'q', service_name: 's', execution_type: 'noop', max_attempts: 1 } }] },
    alice,
  );
  const now = new Date(Date.now() + 5 * MINUTE);
  assert.deepEqual(await store.stuckRunsByWorkflow(now, held), [
    { workflow_name: 'gone', n: 1 },
    { workflow_name: 'nightly', n: 1 },
  ]);
  const listed = await store.stuckWorkflowRuns(now, held, 10);
  assert.deepEqual(listed.map((r) => [r.identifier, r.stuck_after_ms]), [['gone-old', null], ['nightly-old', null]], 'longest stuck first');
  assert.ok(!listed.some((r) => r.id === ownHour), 'five minutes idle is within its own hour');
}

function agoIso(ms: number): string {
  return new Date(Date.now() - ms).toISOString();
}

describe('stuck runs of a store made before runs kept their stuck_after', () => {
  test('SQLite', () =>
    sqliteStoreMadeBefore(
      19,
      (db) => {
        const insert = db.prepare(
          `INSERT INTO tb_workflow_run (identifier, workflow_name, status, payload, created_by, created_at, updated_at) VALUES (?, ?, 'running', '{}', 'alice@laptop', ?, ?)`,
        );
        for (const run of LEGACY) insert.run(run.identifier, run.workflow, agoIso(run.idle), agoIso(run.idle));
      },
      check,
    ));

  test('PostgreSQL', () =>
    postgresStoreMadeBefore(
      32,
      async (db) => {
        for (const run of LEGACY) {
          await db.query(
            `INSERT INTO jobs.tb_workflow_run (identifier, workflow_name, status, payload, created_by, created_at, updated_at) VALUES ($1, $2, 'running', '{}', 'alice@laptop', $3, $3)`,
            [run.identifier, run.workflow, agoIso(run.idle)],
          );
        }
      },
      check,
    ));
});
