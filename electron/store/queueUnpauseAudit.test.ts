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
 * A store whose audit log recorded a queue unpaused as `queue.resume` (before SQLite 0026, PostgreSQL 0039):
 * those rows are `queue.unpause` now, so a filter by it finds them; the emergency stop's `control.resume`
 * rows are left as they are.
 */
async function check(store: Store): Promise<void> {
  const unpaused = await store.listAudit({ action: 'queue.unpause' }, { limit: 10 });
  assert.deepEqual(unpaused.items.map((a) => [a.action, a.target, a.actor]), [['queue.unpause', 'reports', 'ops@laptop']]);
  assert.deepEqual((await store.listAudit({ action: 'control.resume' }, { limit: 10 })).items.map((a) => a.action), ['control.resume']);
  assert.deepEqual((await store.listAudit({ action: 'queue.resume' }, { limit: 10 })).items, [], 'no row keeps the old name');
}

describe('queue unpauses audited before they had their own action', () => {
  test('SQLite', async () => {
    const earlier = await earlierMigrations('sqlite', 25);
    const path = join(earlier.dir, 'ops.db');
    try {
      const db = new Database(path);
      try {
        await migrate(sqliteMigrationAdapter(db, path), earlier.migrations);
        const insert = db.prepare(`INSERT INTO tb_audit_log (at, actor, action, target) VALUES ('2026-01-01T00:00:00.000Z', 'ops@laptop', ?, ?)`);
        insert.run('queue.resume', 'reports');
        insert.run('control.resume', null);
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
    const earlier = await earlierMigrations('postgres', 38);
    try {
      const db = new PgDb(database.url, 2);
      try {
        await migrate(postgresMigrationAdapter(db), earlier.migrations);
        await db.query(`INSERT INTO jobs.tb_audit_log (actor, action, target) VALUES ('ops@laptop', 'queue.resume', 'reports'), ('ops@laptop', 'control.resume', NULL)`);
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
