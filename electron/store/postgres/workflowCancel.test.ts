import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { alice, base, LEASE } from '../contract/fixtures.ts';
import type { Store } from '../store.ts';
import type { NewWorkflowRun } from '../workflowTypes.ts';
import { openPostgresStore } from './open.ts';
import { createTestDatabase, resetTestDatabase } from '../testing/pgTestDb.ts';
import type { TestDatabase } from '../testing/pgTestDb.ts';

/** A run of three noop tasks in a queue of its own: `a` and `b` ready at once, `c` waiting for `a`. */
function threeTasks(identifier: string): NewWorkflowRun {
  const task = (name: string, depends_on: string[]) => ({
    name,
    depends_on,
    pass_output: null,
    job: { identifier: `${identifier}/${name}`, queue: `wf-${identifier}`, service_name: 'step', execution_type: 'noop' as const, max_attempts: 1, payload: {} },
  });
  return { identifier, workflow: 'etl', payload: {}, stuckAfterMs: 3_600_000, tasks: [task('a', []), task('b', []), task('c', ['a'])] };
}

/** The run with `a` running (claimed), `b` pending and `c` waiting. */
async function runWithOneRunning(store: Store, identifier: string) {
  const started = await store.startWorkflowRun(threeTasks(identifier), alice);
  const claimed = await store.claim({ workerId: 'w1', limit: 1, leaseMs: LEASE, queues: [`wf-${identifier}`] });
  const running = claimed[0];
  assert.ok(running && claimed.length === 1, 'one task claimed');
  return { runId: started.run_id, running };
}

/** Every task's status and whether it is asked to stop, the run's status, and the cancel's audit rows. */
async function snapshot(store: Store, runId: number) {
  const detail = await store.getWorkflowRun(runId);
  assert.ok(detail);
  const tasks = await Promise.all(detail.tasks.map(async (t) => ({ name: t.name, status: t.status, asked: (await store.getJob(t.job_id))?.cancel_requested })));
  const audits = (await store.listAudit({ action: 'workflow.cancel' }, { limit: 10 })).items.length;
  return { run: detail.run.status, tasks, audits };
}

async function deadlocks(client: pg.Client): Promise<number> {
  await client.query('SELECT pg_stat_clear_snapshot()');
  return Number((await client.query<{ n: string }>('SELECT deadlocks::text AS n FROM pg_stat_database WHERE datname = current_database()')).rows[0]?.n);
}

describe('workflow cancel on postgres is one transaction', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ migrated: true });
  });
  after(async () => {
    await db.drop();
  });

  it('a failure at its last step, the audit row, leaves the run, its tasks and their requests as they were', async () => {
    await resetTestDatabase(db.url);
    const store = await openPostgresStore(db.url, { poolSize: 2 });
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      const { runId, running } = await runWithOneRunning(store, 'refused-audit');
      const before = await snapshot(store, runId);
      assert.deepEqual(before.tasks.map((t) => [t.name, t.status, t.asked]), [['a', 'running', false], ['b', 'pending', false], ['c', 'waiting', false]]);
      // The audit log refuses the cancel's row, as a full disk or a dropped connection at that moment would.
      await admin.query(`CREATE FUNCTION public.refuse_run_cancel() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.action = 'workflow.cancel' THEN RAISE EXCEPTION 'audit log refuses workflow.cancel'; END IF; RETURN NEW; END $$`);
      await admin.query('CREATE TRIGGER refuse_run_cancel BEFORE INSERT ON jobs.tb_audit_log FOR EACH ROW EXECUTE FUNCTION public.refuse_run_cancel()');

      await assert.rejects(store.cancelWorkflowRun(runId, alice, 'wrong date'), /audit log refuses workflow\.cancel/);
      assert.deepEqual(await snapshot(store, runId), before, 'nothing of the cancel stayed: the run running, no task cancelled or asked to stop, no audit row');
      assert.deepEqual(await store.checkCounts(false), [], 'the kept counts agree with the jobs');
      assert.deepEqual(await store.cancelRequested('w1'), [], "the running task's worker is not told to stop");
      const pending = await store.claim({ workerId: 'w2', limit: 5, leaseMs: LEASE, queues: ['wf-refused-audit'] });
      assert.deepEqual(pending.map((j) => j.identifier), ['refused-audit/b'], 'the pending task is still in the queue');

      await admin.query('DROP TRIGGER refuse_run_cancel ON jobs.tb_audit_log');
      assert.deepEqual(await store.cancelWorkflowRun(runId, alice, 'wrong date'), { cancelled: 1, stopping: 2, found: 'running' });
      const done = await snapshot(store, runId);
      assert.deepEqual(
        [done.run, done.audits, done.tasks.map((t) => [t.name, t.status, t.asked])],
        ['cancelled', 1, [['a', 'running', true], ['b', 'running', true], ['c', 'cancelled', false]]],
      );
      assert.deepEqual((await store.cancelRequested('w1')).concat(await store.cancelRequested('w2')).sort(), [running.id, pending[0]?.id].sort());
    } finally {
      await admin.end();
      await store.close();
    }
  });

  it('waits for a settle that holds a running task, in the order the settle takes its locks: no deadlock', async () => {
    await resetTestDatabase(db.url);
    const store = await openPostgresStore(db.url, { poolSize: 2 });
    const settle = new pg.Client({ connectionString: db.url });
    await settle.connect();
    try {
      const { runId, running } = await runWithOneRunning(store, 'settling');
      const before = await deadlocks(settle);
      // As opsdeck_settle does: the job row first, then (its advance) the run.
      await settle.query('BEGIN');
      await settle.query('SELECT 1 FROM jobs.tb_job_run WHERE id = $1 FOR UPDATE', [running.id]);
      const cancel = store.cancelWorkflowRun(runId, alice, 'wrong date');
      for (let waited = 0; ; waited += 10) {
        const waiting = await settle.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        if (waiting.rowCount) break;
        assert.ok(waited < 5000, 'the cancel waits for the running task');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await settle.query("SET lock_timeout = '5s'");
      await settle.query('SELECT 1 FROM jobs.tb_workflow_run WHERE id = $1 FOR UPDATE', [runId]);
      await settle.query('COMMIT');
      assert.deepEqual(await cancel, { cancelled: 2, stopping: 1, found: 'running' });
      assert.equal((await deadlocks(settle)) - before, 0, 'PostgreSQL saw no deadlock');
      await store.settle([{ ...base(running), kind: 'cancelled', reason: 'cancelled by an operator', ran: true }]);
      assert.equal((await snapshot(store, runId)).run, 'cancelled');
    } finally {
      await settle.end();
      await store.close();
    }
  });
});
