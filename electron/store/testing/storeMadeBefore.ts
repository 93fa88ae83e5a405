import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Store } from '../store.ts';
import { migrate } from '../migrate.ts';
import { PgDb } from '../postgres/db.ts';
import { postgresMigrationAdapter } from '../postgres/migrations.ts';
import { openPostgresStore } from '../postgres/open.ts';
import { sqliteMigrationAdapter } from '../sqlite/migrations.ts';
import { openSqliteStore } from '../sqlite/open.ts';
import { earlierMigrations } from './earlierMigrations.ts';
import { createTestDatabase } from './pgTestDb.ts';

/**
 * A migration's test of the rows it finds: a SQLite store migrated up to `upTo`, `seed` writing rows as that
 * version wrote them, then the store opened as opsdeck opens it (migrating the rest) and given to `check`.
 */
export async function sqliteStoreMadeBefore(upTo: number, seed: (db: Database.Database) => void, check: (store: Store) => Promise<void>): Promise<void> {
  const earlier = await earlierMigrations('sqlite', upTo);
  const path = join(earlier.dir, 'ops.db');
  try {
    const db = new Database(path);
    try {
      await migrate(sqliteMigrationAdapter(db, path), earlier.migrations);
      seed(db);
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
}

/** As sqliteStoreMadeBefore, on a fresh PostgreSQL database. */
export async function postgresStoreMadeBefore(upTo: number, seed: (db: PgDb) => Promise<void>, check: (store: Store) => Promise<void>): Promise<void> {
  const database = await createTestDatabase();
  const earlier = await earlierMigrations('postgres', upTo);
  try {
    const db = new PgDb(database.url, 2);
    try {
      await migrate(postgresMigrationAdapter(db), earlier.migrations);
      await seed(db);
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
}
