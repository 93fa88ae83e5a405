import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Store } from './store.ts';
import { migrate } from './migrate.ts';
import { PgDb } from './postgres/db.ts';
import { postgresMigrationAdapter } from './postgres/migrations.ts';
import { openPostgresStore } from './postgres/open.ts';
import { sqliteMigrationAdapter } from './sqlite/migrations.ts';
import { openSqliteStore } from './sqlite/open.ts';
import { earlierMigrations } from './testing/earlierMigrations.ts';
import { createTestDatabase } from './testing/pgTestDb.ts';

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
  assert.equal(await store.heartbeat('w:1', 0, 'held'), true);
  assert.equal((await store.listWorkers(60_000))[0]?.state, 'held');
}

describe('workers of a store made before held', () => {
  test('SQLite', async () => {
    const earlier = await earlierMigrations('sqlite', 24);
    const path = join(earlier.dir, 'ops.db');
    try {
      const db = new Database(path);
      try {
        await migrate(sqliteMigrationAdapter(db, path), earlier.migrations);
        db.prepare(
          `INSERT INTO tb_worker (id, host, pid, version, started_at, concurrency, queues, services, in_flight, state, last_heartbeat_at, rss_bytes, heap_used_bytes)
           VALUES ('w:1', 'host-a', 42, '0.1.0', ?, 4, '["mail"]', '["payments"]', 2, 'draining', ?, 1000, 500)`,
        ).run(new Date().toISOString(), new Date().toISOString());
      } finally {
        db.close();
      }
      const store = await openSqliteStore(path);
      try {
        await check(store);
      } finally {
        await store.close();
      }
    } finally {
      await earlier.done();
    }
  });

  test('PostgreSQL', async () => {
    const database = await createTestDatabase();
    const earlier = await earlierMigrations('postgres', 37);
    try {
      const db = new PgDb(database.url, 2);
      try {
        await migrate(postgresMigrationAdapter(db), earlier.migrations);
        await db.query(
          `INSERT INTO jobs.tb_worker (id, host, pid, version, concurrency, queues, services, in_flight, state, rss_bytes, heap_used_bytes)
           VALUES ('w:1', 'host-a', 42, '0.1.0', 4, '{mail}', '{payments}', 2, 'draining', 1000, 500)`,
        );
      } finally {
        await db.close();
      }
      const store = await openPostgresStore(database.url);
      try {
        await check(store);
      } finally {
        await store.close();
      }
    } finally {
      await earlier.done();
      await database.drop();
    }
  });
});
