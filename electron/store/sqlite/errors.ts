import Database from 'better-sqlite3';
import { StoreError } from '../errors.ts';

/**
 * SQLite failures an operator can do something about become StoreErrors with a one-line hint;
 * anything else (a bug) passes through unchanged.
 */
export function mapSqliteError(error: unknown, location: string, closed: boolean): unknown {
  if (error instanceof StoreError) return error;
  if (closed || (error instanceof TypeError && /database connection is not open/i.test(error.message))) {
    return new StoreError('unavailable', `the store ${location} is closed`, 'reopen it (restart opsdeck if this persists)', { cause: error });
  }
  if (!(error instanceof Database.SqliteError)) return error;
  const code = error.code;
  if (isLockCode(code)) {
    return new StoreError('unavailable', `the database ${location} stayed locked by another process`, 'try again; if it persists, find the process holding it (another opsdeck, a sqlite3 shell in a transaction)', { cause: error, transient: true });
  }
  if (code === 'SQLITE_NOTADB') {
    return new StoreError('not_sqlite', `${location} is not an SQLite database`, 'point opsdeck at an opsdeck .db file or a new path', { cause: error });
  }
  if (code.startsWith('SQLITE_CORRUPT')) return damaged(location, null, error);
  if (code.startsWith('SQLITE_READONLY')) {
    return new StoreError('unavailable', `the database ${location} is read-only`, 'check the permissions of the file and its folder', { cause: error });
  }
  if (code === 'SQLITE_FULL') {
    return new StoreError('unavailable', `the disk holding ${location} is full`, 'free some space, then try again', { cause: error });
  }
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN')) {
    return new StoreError('unavailable', `cannot read or write ${location} (${code})`, 'check that the file and its folder exist and are writable', { cause: error });
  }
  return error;
}

/** The database file is damaged; `found`: what a check found, in SQLite's words. */
export function damaged(location: string, found: string | null, cause?: unknown): StoreError {
  const problem = found === null ? `the database ${location} is damaged` : `the database ${location} is damaged (${found})`;
  return new StoreError('unavailable', problem, 'restore it from a backup, or start with a new file', { cause });
}

const isLockCode = (code: string) => code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');

/** A store call refused because another connection held the lock it needed: worth another try. */
export function isLockWait(error: unknown): boolean {
  return error instanceof StoreError && error.cause instanceof Database.SqliteError && isLockCode(error.cause.code);
}
