import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { StoreError } from '../errors.ts';
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
