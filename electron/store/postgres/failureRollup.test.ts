import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrate } from '../migrate.ts';
import { earlierMigrations } from '../testing/earlierMigrations.ts';
import { createTestDatabase } from '../testing/pgTestDb.ts';
import { deadLetter, err } from '../contract/fixtures.ts';
import { PgDb } from './db.ts';
import { postgresMigrationAdapter } from './migrations.ts';
import { openPostgresStore } from './open.ts';

test("a store made before the failure rollups (0031) shows the last day's failed attempts in recent failures", async () => {
  const database = await createTestDatabase();
  const earlier = await earlierMigrations('postgres', 30);
  try {
    const db = new PgDb(database.url, 2);
    try {
      await migrate(postgresMigrationAdapter(db), earlier.migrations);
      await db.query(
        `INSERT INTO jobs.tb_job_run (id, identifier, queue, service_name, execution_type, status, attempts, max_attempts, error_message, error_fingerprint, completed_at)
         VALUES (1, 'recent', 'q', 'api', 'http', 'failed', 2, 2, 'HTTP 503 the second time', 'fp-503', now() - interval '5 minutes'),
                (2, 'old', 'q', 'api', 'http', 'failed', 1, 1, 'HTTP 503 long ago', 'fp-503', now() - interval '3 days')`,
      );
      await db.query(
        `INSERT INTO jobs.tb_job_attempt (job_id, attempt, worker_id, started_at, finished_at, outcome, error_message, error_class)
         VALUES (1, 1, 'w', now() - interval '10 minutes', now() - interval '10 minutes', 'failed', 'HTTP 503 the first time', 'http_503'),
                (1, 2, 'w', now() - interval '5 minutes', now() - interval '5 minutes', 'failed', 'HTTP 503 the second time', 'http_503'),
                (2, 1, 'w', now() - interval '3 days', now() - interval '3 days', 'failed', 'HTTP 503 long ago', 'http_503')`,
      );
    } finally {
      await db.close();
    }
    const store = await openPostgresStore(database.url);
    try {
      const { groups, total } = await store.recentFailures(new Date(Date.now() - 86_400_000), null, 10);
      assert.equal(total, 2, 'the two attempts of the last day, not the one of three days ago');
      assert.deepEqual(
        groups.map((g) => [g.service_name, g.error_class, g.fingerprint, g.failures, g.dead_lettered, g.sample_error]),
        [['api', 'http_503', 'fp-503', 2, 1, 'HTTP 503 the second time']],
      );
    } finally {
      await store.close();
    }
  } finally {
    await earlier.done();
    await database.drop();
  }
});

test("the upkeep folds a past minute's stripes into one row: counts added, first and last seen widened, the latest sample kept", async () => {
  const database = await createTestDatabase({ migrated: true });
  try {
    const store = await openPostgresStore(database.url);
    const db = new PgDb(database.url, 1);
    try {
      // One minute written by two backends (stripes 3 and 5) after an earlier fold left its row (-1), which
      // holds the minute's latest failure: the fold must keep its sample and last seen, and take the earliest first seen.
      await db.query(
        `WITH m AS (SELECT date_trunc('minute', now() - interval '10 minutes') AS minute)
         INSERT INTO jobs.tb_failure_rollup (minute, service_name, error_class, fingerprint, stripe, failures, dead_lettered, first_at, last_at, sample_error)
         SELECT m.minute, 'api', 'http_503', 'fp-503', s.stripe, s.failures, s.dead, m.minute + s.first_s * interval '1 second',
           m.minute + s.last_s * interval '1 second', s.sample
         FROM m, (VALUES (-1, 2, 1, 5, 25, 'the latest, folded before'), (3, 1, 0, 1, 20, 'the second latest'), (5, 4, 2, 3, 15, 'the third')) AS s(stripe, failures, dead, first_s, last_s, sample)`,
      );
      const before = await store.recentFailures(new Date(Date.now() - 3_600_000), null, 10);
      await store.pruneHistory(new Date(Date.now() - 7 * 86_400_000), 1000);
      const rows = await db.query(
        `SELECT stripe, failures, dead_lettered, extract(second FROM first_at - minute) AS first_s, extract(second FROM last_at - minute) AS last_s, sample_error
         FROM jobs.tb_failure_rollup`,
      );
      assert.deepEqual(
        rows.map((r) => [r.stripe, Number(r.failures), Number(r.dead_lettered), Number(r.first_s), Number(r.last_s), r.sample_error]),
        [[-1, 7, 3, 1, 25, 'the latest, folded before']],
      );
      const after = await store.recentFailures(new Date(Date.now() - 3_600_000), null, 10);
      assert.deepEqual(after, before, 'folding changes no answer');
      assert.deepEqual(after.groups.map((g) => [g.failures, g.dead_lettered, g.sample_error]), [[7, 3, 'the latest, folded before']]);
    } finally {
      await db.close();
      await store.close();
    }
  } finally {
    await database.drop();
  }
});

test("a summed hour whose sample minute an earlier version's prune took still answers, with an empty sample", async () => {
  const database = await createTestDatabase({ migrated: true });
  try {
    const store = await openPostgresStore(database.url);
    const db = new PgDb(database.url, 1);
    try {
      await deadLetter(store, 'api', err('HTTP 503'));
      while (!(await store.sumRollupHours(new Date(Date.now() + 2 * 3_600_000), 48)).done);
      // What a prune before this version left: the hour summed, the minute its sample is read from gone.
      await db.query(`DELETE FROM jobs.tb_failure_rollup`);
      const { groups, total } = await store.recentFailures(new Date(Date.now() - 86_400_000), null, 10);
      assert.equal(total, 1);
      assert.deepEqual(groups.map((g) => [g.service_name, g.failures, g.sample_error]), [['api', 1, null]]);
    } finally {
      await db.close();
      await store.close();
    }
  } finally {
    await database.drop();
  }
});
