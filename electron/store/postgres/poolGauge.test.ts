import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, withClient, type TestDatabase } from '../testing/pgTestDb.ts';
import { openPostgresStore } from './open.ts';
import type { WorkerPool } from '../../../shared/domain.ts';
import type { Store } from '../store.ts';

/**
 * What a worker's heartbeat says of its pool: what the pool went through since the heartbeat before, not
 * how it stands as the heartbeat leaves, measured on a real pool of two driven past exhaustion.
 */
describe("a PostgreSQL store's pool, between two takes", () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ migrated: true });
  });
  after(async () => {
    await db.drop();
  });

  async function withStore(body: (store: Store) => Promise<void>): Promise<void> {
    const store = await openPostgresStore(db.url, { poolSize: 2 });
    try {
      await body(store);
    } finally {
      await store.close();
    }
  }

  it('one caller at a time: a connection in use, nobody waits', async () => {
    await withStore(async (store) => {
      store.takePoolPeaks();
      for (let i = 0; i < 3; i++) await store.getControl();
      const pool = store.takePoolPeaks();
      assert.deepEqual({ ...pool, longest_wait_ms: 0 }, { max: 2, peak_in_use: 1, peak_waiting: 0, longest_wait_ms: 0 });
      assert.ok((pool?.longest_wait_ms ?? -1) >= 0);
    });
  });

  /** Five reads of the control table on a pool of two while a lock holds it: two on the server, three queued. */
  async function exhausted(store: Store, whileHeld: () => Promise<void>): Promise<void> {
    await withClient(db.url, async (holder) => {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE jobs.tb_control IN ACCESS EXCLUSIVE MODE');
      const reads = Array.from({ length: 5 }, () => store.getControl());
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
      await exhausted(store, () => sleep(heldMs));
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
      await exhausted(store, async () => {
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
});
