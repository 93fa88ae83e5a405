import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alice, job, sleep, waitForSignal } from '../contract/fixtures.ts';
import { StoreError } from '../errors.ts';
import { openPostgresStore } from './open.ts';
import type { StoreSignal } from '../store.ts';
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
    it('a read that waits past its bound (a lock held elsewhere) fails saying so, and is cancelled on the server too', async () => {
      const store = await openPostgresStore(db.url, { poolSize: 2, readAnswerMs: 500 });
      const waitingOnLock = () =>
        withClient(db.url, async (c) =>
          Number((await c.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'opsdeck' AND wait_event_type = 'Lock'`)).rows[0].n),
        );
      try {
        await withClient(db.url, async (holder) => {
          await holder.query('BEGIN');
          await holder.query('LOCK TABLE jobs.tb_job_run IN ACCESS EXCLUSIVE MODE');
          try {
            for (let i = 0; i < 3; i++) {
              await assert.rejects(store.getJob(1), (error: unknown) => error instanceof StoreError && error.code === 'unavailable' && /did not answer within 1 s/.test(error.message) && /lock/.test(error.hint));
            }
            let left = await waitingOnLock();
            for (let tries = 0; left > 0 && tries < 50; tries++) {
              await sleep(50);
              left = await waitingOnLock();
            }
            assert.equal(left, 0, 'no read the store gave up on is still waiting on the server');
          } finally {
            await holder.query('ROLLBACK');
          }
        });
        assert.equal(await store.getJob(1), null, 'and the store reads again once the lock is gone');
      } finally {
        await store.close();
      }
    });

    it('LISTEN/NOTIFY carries control, breaker and worker changes to another instance, once', async () => {
      await resetTestDatabase(db.url);
      const a = await openPostgresStore(db.url, { poolSize: 2 });
      const b = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        const heardByA: StoreSignal[] = [];
        a.subscribe((s) => heardByA.push(s));
        const controlHeard = waitForSignal(b, 'control', 5000);
        await sleep(150);
        await a.setQueuePaused('reports', true, alice, null);
        assert.equal(await controlHeard, true);
        const breakersHeard = waitForSignal(b, 'breakers', 5000);
        const forced = await a.setBreakerModeIfItChanges('payments', 'force_open', alice, 'vendor down');
        assert.ok(forced, 'a breaker never stored is forced open');
        assert.equal(await breakersHeard, true);
        const countersHeard = waitForSignal(b, 'breakers', 5000);
        assert.equal(await a.saveBreaker({ ...forced, window_failures: forced.window_failures + 1, version: forced.version + 1 }, null), true);
        assert.equal(await countersHeard, true, 'a counter-only save reaches others too (coalesced)');
        const workersHeard = waitForSignal(b, 'workers', 5000);
        await a.registerWorker({ id: 'w-1', host: 'h', pid: 1, version: 't', concurrency: 1, queues: null });
        assert.equal(await workersHeard, true);
        const jobsHeard = waitForSignal(b, 'jobs', 5000);
        await a.enqueue([job('svc')]);
        assert.equal(await jobsHeard, true);
        await sleep(700);
        // A's own changes reach its listeners once, from the change itself, not again through NOTIFY.
        assert.equal(heardByA.filter((s) => s === 'control').length, 1, heardByA.join(','));
        assert.equal(heardByA.filter((s) => s === 'breakers').length, 2, heardByA.join(','));
      } finally {
        await a.close();
        await b.close();
      }
    });

    it("another instance hears 'ready' for an enqueue at once, however busy the sender's claims keep 'jobs'", async () => {
      await resetTestDatabase(db.url);
      const a = await openPostgresStore(db.url, { poolSize: 2 });
      const b = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        const heardByB: StoreSignal[] = [];
        const listening = waitForSignal(b, 'control', 5000);
        b.subscribe((s) => heardByB.push(s));
        await sleep(150);
        await a.setSafeMode(false, alice, null);
        await listening;
        await a.enqueue([job('svc'), job('svc')]);
        await sleep(700);
        heardByB.length = 0;
        // The claim announces 'jobs' and starts its quiet period; the enqueue's 'jobs' waits that out,
        // its 'ready' does not.
        await a.claim({ workerId: 'w', limit: 1, leaseMs: 60_000 });
        await a.enqueue([job('svc')]);
        await sleep(900);
        assert.deepEqual(heardByB.filter((s) => s === 'jobs' || s === 'ready'), ['jobs', 'ready', 'jobs']);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('a control change made while the listener is still connecting is not missed', async () => {
      await resetTestDatabase(db.url);
      const a = await openPostgresStore(db.url, { poolSize: 2 });
      const b = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        await b.countJobs({});
        const heard = waitForSignal(b, 'control', 5000);
        await sleep(20);
        await a.setEmergencyStop(true, alice, 'right away');
        assert.equal(await heard, true);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('a dropped listener connection reconnects, and control changes still arrive', async () => {
      await resetTestDatabase(db.url);
      const a = await openPostgresStore(db.url, { poolSize: 2 });
      const b = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        b.subscribe(() => undefined);
        await sleep(200);
        const killed = await withClient(db.url, (c) =>
          c.query(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
                   WHERE datname = current_database() AND application_name = 'opsdeck-listen'`).then((r) => r.rowCount),
        );
        assert.ok((killed ?? 0) >= 1, 'the listener connection was found and killed');
        const heard = waitForSignal(b, 'control', 5000);
        await a.setEmergencyStop(true, alice, 'while the listener was down');
        assert.equal(await heard, true);
        await sleep(1500);
        const listening = await withClient(db.url, (c) =>
          c.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'opsdeck-listen'`).then((r) => r.rows[0]?.n),
        );
        assert.equal(listening, 1, 'the listener is back');
        const again = waitForSignal(b, 'control', 5000);
        await a.setEmergencyStop(false, alice, null);
        assert.equal(await again, true);
      } finally {
        await a.close();
        await b.close();
      }
    });

    // The pool's use under load is driven to exhaustion in api/storeCheck.test.ts.
    it("tells its pool's use without a connection, and the server's room for more", async () => {
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        assert.deepEqual(store.poolUse(), { in_use: 0, max: 2, waiting: 0 });
        const [room] = await Promise.all([store.connectionRoom(), store.getControl()]);
        // The tests' role is a superuser, held to no database's or role's limit nor kept out of reserved slots.
        const max = await withClient(db.url, async (c) => Number((await c.query<{ n: number }>("SELECT current_setting('max_connections')::int AS n")).rows[0]?.n));
        assert.deepEqual({ ...room, in_use: 0 }, { limit: 'server', name: null, in_use: 0, max });
        // The read's own connection at least; the pool's second may not have connected yet when it counts.
        assert.ok((room?.in_use ?? 0) >= 1, 'its own connection counts');
      } finally {
        await store.close();
      }
    });

    it('close releases every connection, the listener too', async () => {
      await resetTestDatabase(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 3 });
      store.subscribe(() => undefined);
      await Promise.all([store.countJobs({}), store.getControl(), store.listBreakers()]);
      const count = () =>
        withClient(db.url, (c) =>
          c
            .query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name IN ('opsdeck', 'opsdeck-listen')`)
            .then((r) => Number(r.rows[0]?.n)),
        );
      await sleep(200);
      assert.ok((await count()) >= 2, 'pool and listener connected');
      await store.close();
      for (let i = 0; i < 20 && (await count()) > 0; i++) await sleep(50);
      assert.equal(await count(), 0);
      await assert.rejects(store.countJobs({}), (e: unknown) => e instanceof StoreError && e.code === 'unavailable');
    });

    it('survives its pooled connections being killed under it', async () => {
      await resetTestDatabase(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        await store.enqueue([job('svc')]);
        await withClient(db.url, (c) =>
          c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'opsdeck'`),
        );
        await sleep(100);
        assert.equal((await store.countJobs({})), 1);
      } finally {
        await store.close();
      }
    });

    it('two processes migrating one new database at once both succeed', async () => {
      const fresh = await createTestDatabase();
      try {
        const stores = await Promise.all([openPostgresStore(fresh.url), openPostgresStore(fresh.url), openPostgresStore(fresh.url)]);
        for (const s of stores) assert.equal((await s.migrationStatus()).current, true);
        await Promise.all(stores.map((s) => s.close()));
        const rows = await withClient(fresh.url, (c) => c.query('SELECT version, checksum FROM jobs.opsdeck_migrations').then((r) => r.rows));
        assert.ok(rows.length >= 1);
        const original = rows.find((r) => r.version === 1)?.checksum;
        await withClient(fresh.url, (c) => c.query(`UPDATE jobs.opsdeck_migrations SET checksum = 'edited' WHERE version = 1`));
        await assert.rejects(openPostgresStore(fresh.url), (e: unknown) => e instanceof StoreError && e.code === 'migration_changed');
        await withClient(fresh.url, (c) => c.query(`UPDATE jobs.opsdeck_migrations SET checksum = $1 WHERE version = 1`, [original]));
        await withClient(fresh.url, (c) => c.query(`INSERT INTO jobs.opsdeck_migrations (version, name, checksum) VALUES (9999, 'future', 'x')`));
        await assert.rejects(openPostgresStore(fresh.url), (e: unknown) => e instanceof StoreError && e.code === 'newer_schema');
      } finally {
        await fresh.drop();
      }
    });
  });

  describe('connection failures', () => {
    it('a refused port fails fast with one line naming the server', async () => {
      await assert.rejects(openPostgresStore('postgres://x@127.0.0.1:1/none'), (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.code, 'unreachable');
        assert.equal(e.message, 'cannot reach PostgreSQL at 127.0.0.1:1: connection refused; is the server running?');
        return true;
      });
    });

    it('a missing database says so and how to create it', async () => {
      const url = new URL(db.url);
      url.pathname = '/opsdeck_no_such_db';
      await assert.rejects(openPostgresStore(url.toString()), (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.code, 'no_database');
        assert.match(e.message, /database "opsdeck_no_such_db" does not exist on .*createdb opsdeck_no_such_db/);
        assert.doesNotMatch(e.message, /\n/);
        return true;
      });
    });

    it('an unknown user is an auth failure, and the password never shows', async () => {
      const url = new URL(db.url);
      url.username = 'opsdeck_nobody';
      url.password = 's3cret-pw';
      await assert.rejects(openPostgresStore(url.toString()), (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.code, 'auth');
        assert.doesNotMatch(e.message, /s3cret-pw/);
        return true;
      });
    });

    it('opened without migrations on an empty database, it says to migrate', async () => {
      const empty = await createTestDatabase();
      try {
        const store = await openPostgresStore(empty.url, { migrate: false });
        try {
          const status = await store.migrationStatus();
          assert.deepEqual([status.applied, status.current], [0, false]);
          assert.ok(status.pending >= 2);
          await assert.rejects(store.countJobs({}), (e: unknown) => {
            assert.ok(e instanceof StoreError);
            assert.equal(e.code, 'unavailable');
            assert.match(e.message, /lacks opsdeck's schema.*opsdeck migrate/);
            return true;
          });
        } finally {
          await store.close();
        }
      } finally {
        await empty.drop();
      }
    });

    it('a garbled URL is a bad location', async () => {
      await assert.rejects(openPostgresStore('postgres://[::1'), (e: unknown) => e instanceof StoreError && e.code === 'bad_location');
    });

    it('location drops the password', async () => {
      const url = new URL(db.url);
      const store = await openPostgresStore(url.toString());
      try {
        assert.doesNotMatch(store.location, /:[^/@]*@/);
        assert.match(store.location, /^postgres:\/\//);
      } finally {
        await store.close();
      }
    });
  });
});
