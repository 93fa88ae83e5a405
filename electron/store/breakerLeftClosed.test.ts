import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { BreakerRecord } from '../../shared/domain.ts';
import { migrate } from './migrate.ts';
import { PgDb } from './postgres/db.ts';
import { postgresMigrationAdapter } from './postgres/migrations.ts';
import { openPostgresStore } from './postgres/open.ts';
import { sqliteMigrationAdapter } from './sqlite/migrations.ts';
import { openSqliteStore } from './sqlite/open.ts';
import { earlierMigrations } from './testing/earlierMigrations.ts';
import { createTestDatabase } from './testing/pgTestDb.ts';

/**
 * A store made before breakers kept when they left closed (PostgreSQL 0035, SQLite 0022): a breaker open
 * or half-open then is taken to have left closed when it last opened, so a breaker_open alert measures it
 * from there; a closed one has no outage.
 */
const OPENED = '2026-01-01T00:01:00.000Z';

function check(breakers: BreakerRecord[]): void {
  assert.deepEqual(
    breakers.map((b) => [b.service_name, b.state, b.left_closed_at === null ? null : new Date(b.left_closed_at).toISOString()]),
    [['closed_api', 'closed', null], ['half_api', 'half_open', OPENED], ['open_api', 'open', OPENED]],
  );
}

describe('breakers of a store made before left_closed_at', () => {
  test('SQLite', async () => {
    const earlier = await earlierMigrations('sqlite', 21);
    const path = join(earlier.dir, 'ops.db');
    try {
      const db = new Database(path);
      try {
        await migrate(sqliteMigrationAdapter(db, path), earlier.migrations);
        const insert = db.prepare(`INSERT INTO tb_breaker (service_name, state, mode, window_started_at, opened_at, version) VALUES (?, ?, 'auto', ?, ?, 2)`);
        insert.run('open_api', 'open', OPENED, OPENED);
        insert.run('half_api', 'half_open', OPENED, OPENED);
        insert.run('closed_api', 'closed', OPENED, null);
      } finally {
        db.close();
      }
      const store = await openSqliteStore(path);
      try {
        check(await store.listBreakers());
      } finally {
        await store.close();
      }
    } finally {
      await earlier.done();
    }
  });

  test('PostgreSQL', async () => {
    const database = await createTestDatabase();
    const earlier = await earlierMigrations('postgres', 34);
    try {
      const db = new PgDb(database.url, 2);
      try {
        await migrate(postgresMigrationAdapter(db), earlier.migrations);
        await db.query(
          `INSERT INTO jobs.tb_breaker (service_name, state, opened_at) VALUES ('open_api', 'open', $1), ('half_api', 'half_open', $1), ('closed_api', 'closed', NULL)`,
          [OPENED],
        );
      } finally {
        await db.close();
      }
      const store = await openPostgresStore(database.url);
      try {
        check(await store.listBreakers());
      } finally {
        await store.close();
      }
    } finally {
      await earlier.done();
      await database.drop();
    }
  });
});
