import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { isStoreUnavailable, StoreError } from '../errors.ts';
import { mapSqliteError } from './errors.ts';

function mapped(code: string, message: string): StoreError {
  const error = mapSqliteError(new Database.SqliteError(message, code), '/data/ops.db', false);
  assert.ok(error instanceof StoreError, code);
  return error;
}

test('a lock held a while passes by itself; a damaged, read-only or full store, or a closed one, needs an operator', () => {
  assert.equal(mapped('SQLITE_BUSY', 'database is locked').transient, true);
  for (const [code, message] of [['SQLITE_CORRUPT', 'database disk image is malformed'], ['SQLITE_READONLY', 'attempt to write a readonly database'], ['SQLITE_FULL', 'database or disk is full'], ['SQLITE_IOERR_WRITE', 'disk I/O error']] as const) {
    assert.equal(mapped(code, message).transient, false, code);
  }
  const closed = mapSqliteError(new TypeError('The database connection is not open'), '/data/ops.db', true);
  assert.ok(closed instanceof StoreError);
  assert.equal(closed.transient, false);
});

test('a full disk, a read-only file or a lock is the store unable to take a write now, never a refusal of what was written', () => {
  const made = (code: string) => mapSqliteError(new Database.SqliteError(`failed: ${code}`, code), '/tmp/x.db', false);
  for (const code of ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR_WRITE', 'SQLITE_BUSY']) assert.equal(isStoreUnavailable(made(code)), true, code);
  assert.equal(isStoreUnavailable(made('SQLITE_CONSTRAINT_CHECK')), false, 'a constraint refuses what it was given');
  assert.equal(isStoreUnavailable(new Error('a bug')), false);
});
