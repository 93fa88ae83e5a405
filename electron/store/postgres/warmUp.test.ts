import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../testing/pgTestDb.ts';
import { openPostgresStore } from './open.ts';
import { PgDb } from './db.ts';
import { ConnectionWarmth } from './warmUp.ts';

/**
 * The statements a connection has planned, by the start of their text: PostgreSQL names each cached plan
 * of the connection's own by its statement (pg_backend_memory_contexts). The claim's writes and the settle
 * are the two a job would otherwise wait on.
 */
const PLANNED_SQL = `SELECT
  bool_or(ident LIKE 'WITH claimed AS (%UPDATE jobs.tb_job_run%') AS claim_writes,
  bool_or(ident LIKE 'WITH s AS (%jsonb_array_elements(p_settlements)%') AS settle
FROM pg_backend_memory_contexts WHERE name = 'CachedPlan'`;

interface Planned {
  claim_writes: boolean | null;
  settle: boolean | null;
}

/** Every connection of the pool at once (so each is a different one), asked what it has planned; all go back. */
async function plannedOnEach(db: PgDb, count: number): Promise<Planned[]> {
  const clients: pg.PoolClient[] = [];
  try {
    for (let i = 0; i < count; i++) clients.push(await db.pool.connect());
    return await Promise.all(clients.map(async (c) => (await c.query<Planned>(PLANNED_SQL)).rows[0] ?? { claim_writes: null, settle: null }));
  } finally {
    for (const c of clients) c.release();
  }
}

/** Has the pool open `count` connections, all idle afterwards. */
async function openConnections(db: PgDb, count: number): Promise<void> {
  const clients = await Promise.all(Array.from({ length: count }, () => db.pool.connect()));
  await Promise.all(clients.map((c) => c.query('SELECT 1')));
  for (const c of clients) c.release();
}

/** A statement on a connection of its own, outside the pool under test. */
async function aside<T>(test: TestDatabase, run: (other: PgDb) => Promise<T>): Promise<T> {
  const other = new PgDb(test.url, 1);
  try {
    return await run(other);
  } finally {
    await other.close();
  }
}

async function withDatabase(run: (test: TestDatabase) => Promise<void>): Promise<void> {
  const test = await createTestDatabase({ migrated: true });
  try {
    await run(test);
  } finally {
    await test.drop();
  }
}

describe('readying the pooled connections for the claim and the settle (PostgreSQL)', () => {
  it('readies every idle connection, takes no job and writes nothing', async () => {
    await withDatabase(async (test) => {
      const store = await openPostgresStore(test.url, { poolSize: 2 });
      const db = new PgDb(test.url, 3);
      try {
        const enqueued = await store.enqueue(Array.from({ length: 5 }, (_, i) => ({ queue: 'default', service_name: 'ping', execution_type: 'noop' as const, max_attempts: 1, payload: { i } })));
        await openConnections(db, 3);
        // What an idle worker's claims leave: the claim's writes never run, so they are not planned.
        await db.query(`SELECT jobs.opsdeck_claim('w', 16, 1000, '{elsewhere}', '{}', '{}', '{}')`);
        assert.ok((await plannedOnEach(db, 3)).every((p) => p.claim_writes !== true && p.settle !== true));

        await new ConnectionWarmth(db).warmUp();

        assert.deepEqual(await plannedOnEach(db, 3), [0, 1, 2].map(() => ({ claim_writes: true, settle: true })));
        assert.equal(db.pool.totalCount, 3, 'no connection was opened for it');
        const [jobs] = await db.query(
          `SELECT (SELECT count(*) FROM jobs.tb_job_run WHERE status = 'pending') AS pending, (SELECT count(*) FROM jobs.tb_job_ready) AS ready,
             (SELECT count(*) FROM jobs.tb_job_lease) AS leases, (SELECT count(*) FROM jobs.tb_job_attempt) AS attempts,
             (SELECT coalesce(sum(n), 0) FROM jobs.tb_job_count WHERE state = 'running') AS running`,
        );
        assert.deepEqual(jobs, { pending: 5, ready: 5, leases: 0, attempts: 0, running: 0 });
        const claimed = await store.claim({ workerId: 'w', limit: 10, leaseMs: 30_000 });
        assert.deepEqual(claimed.map((j) => j.id).sort((a, b) => a - b), enqueued.map((r) => r.id).sort((a, b) => a - b));
      } finally {
        await db.close();
        await store.close();
      }
    });
  });

  it('readies each connection once: on a ready pool a call sends nothing', async () => {
    await withDatabase(async (test) => {
      const db = new PgDb(test.url, 2);
      const warmth = new ConnectionWarmth(db);
      try {
        await openConnections(db, 2);
        await warmth.warmUp();
        assert.equal(warmth.cold, false);
        // Each connection's last statement, as the server shows it, stays this one through a second call.
        const clients = [await db.pool.connect(), await db.pool.connect()];
        for (const c of clients) await c.query(`SELECT 'last before the second call'`);
        for (const c of clients) c.release();
        await warmth.warmUp();
        const rows = await aside(test, (other) => other.query('SELECT query FROM pg_stat_activity WHERE pid = ANY($1::int[])', [[...db.ownPids]]));
        assert.deepEqual(rows.map((r) => r.query), [`SELECT 'last before the second call'`, `SELECT 'last before the second call'`]);
      } finally {
        await db.close();
      }
    });
  });

  it('takes no connection that is in use and opens none: a busy pool is left alone, and readied once its connections are idle', async () => {
    await withDatabase(async (test) => {
      const db = new PgDb(test.url, 2);
      const warmth = new ConnectionWarmth(db);
      try {
        const busy = [await db.pool.connect(), await db.pool.connect()];
        try {
          const warming = warmth.warmUp();
          // Asked for while none is idle, a connection is waited for at once (pg-pool queues the request as it is made).
          assert.equal(db.pool.waitingCount, 0, 'the warm-up waits for no connection');
          await warming;
          assert.equal(db.pool.totalCount, 2);
          assert.equal(warmth.cold, true, 'the busy connections were not readied');
        } finally {
          for (const c of busy) c.release();
        }
        await warmth.warmUp();
        assert.equal(warmth.cold, false);
        assert.deepEqual(await plannedOnEach(db, 2), [0, 1].map(() => ({ claim_writes: true, settle: true })));
      } finally {
        await db.close();
      }
    });
  });

  it('a warm-up that fails leaves the store working: the call resolves and the pool answers', async () => {
    await withDatabase(async (test) => {
      const db = new PgDb(test.url, 2);
      try {
        await openConnections(db, 2);
        await aside(test, (other) => other.query('ALTER FUNCTION jobs.opsdeck_settle(jsonb, bigint[]) RENAME TO opsdeck_settle_away'));
        await new ConnectionWarmth(db).warmUp();
        await aside(test, (other) => other.query('ALTER FUNCTION jobs.opsdeck_settle_away(jsonb, bigint[]) RENAME TO opsdeck_settle'));
        assert.deepEqual(await db.query('SELECT 1 AS one'), [{ one: 1 }]);
      } finally {
        await db.close();
      }
    });
  });
});
