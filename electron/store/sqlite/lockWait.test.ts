import { describe, it as test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { openStore } from '../open.ts';
import { createSqliteTestStore } from '../testing/sqliteTestDb.ts';
import { SqliteDb } from './db.ts';
import { isLockWait } from './errors.ts';

const job = (i: number) => ({ queue: 'default', service_name: 'svc', execution_type: 'noop' as const, max_attempts: 1, payload: { i } });

/** Counts event-loop turns while `work` runs: a store call that blocked the thread would leave few. */
async function ticksDuring<T>(work: Promise<T>): Promise<{ ticks: number; settled: PromiseSettledResult<T> }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  try {
    const settled = await work.then(
      (value): PromiseSettledResult<T> => ({ status: 'fulfilled', value }),
      (reason: unknown): PromiseSettledResult<T> => ({ status: 'rejected', reason }),
    );
    return { ticks, settled };
  } finally {
    clearInterval(timer);
  }
}

describe('sqlite: a lock another connection holds', () => {
  test('is waited for with the event loop free, and the call lands once the lock is let go', async () => {
    const { store, path, cleanup } = await createSqliteTestStore();
    const other = new Database(path);
    try {
      other.exec('BEGIN IMMEDIATE');
      // Only a free event loop can run this: a call waiting inside SQLite would hold the thread past it.
      const release = setTimeout(() => other.exec('COMMIT'), 400);
      const { ticks, settled } = await ticksDuring(store.enqueue([job(1)]));
      clearTimeout(release);
      assert.equal(settled.status, 'fulfilled', settled.status === 'rejected' ? String(settled.reason) : '');
      assert.ok(ticks >= 15, `the event loop turned ${ticks} times in 400 ms of waiting`);
      const counts = await store.countsByQueueAndStatus();
      assert.deepEqual(counts.map((c) => [c.status, c.count]), [['pending', 1]], 'the job was enqueued once');
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
      await cleanup();
    }
  });

  test('held for longer than five seconds, the call fails saying so, and the loop ran meanwhile', async () => {
    const { store, path, cleanup } = await createSqliteTestStore();
    const other = new Database(path);
    try {
      other.exec('BEGIN IMMEDIATE');
      const started = Date.now();
      const { ticks, settled } = await ticksDuring(store.setEmergencyStop(true, { user: 'op', host: 'laptop' }, null));
      const waited = Date.now() - started;
      assert.equal(settled.status, 'rejected');
      assert.match(String(settled.status === 'rejected' ? settled.reason : ''), /stayed locked by another process/);
      assert.ok(waited >= 4500 && waited < 8000, `gave up after ${waited} ms`);
      assert.ok(ticks >= 200, `the event loop turned ${ticks} times in ${waited} ms`);
      other.exec('ROLLBACK');
      assert.equal((await store.getControl()).emergency_stop.engaged, false, 'nothing was half done');
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
      await cleanup();
    }
  });

  test('does not keep an up-to-date store from being opened and read: an operator reads while a worker writes', async () => {
    const { store, path, cleanup } = await createSqliteTestStore();
    await store.enqueue([job(1)]);
    const other = new Database(path);
    try {
      other.exec('BEGIN IMMEDIATE');
      const settled = await openStore(path).then(
        async (reader) => {
          try {
            return { ok: true, counts: await reader.countsByQueueAndStatus() };
          } finally {
            await reader.close();
          }
        },
        (error: unknown) => ({ ok: false, error: String(error) }),
      );
      assert.deepEqual(settled, { ok: true, counts: [{ queue: 'default', status: 'pending', count: 1 }] });
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
      await cleanup();
    }
  });

  test('is not waited for again by a call that already committed a write: that would do the write twice', async () => {
    const { path, cleanup } = await createSqliteTestStore();
    const connection = new Database(path, { timeout: 0 });
    const other = new Database(path);
    const db = new SqliteDb(connection, path);
    try {
      let tries = 0;
      const call = db.patient(() => {
        tries++;
        connection.prepare(`INSERT INTO tb_audit_log (at, actor, action) VALUES ('2026-01-01T00:00:00.000Z', 'op', 'first')`).run();
        other.exec('BEGIN IMMEDIATE');
        connection.prepare(`INSERT INTO tb_audit_log (at, actor, action) VALUES ('2026-01-01T00:00:00.000Z', 'op', 'second')`).run();
      });
      await assert.rejects(call, (error) => isLockWait(error));
      other.exec('ROLLBACK');
      assert.equal(tries, 1);
      const firsts = connection.prepare(`SELECT count(*) AS n FROM tb_audit_log WHERE action = 'first'`).get();
      assert.deepEqual(firsts, { n: 1 });
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
      connection.close();
      await cleanup();
    }
  });
});
