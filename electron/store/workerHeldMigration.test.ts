import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { postgresStoreMadeBefore, sqliteStoreMadeBefore } from './testing/storeMadeBefore.ts';
import type { Store } from './store.ts';

/**
 * The workers of a store made before a worker could say `held` (SQLite 0025 rebuilds their table for it,
 * PostgreSQL 0038 widens its check): each is kept whole, and may say held from then on.
 */
async function check(store: Store): Promise<void> {
  const [kept] = await store.listWorkers(365 * 24 * 3_600_000);
  assert.deepEqual(
    kept && [kept.id, kept.host, kept.pid, kept.concurrency, kept.queues, kept.services, kept.in_flight, kept.state, kept.memory],
    ['w:1', 'host-a', 42, 4, ['mail'], ['payments'], 2, 'draining', { rss_bytes: 1000, heap_used_bytes: 500 }],
  );
  assert.equal(await store.heartbeat('w:1', { inFlight: 0, state: 'held' }), true);
  assert.equal((await store.listWorkers(60_000))[0]?.state, 'held');
}

describe('workers of a store made before held', () => {
  test('SQLite', () =>
    sqliteStoreMadeBefore(
      24,
      (db) => {
        db.prepare(
          `INSERT INTO tb_worker (id, host, pid, version, started_at, concurrency, queues, services, in_flight, state, last_heartbeat_at, rss_bytes, heap_used_bytes)
           VALUES ('w:1', 'host-a', 42, '0.1.0', ?, 4, '["mail"]', '["payments"]', 2, 'draining', ?, 1000, 500)`,
        ).run(new Date().toISOString(), new Date().toISOString());
      },
      check,
    ));

  test('PostgreSQL', () =>
    postgresStoreMadeBefore(
      37,
      async (db) => {
        await db.query(
          `INSERT INTO jobs.tb_worker (id, host, pid, version, concurrency, queues, services, in_flight, state, rss_bytes, heap_used_bytes)
           VALUES ('w:1', 'host-a', 42, '0.1.0', 4, '{mail}', '{payments}', 2, 'draining', 1000, 500)`,
        );
      },
      check,
    ));
});
