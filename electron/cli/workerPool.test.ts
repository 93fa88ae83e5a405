import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { z } from 'zod';
import { HealthReport } from '../../shared/contract.ts';
import { WorkerPool } from '../../shared/domain.ts';
import { WorkerView } from '../../shared/views.ts';
import { poolExhausted } from '../../shared/workerPool.ts';
import { tempDir } from '../engine/testing/harness.ts';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';
import { startWorker } from './testing/workerChild.ts';

const Listed = z.object({ workers: z.array(WorkerView.pick({ id: true, name: true, pool: true })) }).loose();

/**
 * Runbook 004's "connection pool exhausted", seen from wherever the store is reached: a worker started as an
 * operator starts one, with a pool of two (OPSDECK_PG_POOL_MAX), whose statements are made to wait on locks
 * held elsewhere until callers queue for its connections. Its heartbeat carries what its pool went through,
 * and `opsdeck workers` and `health-check store` say it; on SQLite, nothing is said of a pool.
 */
describe('a worker reports its connection pool with its heartbeat', () => {
  let dir: { dir: string; cleanup(): Promise<void> };
  let registry: string;

  before(async () => {
    dir = await tempDir();
    registry = path.join(dir.dir, 'registry.yaml');
    await writeFile(registry, 'services:\n  - name: report\n    execution_type: noop\n');
  });
  after(async () => {
    await dir.cleanup();
  });

  describe('on PostgreSQL', () => {
    let db: TestDatabase;
    let worker: ReturnType<typeof startWorker>;
    const cli = (...args: string[]) => opsdeck([...args, '--db', db.url, '--registry', registry], { COLUMNS: '400' });

    before(async () => {
      db = await createTestDatabase({ migrated: true });
      worker = startWorker(['--db', db.url, '--registry', registry, '--name', 'pooled', '--concurrency', '6'], { OPSDECK_PG_POOL_MAX: '2' });
    });
    after(async () => {
      worker.child.kill('SIGTERM');
      await worker.exited;
      await db.drop();
    });

    test("an exhausted pool reaches opsdeck workers and health-check store's warning, with what to do", { timeout: 90_000 }, async () => {
      const holder = new pg.Client({ connectionString: db.url });
      holder.on('error', () => undefined);
      await holder.connect();
      try {
        const poolRow = async () => {
          const { rows } = await holder.query<{ pool: unknown }>(`SELECT pool FROM jobs.tb_worker WHERE name = 'pooled' FOR UPDATE`);
          const pool = rows[0]?.pool;
          return pool === undefined || pool === null ? null : WorkerPool.parse(pool);
        };
        // A worker's start asks for more connections at once than two: from a heartbeat after it on.
        for (let tries = 0; ; tries++) {
          const pool = await poolRow();
          if (pool !== null && !poolExhausted(pool)) break;
          assert.ok(tries < 150, `the worker never said a pool that was not exhausted: ${worker.stderr()}`);
          await sleep(100);
        }

        // Every table of the store locked: each of the worker's periodic statements (its control and
        // schedule reads, claims, heartbeat, breakers) holds a connection waiting, or queues for one.
        await holder.query('BEGIN');
        await holder.query(`DO $$ DECLARE t text; BEGIN
          FOR t IN SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname = 'jobs' LOOP
            EXECUTE 'LOCK TABLE ' || t || ' IN ACCESS EXCLUSIVE MODE';
          END LOOP; END $$`);
        await sleep(3000);
        await holder.query('COMMIT');

        // The heartbeat after says it; the row is then held as it says it (FOR UPDATE), so the next
        // heartbeat, a calm one, waits while the commands read it.
        let exhausted: WorkerPool | null = null;
        for (let tries = 0; exhausted === null; tries++) {
          assert.ok(tries < 100, 'a heartbeat said callers waited behind the locked statements, for a second and more');
          await holder.query('BEGIN');
          const pool = await poolRow();
          if (pool !== null && pool.peak_waiting > 0 && pool.longest_wait_ms >= 1000) exhausted = pool;
          else {
            await holder.query('ROLLBACK');
            await sleep(100);
          }
        }
        assert.equal(exhausted.max, 2);
        assert.equal(exhausted.peak_in_use, 2);

        const [listed, health] = await Promise.all([cli('workers', '--json'), cli('health-check', 'store', '--json')]);
        await holder.query('ROLLBACK');
        const [row] = Listed.parse(JSON.parse(ok(listed))).workers.filter((w) => w.name === 'pooled');
        assert.deepEqual(row?.pool, exhausted, 'workers --json has the figures as the heartbeat wrote them');

        const report = HealthReport.parse(JSON.parse(health.stdout));
        const [store] = report.checks;
        assert.equal(health.code, 0, `a warning is no outage: ${health.stdout}${health.stderr}`);
        assert.deepEqual([store?.name, store?.ok, store?.warning], ['store', true, true], store?.detail);
        assert.match(store?.detail ?? '', /this command's own pool: \d+ of 8 connections in use/);
        const waiting = `up to ${exhausted.peak_waiting} caller${exhausted.peak_waiting === 1 ? '' : 's'} waiting at once`;
        assert.ok(
          store?.detail.includes(`worker ${row?.id ?? ''}'s pool was exhausted between its last two heartbeats: at most 2 of 2 connections in use at once, ${waiting}, the longest for `),
          store?.detail,
        );
        assert.match(store?.detail ?? '', /restart it with a larger OPSDECK_PG_POOL_MAX \(2 now; .*\) or a lower --concurrency \(6 now\), unless its statements wait on locks held elsewhere \(.*\), where a larger pool only holds more connections stuck behind them$/);
      } finally {
        await holder.end();
      }

      // The table has a pool column on PostgreSQL, the worker's figures in it.
      const table = ok(await cli('workers'));
      const [header, line] = table.split('\n');
      assert.match(header ?? '', /\bCPU +POOL +QUEUES\b/);
      assert.match(line ?? '', / \d\/2[ ,]/);
    });
  });

  test('on SQLite: no pool, and nothing said of one', { timeout: 60_000 }, async () => {
    const file = path.join(dir.dir, 'o.db');
    const cli = (...args: string[]) => opsdeck([...args, '--db', file, '--registry', registry], { COLUMNS: '400' });
    ok(await cli('migrate'));
    const worker = startWorker(['--db', file, '--registry', registry, '--name', 'local']);
    try {
      // Past its first heartbeat, which measured its memory: the pool is left unsaid, not yet to come.
      for (let tries = 0; ; tries++) {
        const listed = JSON.parse(ok(await cli('workers', '--json'))) as unknown;
        const memory = z.object({ workers: z.array(z.object({ memory: z.unknown(), pool: z.unknown() })) }).loose().parse(listed).workers[0];
        if (memory !== undefined && memory.memory !== null) {
          assert.equal(memory.pool, null);
          break;
        }
        assert.ok(tries < 50, `the worker never beat: ${worker.stderr()}`);
        await sleep(200);
      }
      assert.doesNotMatch(ok(await cli('workers')), /\bpool\b/i);
      const [store] = HealthReport.parse(JSON.parse(ok(await cli('health-check', 'store', '--json')))).checks;
      assert.doesNotMatch(store?.detail ?? '', /\bpool\b/i);
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
  });
});
