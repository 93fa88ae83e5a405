import { FileIdentity } from './fileIdentity.ts';
import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SchemaBehindError, StoreError } from '../errors.ts';
import { loadMigrations, migrate, migrationStatusOf, pendingMigrations } from '../migrate.ts';
import { startCheckpointer, type Checkpointer } from './checkpointer.ts';
import { LOCK_SLICE_MS, LOCK_WAIT_MS, SqliteDb } from './db.ts';
import { SqliteStore } from './index.ts';
import { sqliteMigrationAdapter } from './migrations.ts';
import { mapSqliteError } from './errors.ts';
import type { Store } from '../store.ts';
import { schemaBehindAdvice, schemaBehindText } from '../../../shared/schemaBehind.ts';

export interface SqliteOpenOptions {
  /** Apply pending migrations (default); when false, only refuse a newer or changed schema. */
  migrate?: boolean;
  /**
   * Open only an opsdeck store that is there already, and change nothing in it (OpenStoreOptions.mustExist):
   * a file that is missing, empty or records no migration of opsdeck's is refused, and so is one behind this
   * opsdeck, whose workers of the version before may be using it (its statements would not prepare either).
   */
  existing?: boolean;
  /** Another migrations folder, for tests of the refusals. */
  migrationsDir?: string;
}

const HEADER = 'SQLite format 3\0';
const PAGE_SIZE = 16_384;

/** Opens (creating if needed, unless `existing`) an SQLite store at an absolute path, or ':memory:'. */
export async function openSqliteStore(path: string, opts: SqliteOpenOptions = {}): Promise<Store> {
  const existing = opts.existing === true && path !== ':memory:';
  if (path !== ':memory:') prepareFile(path);
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: LOCK_WAIT_MS, fileMustExist: existing });
  } catch (error) {
    throw mapSqliteError(error, path, false);
  }
  let checkpointer: Checkpointer | null = null;
  try {
    // Before anything writes (WAL mode is recorded in the file), make sure the file is ours to change, and
    // that this open may change it.
    const adapter = sqliteMigrationAdapter(db, path);
    const applied = await adapter.applied();
    refuseForeignDatabase(db, path, applied.length);
    if (existing && applied.length === 0) throw noStoreError(db, path);
    const pending = pendingMigrations(await loadMigrations('sqlite', opts.migrationsDir), applied, path);
    if (pending.length > 0 && existing) throw schemaBehindError(path, applied.length, pending.length);
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
    if (pending.length > 0 && opts.migrate !== false) await migrate(adapter, opts.migrationsDir);
    // Opening and migrating wait for a lock inside SQLite, once; every call after waits in SqliteDb.patient.
    db.pragma(`busy_timeout = ${LOCK_SLICE_MS}`);
    checkpointer = path === ':memory:' ? null : startCheckpointer(path, pageSizeOf(db), (pages) => db.pragma(`wal_autocheckpoint = ${pages}`));
    return new SqliteStore(new SqliteDb(db, path, FileIdentity.of(path)), () => migrationStatusOf(adapter, opts.migrationsDir), checkpointer);
  } catch (error) {
    // A store that failed to be made (its statements did not prepare) leaves no thread behind to checkpoint
    // a closed file: stopping before its start delay, it never starts.
    void checkpointer?.stop();
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

/** How many of another program's tables a refusal names; the count says how many there are in all. */
const NAMED = 5;

/** Tables and views of the file's own (not SQLite's, not opsdeck's migration record), the first NAMED by name. */
function userObjects(db: Database.Database): { count: number; names: string[] } {
  const where = `type IN ('table', 'view') AND substr(name, 1, 7) <> 'sqlite_' AND name <> 'opsdeck_migrations'`;
  const count = db.prepare<[], number>(`SELECT count(*) FROM sqlite_master WHERE ${where}`).pluck().get() ?? 0;
  const names = db.prepare<[], string>(`SELECT name FROM sqlite_master WHERE ${where} ORDER BY name LIMIT ${NAMED}`).pluck().all();
  return { count, names };
}

function hasMigrationsTable(db: Database.Database): boolean {
  return db.prepare<[], number>(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'opsdeck_migrations'`).pluck().get() === 1;
}

/**
 * Our tables never go into another program's database: one with tables or views but no migration record is
 * not ours, whichever command opens it. Our own empty migrations table alone is another opsdeck process
 * creating this file at this moment (it makes that table, then applies the first migration): that file is
 * ours, and migrating waits its turn.
 */
function refuseForeignDatabase(db: Database.Database, path: string, applied: number): void {
  if (applied > 0) return;
  const found = userObjects(db);
  if (found.count === 0) return;
  const more = found.count > found.names.length ? ` and ${found.count - found.names.length} more` : '';
  const record = hasMigrationsTable(db) ? 'no migration recorded in its opsdeck_migrations table' : 'no opsdeck_migrations table';
  throw new StoreError(
    'not_opsdeck',
    `${path} is an SQLite database of another program, not an opsdeck store: it holds ${found.count} table(s) or view(s) (${found.names.join(', ')}${more}) and ${record}`,
    'opsdeck writes nothing there; point --db (or OPSDECK_DB) at a .db file of its own, or at a path that does not exist yet to create one',
  );
}

/** A file opened by a command that only reads or controls a store, with nothing of opsdeck's in it yet: in the words of a missing file. */
function noStoreError(db: Database.Database, path: string): StoreError {
  const why = db.pragma('page_count', { simple: true }) === 0 ? 'the file is empty' : hasMigrationsTable(db) ? "no migration of opsdeck's is recorded in it yet" : 'it has no opsdeck_migrations table';
  return new StoreError('no_store', `there is no opsdeck store at ${path}: ${why}`, 'check the path (--db, OPSDECK_DB); a worker, serve, enqueue or opsdeck migrate creates a new store');
}

/**
 * A file behind this opsdeck, opened by what does not migrate it: another opsdeck, of the version before,
 * may be running on it, and would refuse the file once migrated past what it knows.
 */
function schemaBehindError(path: string, applied: number, pending: number): SchemaBehindError {
  return new SchemaBehindError(
    { applied, pending },
    `${schemaBehindText(path, { applied, pending })}, which a command that only reads or controls a store does not apply`,
    schemaBehindAdvice('run opsdeck migrate with this --db'),
  );
}
