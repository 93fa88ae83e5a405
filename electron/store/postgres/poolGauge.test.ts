import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, withClient, type TestDatabase } from '../testing/pgTestDb.ts';
import { startSlowConnections, type SlowConnections } from '../testing/slowConnections.ts';
import { PgDb } from './db.ts';
import { openPostgresStore } from './open.ts';
import type { WorkerPool } from '../../../shared/domain.ts';
import { poolExhausted } from '../../../shared/workerPool.ts';
import type { Store } from '../store.ts';

/**
 * What a worker's heartbeat says of its pool: what the pool went through since the heartbeat before, not
 * how it stands as the heartbeat leaves, measured on a real pool of two driven past exhaustion.
 */
describe("a PostgreSQL store's pool, between two takes", () => {
  let db: TestDatabase;
  /** The same server, each new connection to it taking OPEN_MS to open. */
  let slow: SlowConnections;
  const OPEN_MS = 150;
  before(async () => {
    db = await createTestDatabase({ migrated: true });
    slow = await startSlowConnections(db.url, OPEN_MS);
  });
  after(async () => {
    await slow.close();
    await db.drop();
  });

  async function withStore(body: (store: Store) => Promise<void>, url = db.url): Promise<void> {
    const store = await openPostgresStore(url, { poolSize: 2 });
    try {
      await body(store);
    } finally {
      await store.close();
    }
  }

  it('a closed store refuses to say, as it refuses to say how its pool stands', async () => {
    const store = await openPostgresStore(db.url, { poolSize: 2 });
    await store.close();
    assert.throws(() => store.poolUse(), /the store at .* is closed/);
    assert.throws(() => store.takePoolPeaks(), /the store at .* is closed/);
  });

  it('one caller at a time: a connection in use, nobody waits', async () => {
    await withStore(async (store) => {
      store.takePoolPeaks();
      for (let i = 0; i < 3; i++) await store.getControl();
      const pool = store.takePoolPeaks();
      assert.deepEqual({ ...pool, longest_wait_ms: 0 }, { max: 2, peak_in_use: 1, peak_waiting: 0, longest_wait_ms: 0 });
      assert.ok((pool?.longest_wait_ms ?? -1) >= 0);
    });
  });

  /**
   * `count` reads of the control table (`read`) on a pool of two while a lock holds it: two on the server,
   * the rest queued.
   */
  async function exhausted(read: () => Promise<unknown>, whileHeld: () => Promise<void>, count = 5): Promise<void> {
    await withClient(db.url, async (holder) => {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE jobs.tb_control IN ACCESS EXCLUSIVE MODE');
      const reads = Array.from({ length: count }, read);
      try {
        for (let tries = 0; ; tries++) {
          await holder.query('SELECT pg_stat_clear_snapshot()');
          const { rows } = await holder.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
          if (rows[0]?.n === 2) break;
          assert.ok(tries < 200, 'both pooled connections wait on the lock');
          await sleep(25);
        }
        await whileHeld();
      } finally {
        await holder.query('ROLLBACK');
      }
      await Promise.all(reads);
    });
  }

  it('both connections held by statements waiting on a lock: the callers behind them, how many at most and how long, once the pool is calm again', { timeout: 30_000 }, async () => {
    await withStore(async (store) => {
      await store.getControl();
      store.takePoolPeaks();
      const heldMs = 400;
      await exhausted(() => store.getControl(), () => sleep(heldMs));
      const pool = store.takePoolPeaks();
      assert.ok(pool, 'a PostgreSQL store has a pool');
      assert.deepEqual([pool.max, pool.peak_in_use, pool.peak_waiting], [2, 2, 3], 'two on the server, three queued behind them');
      assert.ok(pool.longest_wait_ms >= heldMs, `the first caller queued waited the lock out: ${pool.longest_wait_ms} ms`);
      assert.ok(pool.longest_wait_ms < 10_000, `${pool.longest_wait_ms} ms`);
      // Exhausted no more: the heartbeat after says the calm that followed, not the peak again.
      assert.deepEqual(store.takePoolPeaks(), { max: 2, peak_in_use: 0, peak_waiting: 0, longest_wait_ms: 0 });
    });
  });

  it('a take while callers still wait counts how long they have waited so far, and the next take their whole wait', { timeout: 30_000 }, async () => {
    await withStore(async (store) => {
      await store.getControl();
      store.takePoolPeaks();
      const taken: (WorkerPool | null)[] = [];
      await exhausted(() => store.getControl(), async () => {
        await sleep(300);
        taken.push(store.takePoolPeaks());
        await sleep(300);
      });
      const [mid] = taken;
      const end = store.takePoolPeaks();
      assert.ok(mid && end);
      assert.deepEqual([mid.peak_in_use, mid.peak_waiting], [2, 3]);
      assert.ok(mid.longest_wait_ms >= 300, `the oldest still waiting, so far: ${mid.longest_wait_ms} ms`);
      assert.deepEqual([end.peak_in_use, end.peak_waiting], [2, 3], 'still waiting as the period began: counted again');
      assert.ok(end.longest_wait_ms >= 600, `their whole wait, once it ended: ${end.longest_wait_ms} ms`);
    });
  });

  it('callers queued behind connections still opening waited on the opening, not on statements: no exhaustion, a larger pool would open more as slowly', { timeout: 30_000 }, async () => {
    // The pool starting with no connection (idle ones closed, a worker's start) and with one.
    for (const open of [0, 1]) {
      const pool = new PgDb(slow.url, 2);
      try {
        for (let i = 0; i < open; i++) await pool.engineQuery('SELECT 1');
        pool.takePoolPeaks();
        const startedAt = performance.now();
        await Promise.all(Array.from({ length: 3 }, () => pool.engineQuery('SELECT 1')));
        const tookMs = performance.now() - startedAt;
        const figures = pool.takePoolPeaks();
        assert.ok(tookMs >= OPEN_MS, `a connection was opened for them: ${tookMs} ms`);
        assert.equal(figures.peak_in_use, 2, `${open} open`);
        assert.ok(figures.longest_wait_ms < 50, `${open} open: ${JSON.stringify(figures)}`);
        assert.equal(poolExhausted(figures), false);
      } finally {
        await pool.close();
      }
    }
  });

  it('on a pool whose connections are slow to open, a wait behind statements once they opened counts all the same', { timeout: 30_000 }, async () => {
    await withStore(async (store) => {
      store.takePoolPeaks();
      const heldMs = 300;
      await exhausted(() => store.getControl(), () => sleep(heldMs));
      const pool = store.takePoolPeaks();
      assert.ok(pool);
      assert.deepEqual([pool.peak_in_use, pool.peak_waiting], [2, 3]);
      assert.ok(pool.longest_wait_ms >= heldMs, `${pool.longest_wait_ms} ms`);
    }, slow.url);
  });

  /** Each way PgDb lends a connection other than engineQuery's (which the reads above take). */
  const callers: [string, (pool: PgDb) => Promise<unknown>][] = [
    ['a transaction (tx)', (pool) => pool.tx((client) => client.query('SELECT 1'))],
    ['a single enqueue (once)', (pool) => pool.once((client) => client.query('SELECT 1'))],
    ["an operator's write (query)", (pool) => pool.query('SELECT 1')],
  ];
  for (const [what, ask] of callers) {
    it(`${what} queued behind both connections busy: its wait is counted`, { timeout: 30_000 }, async () => {
      const pool = new PgDb(db.url, 2);
      try {
        const heldMs = 300;
        let queued: Promise<unknown> = Promise.resolve();
        await exhausted(() => pool.engineQuery('SELECT * FROM jobs.tb_control'), async () => {
          pool.takePoolPeaks();
          queued = ask(pool);
          await sleep(heldMs);
        }, 2);
        await queued;
        const figures = pool.takePoolPeaks();
        assert.deepEqual([figures.peak_in_use, figures.peak_waiting], [2, 1], `${what} waited for a connection`);
        assert.ok(figures.longest_wait_ms >= heldMs, `${what}: ${figures.longest_wait_ms} ms`);
      } finally {
        await pool.close();
      }
    });
  }
});
