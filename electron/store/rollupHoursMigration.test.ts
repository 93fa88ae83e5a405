import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HOUR_MS, hourFloor } from './rollupHours.ts';
import { postgresStoreMadeBefore, sqliteStoreMadeBefore } from './testing/storeMadeBefore.ts';
import type { Store } from './store.ts';

/**
 * A store whose hours were summed per type only, before they were kept per service (SQLite 0030,
 * PostgreSQL 0044): the hours already summed are summed again per service, so a read over them (the mark
 * is past them) still finds every job, each under its own service.
 */
const hour = hourFloor(Date.now()) - 3 * HOUR_MS;
const mark = hour + 2 * HOUR_MS;

async function check(store: Store): Promise<void> {
  const rollups = await store.rollupsByType(new Date(hour - HOUR_MS));
  const outcomes = [...rollups.outcomes].sort((a, b) => a.service_name.localeCompare(b.service_name));
  assert.deepEqual(outcomes, [
    { execution_type: 'http', service_name: 'billing', completed: 5, failed: 1, retried: 2 },
    { execution_type: 'http', service_name: 'search', completed: 7, failed: 0, retried: 0 },
  ]);
  assert.deepEqual(
    rollups.latency.map((l) => [l.service_name, l.bucket, l.n]).sort(),
    [
      ['billing', 20, 5],
      ['search', 10, 7],
    ],
  );
}

describe('summed hours of a store made before they were kept per service', () => {
  test('SQLite', () =>
    sqliteStoreMadeBefore(
      29,
      (db) => {
        const minute = hour / 1000 + 60;
        const rollup = db.prepare(`INSERT INTO tb_job_rollup (minute, queue, service_name, execution_type, completed, failed, retried) VALUES (?, 'default', ?, 'http', ?, ?, ?)`);
        rollup.run(minute, 'billing', 5, 1, 2);
        rollup.run(minute, 'search', 7, 0, 0);
        const latency = db.prepare(`INSERT INTO tb_job_latency (minute, execution_type, service_name, bucket, n) VALUES (?, 'http', ?, ?, ?)`);
        latency.run(minute, 'billing', 20, 5);
        latency.run(minute, 'search', 10, 7);
        db.prepare(`INSERT INTO tb_job_rollup_hour (hour, execution_type, completed, failed, retried) VALUES (?, 'http', 12, 1, 2)`).run(hour / 1000);
        db.prepare(`INSERT INTO tb_rollup_hour_mark (id, through) VALUES (1, ?)`).run(mark / 1000);
      },
      check,
    ));

  test('PostgreSQL', () =>
    postgresStoreMadeBefore(
      43,
      async (db) => {
        const minute = new Date(hour + 60_000).toISOString();
        for (const [service, completed, failed, retried, bucket] of [
          ['billing', 5, 1, 2, 20],
          ['search', 7, 0, 0, 10],
        ] as const) {
          await db.query(
            `INSERT INTO jobs.tb_job_rollup (minute, queue, service_name, execution_type, stripe, completed, failed, retried) VALUES ($1, 'default', $2, 'http', -1, $3, $4, $5)`,
            [minute, service, completed, failed, retried],
          );
          await db.query(`INSERT INTO jobs.tb_job_latency (minute, execution_type, service_name, bucket, stripe, n) VALUES ($1, 'http', $2, $3, -1, $4)`, [minute, service, bucket, completed]);
        }
        await db.query(`INSERT INTO jobs.tb_job_rollup_hour (hour, execution_type, completed, failed, retried) VALUES ($1, 'http', 12, 1, 2)`, [new Date(hour).toISOString()]);
        await db.query(`INSERT INTO jobs.tb_rollup_hour_mark (id, through) VALUES (true, $1)`, [new Date(mark).toISOString()]);
      },
      check,
    ));
});
