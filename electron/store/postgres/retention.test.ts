import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import type { PruneCutoffs } from '../../../shared/retention.ts';
import { alice, base, err, job } from '../contract/fixtures.ts';
import type { NewWorkflowRun } from '../workflowTypes.ts';
import { openPostgresStore } from './open.ts';
import { createTestDatabase, resetTestDatabase, withClient } from '../testing/pgTestDb.ts';
import type { TestDatabase } from '../testing/pgTestDb.ts';

const future = new Date(Date.now() + 86_400_000);
const everything: PruneCutoffs = { completed: future, cancelled: future, deadLetters: future, history: future };

function twoTaskRun(identifier: string): NewWorkflowRun {
  return {
    identifier,
    workflow: 'pair',
    payload: {},
    stuckAfterMs: 3_600_000,
    tasks: ['x', 'y'].map((name) => ({
      name,
      depends_on: [],
      pass_output: null,
      job: { identifier: `${identifier}/${name}`, queue: 'wf', service_name: 'step', execution_type: 'noop', max_attempts: 1 },
    })),
  };
}

describe('postgres retention', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ migrated: true });
  });
  after(async () => {
    await db.drop();
  });

  it('a run whose task another transaction holds (a retry under way) is left whole for a later batch, without waiting', async () => {
    await resetTestDatabase(db.url);
    const store = await openPostgresStore(db.url, { poolSize: 2 });
    try {
      const { run_id: runId } = await store.startWorkflowRun(twoTaskRun('held'), alice);
      const [x, y] = await store.claim({ workerId: 'w1', limit: 2, leaseMs: 60_000, queues: ['wf'] });
      assert.ok(x && y);
      await store.settle([{ ...base(x), kind: 'completed' }, { ...base(y), kind: 'failed', error: err('broken'), outcome: 'failed' }]);
      await store.dlqResolve({ job_ids: [y.id] }, 'given up', alice);
      await withClient(db.url, async (c) => {
        await c.query('BEGIN');
        await c.query('SELECT 1 FROM jobs.tb_job_run WHERE id = $1 FOR UPDATE', [y.id]);
        const held = await store.pruneBatch(everything, 0, 100);
        assert.deepEqual([held.completed, held.cancelled, held.dead_letters], [0, 0, 0]);
        await c.query('ROLLBACK');
      });
      assert.ok(await store.getWorkflowRun(runId), 'the run and both tasks are still there');
      assert.deepEqual((await store.pruneBatch(everything, 0, 100)).dead_letters, 1);
      assert.equal(await store.getWorkflowRun(runId), null);
    } finally {
      await store.close();
    }
  });

  it("the dry run's space is the tables' size shared out over the jobs kept, before any ANALYZE too", async () => {
    await resetTestDatabase(db.url);
    const store = await openPostgresStore(db.url, { poolSize: 2 });
    try {
      await store.enqueue(Array.from({ length: 2000 }, () => job('svc')));
      const claimed = await store.claim({ workerId: 'w1', limit: 1000, leaseMs: 60_000 });
      await store.settle(claimed.map((c) => ({ ...base(c), kind: 'completed' as const })));
      const sizes = await withClient(db.url, (c) =>
        c.query<{ total: string; reltuples: number }>(
          `SELECT (pg_total_relation_size('jobs.tb_job_run') + pg_total_relation_size('jobs.tb_job_attempt'))::text AS total,
             (SELECT reltuples FROM pg_class WHERE oid = 'jobs.tb_job_run'::regclass) AS reltuples`,
        ),
      );
      const total = Number(sizes.rows[0]?.total);
      assert.equal(sizes.rows[0]?.reltuples, -1, 'the table has never been analysed');
      const estimate = await store.pruneEstimate(everything);
      assert.equal(estimate.completed, 1000);
      assert.ok(estimate.bytes > total / 4 && estimate.bytes < (total * 3) / 4, `half the jobs take about half of ${total} bytes, not ${estimate.bytes}`);
    } finally {
      await store.close();
    }
  });
  it("a prune on a store no summing step has marked yet takes the mark's row: a first summing step under way holds it off", async () => {
    await resetTestDatabase(db.url);
    const store = await openPostgresStore(db.url, { poolSize: 2 });
    try {
      await withClient(db.url, async (summing) => {
        const marks = await summing.query('SELECT through FROM jobs.tb_rollup_hour_mark');
        assert.equal(marks.rowCount, 0, 'a fresh store has no mark row');
        // A first summing step, as far as it has gone before summing its hours: the row made and held.
        await summing.query('BEGIN');
        await summing.query('INSERT INTO jobs.tb_rollup_hour_mark (id, through) VALUES (true, NULL) ON CONFLICT (id) DO NOTHING');
        await summing.query('SELECT through FROM jobs.tb_rollup_hour_mark FOR UPDATE');
        let settled = false;
        const prune = store.pruneHistory(new Date(), 1000).finally(() => {
          settled = true;
        });
        assert.ok(await waitingOnALock(db.url, summing, () => settled), 'the prune went ahead while the summing step held the mark');
        await summing.query("UPDATE jobs.tb_rollup_hour_mark SET through = date_trunc('hour', now())");
        await summing.query('COMMIT');
        assert.equal(await prune, 0, 'the prune goes on once the summing step commits');
      });
    } finally {
      await store.close();
    }
  });
});

/**
 * Whether another backend of the database waits on a lock the holder's transaction has, looked for until
 * one does or `gaveUp` (the call that should wait finished instead).
 */
async function waitingOnALock(url: string, holder: pg.Client, gaveUp: () => boolean): Promise<boolean> {
  const { rows } = await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const holderPid = rows[0]?.pid;
  return withClient(url, async (c) => {
    while (!gaveUp()) {
      const blocked = await c.query('SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [holderPid]);
      if ((blocked.rowCount ?? 0) > 0) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  });
}
