import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import type { JobFilter } from '../../../shared/domain.ts';
import { job } from '../contract/fixtures.ts';
import { createSqliteTestStore } from '../testing/sqliteTestDb.ts';
import { createdArms } from './createdPages.ts';
import { jobWhere } from './filters.ts';
import type { Where } from './filters.ts';
import { createdPageSql, statesPageSql } from './pageSql.ts';

const NOW = new Date().toISOString();

/** The plan's lines for one listing statement, its parameters bound as a page would bind them. */
function planOf(raw: Database.Database, sql: string, params: unknown[]): string[] {
  return raw
    .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
    .all(...params)
    .map((row) => row.detail);
}

function armsOf(where: Where) {
  assert.ok(where.arms);
  return where.arms;
}

async function withStates(body: (raw: Database.Database) => void): Promise<void> {
  const { store, path, cleanup } = await createSqliteTestStore();
  const raw = new Database(path);
  try {
    await store.enqueue(Array.from({ length: 400 }, (_, i) => job(`svc${i % 4}`)));
    // Each job in one state, so every state's partial index holds some.
    raw.prepare(`UPDATE tb_job_run SET status = json_extract('["completed","failed","cancelled","pending","running"]', '$[' || (id % 5) || ']')`).run();
    body(raw);
  } finally {
    raw.close();
    await cleanup();
  }
}

test('a listing of several states walks each state by its own index and merges them, sorting nothing', async () => {
  await withStates((raw) => {
    const filters: JobFilter[] = [{ status: ['failed', 'completed'] }, { status: ['completed', 'cancelled', 'failed', 'running'], service: 'svc1' }];
    for (const filter of filters) {
      const where = jobWhere(filter, NOW);
      const arms = armsOf(where);
      const plan = planOf(raw, statesPageSql(arms), [...arms.flatMap(() => [...where.params, 1_000]), 101]);
      assert.ok(plan.includes('MERGE (UNION ALL)'), plan.join('\n'));
      for (const status of filter.status ?? []) {
        assert.ok(plan.includes(`SEARCH tb_job_run USING INDEX idx_tb_job_run_${status} (status=? AND id<?)`), `${status}:\n${plan.join('\n')}`);
      }
      assert.deepEqual(plan.filter((line) => line.includes('TEMP B-TREE') || line.startsWith('SCAN tb_job_run')), [], plan.join('\n'));
    }
  });
});

test('a ranged listing walks the creation-time index in order, and a state of few jobs its own index', async () => {
  await withStates((raw) => {
    const range = { created_after: '2026-01-01T00:00:00Z', created_before: '2099-01-01T00:00:00Z' };
    const where = jobWhere({ ...range, status: ['failed', 'completed'], service: 'svc2' }, NOW);
    const bound = (arms: ReadonlyArray<unknown>) => [...arms.flatMap(() => [...where.params, '9999', 1_000]), 101];
    const walked = createdArms(where, () => false);
    const plan = planOf(raw, createdPageSql(walked), bound(walked));
    assert.deepEqual(plan, ['SEARCH tb_job_run USING INDEX idx_tb_job_run_created_at (created_at>? AND created_at<?)'], plan.join('\n'));

    const mixed = createdArms(where, (state) => state === 'failed');
    const merged = planOf(raw, createdPageSql(mixed), bound(mixed));
    assert.ok(merged.includes('MERGE (UNION ALL)'), merged.join('\n'));
    assert.ok(merged.includes('SEARCH tb_job_run USING INDEX idx_tb_job_run_failed (status=?)'), merged.join('\n'));
    assert.ok(merged.includes('SEARCH tb_job_run USING INDEX idx_tb_job_run_created_at (created_at>? AND created_at<?)'), merged.join('\n'));
    // Only the few failed jobs are sorted; the completed arm comes out of its index in order.
    assert.equal(merged.filter((line) => line.includes('TEMP B-TREE')).length, 1, merged.join('\n'));

    const dead = jobWhere({ ...range, unresolved: true }, NOW);
    const deadArms = createdArms(dead, () => true);
    assert.deepEqual(deadArms.map((arm) => arm.index), ['idx_tb_job_run_dlq']);
    assert.ok(planOf(raw, createdPageSql(deadArms), [...dead.params, '9999', 1_000, 101]).some((line) => line.includes('idx_tb_job_run_dlq')));
  });
});
