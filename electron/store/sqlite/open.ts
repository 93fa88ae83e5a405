import { FileIdentity } from './fileIdentity.ts';
import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../errors.ts';
import { checkMigrations, migrate, migrationStatusOf } from '../migrate.ts';
import { startCheckpointer } from './checkpointer.ts';
import { LOCK_SLICE_MS, LOCK_WAIT_MS, SqliteDb } from './db.ts';
import { SqliteStore } from './index.ts';
import { sqliteMigrationAdapter } from './migrations.ts';
import { mapSqliteError } from './errors.ts';
import type { Store } from '../store.ts';

export interface SqliteOpenOptions {
  /** Apply pending migrations (default); when false, only refuse a newer or changed schema. */
  migrate?: boolean;
  /** Another migrations folder, for tests of the refusals. */
  migrationsDir?: string;
}

const HEADER = 'SQLite format 3\0';
const PAGE_SIZE = 16_384;

/** Opens (creating if needed) an SQLite store at an absolute path, or ':memory:'. */
export async function openSqliteStore(path: string, opts: SqliteOpenOptions = {}): Promise<Store> {
  if (path !== ':memory:') prepareFile(path);
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: LOCK_WAIT_MS });
  } catch (error) {
    throw mapSqliteError(error, path, false);
  }
  try {
    // Before anything writes (WAL mode is recorded in the file), make sure the file is ours to change.
    const adapter = sqliteMigrationAdapter(db, path);
    refuseForeignDatabase(db, path, (await adapter.applied()).length);
    // Both take effect only in a new, empty file, and are left alone otherwise: setting auto_vacuum on a
    // file that has it waits for the write lock, so a read-only command would wait behind a worker.
    if (db.pragma('page_count', { simple: true }) === 0) {
      // A WAL database keeps the page size it was made with. A bulk insert dirties a quarter of the pages
      // it would at SQLite's 4 KiB, and every dirty page is a frame written to the log at commit: the
      // store enqueues about 14% faster, and claims and settles no slower.
      db.pragma(`page_size = ${PAGE_SIZE}`);
      // Pages that pruning frees can then be given back a few at a time (retention.ts), where a file made
      // without it keeps them for reuse.
      db.pragma('auto_vacuum = INCREMENTAL');
    }
    if (path !== ':memory:') {
      const mode: unknown = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new StoreError('unavailable', `cannot switch ${path} to WAL mode (got ${String(mode)})`, 'put the database on a local disk, not a network share');
    }
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    db.pragma('cache_size = -32768');
    db.pragma('temp_store = MEMORY');
    if (opts.migrate === false) await checkMigrations(adapter, opts.migrationsDir);
    else await migrate(adapter, opts.migrationsDir);
    // Opening and migrating wait for a lock inside SQLite, once; every call after waits in SqliteDb.patient.
    db.pragma(`busy_timeout = ${LOCK_SLICE_MS}`);
    const checkpointer = path === ':memory:' ? null : startCheckpointer(path, pageSizeOf(db), (pages) => db.pragma(`wal_autocheckpoint = ${pages}`));
    return new SqliteStore(new SqliteDb(db, path, FileIdentity.of(path)), () => migrationStatusOf(adapter, opts.migrationsDir), checkpointer);
  } catch (error) {
    db.close();
    throw mapSqliteError(error, path, false);
  }
}

function pageSizeOf(db: Database.Database): number {
  const size: unknown = db.pragma('page_size', { simple: true });
  return typeof size === 'number' && size > 0 ? size : PAGE_SIZE;
}

/** Refuses a file that is not SQLite before SQLite touches it, and makes the folder of a new one. */
function prepareFile(path: string): void {
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new StoreError('not_sqlite', `${path} is a folder, not an SQLite database`, 'give the path of a .db file inside it, e.g. opsdeck.db');
    size = stat.size;
  } catch (error) {
    if (error instanceof StoreError) throw error;
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (cause) {
      throw new StoreError('unavailable', `cannot create the folder for ${path}`, 'check that the path is writable, or choose another location', { cause });
    }
    return;
  }
  if (size === 0) return;
  const header = Buffer.alloc(16);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw new StoreError('unavailable', `cannot read ${path}`, 'check the permissions of the file', { cause });
  }
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== HEADER) {
    throw new StoreError('not_sqlite', `${path} is not an SQLite database`, 'point opsdeck at an opsdeck .db file, or at a path that does not exist yet to create one');
  }
}

/**
 * Our tables never go into another program's database: one with tables but no migration record is not ours.
 * Our own empty migrations table alone is another opsdeck process creating this file at this moment (it
 * makes that table, then applies the first migration): that file is ours, and migrating waits its turn.
 */
function refuseForeignDatabase(db: Database.Database, path: string, applied: number): void {
  if (applied > 0) return;
  const tables = db
    .prepare<[], { n: number }>(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_' AND name <> 'opsdeck_migrations'`)
    .get();
  if (tables && tables.n > 0) {
    throw new StoreError('not_sqlite', `${path} is an SQLite database of another program, not an opsdeck one`, 'point opsdeck at its own .db file, or at a path that does not exist yet');
  }
}
