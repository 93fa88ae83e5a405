import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { latencyBucket } from '../../../shared/latencyBuckets.ts';
import { job } from '../contract/fixtures.ts';
import { FAILED_PAGE_SQL } from './failedPages.ts';
import { openPostgresStore } from './open.ts';
import { createTestDatabase, resetTestDatabase, withClient } from '../testing/pgTestDb.ts';
import type { TestDatabase } from '../testing/pgTestDb.ts';

describe('postgres store', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ migrated: true });
  });
  after(async () => {
    await db.drop();
  });

  describe('postgres only', () => {
    it('a claim reads only the head of the queue, even before statistics know the queue is long', async () => {
      await resetTestDatabase(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        await withClient(db.url, (c) => c.query('ANALYZE jobs.tb_job_run, jobs.tb_job_ready'));
        await store.enqueue(Array.from({ length: 20_000 }, (_, i) => job(`svc${i % 7}`, { priority: i % 3 })));
        const read = await withClient(db.url, async (c) => {
          const stats = async () => {
            await c.query('SELECT pg_stat_clear_snapshot()');
            const { rows } = await c.query(`SELECT idx_tup_read::int AS n FROM pg_stat_user_indexes WHERE indexrelname = 'idx_tb_job_ready_order'`);
            return Number(rows[0]?.n ?? 0);
          };
          await c.query('SELECT pg_stat_force_next_flush()');
          const before = await stats();
          const claimed = await c.query(`SELECT json_array_length(jobs.opsdeck_claim('w', 50, 60000, NULL, '{}', '{}', '{}')::json -> 'jobs') AS n`);
          assert.equal(claimed.rows[0]?.n, 50);
          await c.query('SELECT pg_stat_force_next_flush()');
          return (await stats()) - before;
        });
        assert.ok(read >= 50 && read < 500, `the claim read ${read} index entries for 50 jobs out of 20000`);
      } finally {
        await store.close();
      }
    });

    it("the settle's duration bucket is the one shared/latencyBuckets.ts computes, at every boundary", async () => {
      const durations = [0, ...Array.from({ length: 5000 }, (_, i) => i + 1), ...Array.from({ length: 41 }, (_, k) => 2 ** k), ...Array.from({ length: 40 }, (_, k) => 2 ** (k + 1) - 1)];
      // The expression as the live settle has it (functions.sql is checked against a fresh database).
      const settle = await readFile(new URL('./functions.sql', import.meta.url), 'utf8');
      const expression = /CASE WHEN duration_ms < 1 THEN 0 ELSE [^\n]*?END/.exec(settle)?.[0];
      assert.ok(expression, 'the settle computes a duration bucket');
      const rows = await withClient(db.url, (c) =>
        c.query<{ duration_ms: string; bucket: number }>(`SELECT duration_ms, ${expression} AS bucket FROM unnest($1::bigint[]) AS duration_ms`, [durations]),
      );
      for (const row of rows.rows) assert.equal(row.bucket, latencyBucket(Number(row.duration_ms)), `${row.duration_ms} ms`);
    });

    it('a count a hand edit made wrong is named by checkCounts, and repair puts it right', async () => {
      await resetTestDatabase(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        await store.enqueue([job('svc', { queue: 'q' })]);
        await withClient(db.url, (c) => c.query(`UPDATE jobs.tb_job_run SET status = 'completed'`));
        const expected = [
          { queue: 'q', service_name: 'svc', execution_type: 'noop', state: 'completed', fingerprint: '', kept: 0, actual: 1 },
          { queue: 'q', service_name: 'svc', execution_type: 'noop', state: 'pending', fingerprint: '', kept: 1, actual: 0 },
        ];
        assert.deepEqual(await store.checkCounts(false), expected);
        assert.deepEqual(await store.checkCounts(true), expected);
        assert.deepEqual(await store.checkCounts(false), []);
        assert.deepEqual(await store.countsByQueueAndStatus(), [{ queue: 'q', status: 'completed', count: 1 }]);
      } finally {
        await store.close();
      }
    });

    it('queries the console makes use their indexes', async () => {
      await resetTestDatabase(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        await store.enqueue(Array.from({ length: 20_000 }, (_, i) => job(`svc${i % 20}`, { execution_type: i % 2 ? 'http' : 'shell' })));
        await withClient(db.url, async (c) => {
          await c.query(`UPDATE jobs.tb_job_run SET status = 'completed', completed_at = now(), started_at = now() WHERE id % 10 <> 0`);
          await c.query(`UPDATE jobs.tb_job_run SET status = 'failed', completed_at = now(), error_fingerprint = 'fp' || (id % 7),
            error_message = 'boom ' || id WHERE id % 100 = 0`);
          await c.query('ANALYZE jobs.tb_job_run');
        });
        const plan = (sql: string, params: unknown[] = []) =>
          withClient(db.url, (c) => c.query(`EXPLAIN ${sql}`, params).then((r) => r.rows.map((row) => String(row['QUERY PLAN'])).join('\n')));
        assert.match(
          await plan(`SELECT job_id FROM jobs.tb_job_ready WHERE run_at <= now() ORDER BY priority DESC, run_at, job_id LIMIT 50 FOR UPDATE SKIP LOCKED`),
          /idx_tb_job_ready_order/,
        );
        assert.match(
          await plan(`SELECT error_fingerprint, count(*) FROM jobs.tb_job_run WHERE status = 'failed' AND resolved_at IS NULL AND error_fingerprint IS NOT NULL GROUP BY 1`),
          /idx_tb_job_run_(dlq|errored)\b/,
        );
        assert.match(await plan(`SELECT id FROM jobs.tb_job_run WHERE id < 15000 ORDER BY id DESC LIMIT 100`), /tb_job_run_pkey/);
        // A text search that matches nothing asks the trigram index, never the whole table.
        assert.match(
          await plan(`SELECT id FROM jobs.tb_job_run WHERE error_message ILIKE '%no such text%' ORDER BY id DESC LIMIT 100`),
          /idx_tb_job_run_error_text|idx_tb_job_run_errored/,
        );
        assert.match(
          await plan(`SELECT sum(completed) FROM jobs.tb_job_rollup WHERE minute >= now() - interval '1 hour' AND minute <= now()`),
          /tb_job_rollup_pkey/,
        );
        assert.match(
          await plan(`SELECT id FROM jobs.tb_job_run WHERE id = ANY(ARRAY(SELECT unnest(job_ids) FROM jobs.tb_job_lease)) AND status = 'running'`),
          /tb_job_run_pkey/,
        );
        assert.match(await plan(`SELECT * FROM jobs.v_execution_performance_by_type WHERE execution_type = 'serverless'`), /idx_tb_job_run_execution_type/);
        // The dead-letter groups' search reads the open dead letters' own text index.
        // 200 rows fit two pages, where reading them all is cheaper; the index is for when there are many.
        const deadLetterPlan = await withClient(db.url, async (c) => {
          await c.query('SET enable_seqscan = off');
          const explained = await c.query(`EXPLAIN SELECT job_id FROM jobs.tb_open_dead_letter WHERE error_lower LIKE '%boom 1%'`);
          return explained.rows.map((row) => String(row['QUERY PLAN'])).join('\n');
        });
        assert.match(deadLetterPlan, /idx_tb_open_dead_letter_text/);
        // A group's dead letters, newest failure first, walk the open dead letters' index of failure times.
        const byFailure = await plan(FAILED_PAGE_SQL, ['fp3', 101, 'infinity', Number.MAX_SAFE_INTEGER]);
        assert.match(byFailure, /Index Scan Backward using idx_tb_open_dead_letter_seen/);
        assert.doesNotMatch(byFailure, /Seq Scan/);
      } finally {
        await store.close();
      }
    });
  });

  it('no index of the job table names a column that claims and settles of healthy jobs change, so both stay HOT updates', async () => {
    // A HOT update writes no index entry; an index that names a changed column (in its key, an expression
    // or its predicate) makes every such update write one in every index, which is most of a claim's cost.
    const changedByHotPath = ['status', 'attempts', 'lease_owner', 'lease_expires_at', 'attempt_id', 'started_at', 'updated_at',
      'cancel_requested', 'completed_at', 'run_at', 'resource_usage', 'security_context'];
    const definitions = await withClient(db.url, (c) =>
      c.query<{ def: string }>(`SELECT pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indrelid = 'jobs.tb_job_run'::regclass`));
    assert.ok(definitions.rows.length >= 5, 'the job table has its indexes');
    for (const { def } of definitions.rows) {
      const named = changedByHotPath.filter((column) => new RegExp(`\\b${column}\\b`).test(def));
      assert.deepEqual(named, [], def);
    }
  });
});
