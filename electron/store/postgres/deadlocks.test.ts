import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { alice, base, claimOne, err } from '../contract/fixtures.ts';
import { openPostgresStore } from './open.ts';
import { createTestDatabase, resetTestDatabase } from '../testing/pgTestDb.ts';
import type { TestDatabase } from '../testing/pgTestDb.ts';

describe('postgres deadlocks', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ migrated: true });
  });
  after(async () => {
    await db.drop();
  });

  it("an operator's action chosen as a deadlock's victim is run again and lands once", async () => {
    await resetTestDatabase(db.url);
    // PostgreSQL looks for a deadlock once, in the waiter whose deadlock_timeout runs out first, and
    // only finds one if the other side already waits. The retry waits first; its look comes late enough
    // that the other transaction waits too on a loaded machine, and the other never looks first.
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`ALTER DATABASE "${db.name}" SET deadlock_timeout = '4s'`);
    await admin.end();
    const store = await openPostgresStore(db.url, { poolSize: 2 });
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    await other.query(`SET deadlock_timeout = '5min'`);
    try {
      const ids: number[] = [];
      for (let i = 0; i < 2; i++) {
        const claimed = await claimOne(store, { service_name: 'svc' });
        await store.settle([{ ...base(claimed), kind: 'failed', error: err('broken', 'fp-both'), outcome: 'failed' }]);
        ids.push(claimed.id);
      }
      const [first, second] = ids;
      const deadlocks = async () =>
        Number((await other.query<{ n: string }>('SELECT deadlocks::text AS n FROM pg_stat_database WHERE datname = current_database()')).rows[0]?.n);
      const before = await deadlocks();
      // Another transaction holds the second dead letter, then reaches for the first, which the retry
      // (walking them in id order) holds while it waits for the second: each waits for the other.
      await other.query('BEGIN');
      await other.query('SELECT 1 FROM jobs.tb_job_run WHERE id = $1 FOR UPDATE', [second]);
      const retried = store.dlqRetry({ fingerprint: 'fp-both' }, alice);
      for (let waited = 0; ; waited += 10) {
        const waiting = await other.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        if (waiting.rowCount) break;
        assert.ok(waited < 30_000, 'the retry waits for the second dead letter');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await other.query('SELECT 1 FROM jobs.tb_job_run WHERE id = $1 FOR UPDATE', [first]);
      await other.query('COMMIT');
      assert.equal((await retried).retried, 2, 'both dead letters retried');
      // A backend may hold its statistics back for a while before they reach pg_stat_database.
      for (let waited = 0; (await deadlocks()) === before && waited < 30_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        await other.query('SELECT pg_stat_clear_snapshot()');
      }
      assert.equal((await deadlocks()) - before, 1, 'PostgreSQL saw one deadlock, and chose the retry');
      assert.deepEqual((await store.listJobs({ status: ['pending'] }, { limit: 10 })).items.map((j) => j.id).sort(), [...ids].sort());
      assert.equal((await store.listAudit({ action: 'dlq.retry' }, { limit: 10 })).items.length, 1, 'one audit row');
    } finally {
      await other.end();
      await store.close();
    }
  });
});
