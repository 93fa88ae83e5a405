import { describe, it as test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { StoreError } from '../errors.ts';
import { createSqliteTestStore } from '../testing/sqliteTestDb.ts';
import { openStore } from '../open.ts';
import type { Store } from '../store.ts';
import { fillSqliteHistory } from '../testing/history/sqlite.ts';
import { SqliteDb } from './db.ts';
import { SqliteStore } from './index.ts';
import { isLockWait, mapSqliteError } from './errors.ts';
import { ReadThread } from './readThread.ts';

/**
 * The store may not import the engine, whose fingerprints a history's dead-letter groups carry elsewhere: here
 * each service's class names its group, which is all the reads compared below need of them.
 */
const historyEngine = { fingerprint: (_message: string, service: string, errorClass: string) => `${service}:${errorClass}`, version: 'test' };

const job = (i: number) => ({ queue: 'default', service_name: 'svc', execution_type: 'noop' as const, max_attempts: 1, payload: { i } });

/** Counts to `n` in SQL: a read that keeps SQLite busy for a while whatever the file holds. */
const longRead = (n: number) => ({ sql: 'WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?) SELECT count(*) AS n FROM k', args: [n] });
const Counted = z.array(z.object({ n: z.number() }));
const countJobs = { sql: 'SELECT count(*) AS n FROM tb_job_run', args: [] };
const countAudit = { sql: "SELECT count(*) AS n FROM tb_audit_log WHERE action = 'test.write'", args: [] };

/** A second SqliteDb on a migrated store's file, reading aside on the thread (or here). */
async function withDb(longReads: 'thread' | 'here', use: (db: SqliteDb, store: Awaited<ReturnType<typeof createSqliteTestStore>>) => Promise<void>) {
  const made = await createSqliteTestStore();
  const db = new SqliteDb(new Database(made.path), made.path, null, longReads);
  try {
    await use(db, made);
  } finally {
    db.markClosed();
    await db.closeThread();
    db.closeConnection();
    await made.cleanup();
  }
}

/** The process's threads: Linux lists each under /proc/self/task, a worker thread among them. */
const cutoffs = { completed: new Date(), cancelled: new Date(), deadLetters: new Date(), history: new Date() };
const threadCount = () => readdirSync('/proc/self/task').length;

/** What a read settled with, without letting a rejection go unhandled while the test looks elsewhere. */
const settle = <T,>(p: Promise<T>) => p.then((value) => ({ value }), (error: unknown) => ({ error }));

describe('sqlite: the read thread', () => {
  test('leaves the event loop free: a timer, an immediate and another store call all come before a long read answers', async () => {
    await withDb('thread', async (db, { store }) => {
      await store.enqueue([job(1)]);
      const order: string[] = [];
      const long = db.aside([longRead(3_000_000)]).then((results) => {
        order.push('long read');
        return results;
      });
      setImmediate(() => order.push('immediate'));
      setTimeout(() => order.push('timer'), 1);
      const counts = await store.countsByQueueAndStatus();
      order.push('another store call');
      // And a read on the very connection the long read was handed by, on this thread.
      assert.equal(db.jobById(1)?.id, 1);
      order.push('same connection');
      const [rows] = await long;
      assert.deepEqual(counts.map((c) => [c.status, c.count]), [['pending', 1]]);
      assert.deepEqual(Counted.parse(rows), [{ n: 3_000_000 }]);
      assert.equal(order.at(-1), 'long read', `in order: ${order.join(', ')}`);
      assert.deepEqual(new Set(order), new Set(['immediate', 'timer', 'another store call', 'same connection', 'long read']));
    });
  });

  test('run here instead (an in-memory database), the same read holds the loop until it answers', async () => {
    await withDb('here', async (db) => {
      const order: string[] = [];
      setImmediate(() => order.push('immediate'));
      const [rows] = await db.aside([longRead(200_000)]);
      order.push('long read');
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(Counted.parse(rows), [{ n: 200_000 }]);
      assert.deepEqual(order, ['long read', 'immediate']);
    });
  });

  test('answers the same rows as the main connection, searches with letters beyond ASCII included', async () => {
    const made = await createSqliteTestStore();
    const here = new SqliteDb(new Database(made.path), made.path, null, 'here');
    const thread = new SqliteDb(new Database(made.path), made.path, null, 'thread');
    try {
      await made.store.enqueue([job(1), job(2), job(3)]);
      const statements = [
        { sql: 'SELECT id, status, queue, payload FROM tb_job_run WHERE id >= ? ORDER BY id', args: [2] },
        { sql: 'SELECT count(*) AS n FROM tb_job_run WHERE queue = @queue', args: [{ queue: 'default' }] },
        // The lowering textFold.ts registers: the thread's connection has its own.
        { sql: "SELECT opsdeck_lower('ÉCHEC total') AS folded", args: [] },
      ];
      const onThread = await thread.aside(statements);
      assert.deepEqual(onThread, await here.aside(statements));
      assert.deepEqual(onThread[2], [{ folded: 'échec total' }]);
      assert.equal(onThread[0]?.length, 2);
    } finally {
      for (const db of [here, thread]) {
        db.markClosed();
        await db.closeThread();
        db.closeConnection();
      }
      await made.cleanup();
    }
  });

  test('the reads moved onto it answer as they do on the main connection, on a history with dead letters', async () => {
    const made = await createSqliteTestStore();
    await made.store.close();
    const nowMs = Date.now();
    fillSqliteHistory(made.path, { jobs: 3000, nowMs, engine: historyEngine });
    const onThread = await openStore(made.path);
    const here = new SqliteStore(new SqliteDb(new Database(made.path), made.path, null, 'here'), () => onThread.migrationStatus(), null);
    try {
      await onThread.checkCounts(true);
      const day = new Date(nowMs - 86_400_000);
      const cutoffsNow = { completed: new Date(nowMs - 3 * 86_400_000), cancelled: new Date(nowMs - 86_400_000), deadLetters: new Date(nowMs), history: day };
      const reads = async (store: Store) => ({
        searched: await store.dlqGroups({ search: 'OOM-killed' }),
        searchedOne: await store.dlqGroups({ search: 'CPU limit', service: 'svc_01' }),
        searchedCount: await store.dlqCount({ search: 'OOM-killed' }),
        estimate: await store.pruneEstimate(cutoffsNow),
      });
      const threadAnswers = await reads(onThread);
      assert.deepEqual(threadAnswers, await reads(here));
      const sizes = { searched: threadAnswers.searched.length, counted: threadAnswers.searchedCount, completed: threadAnswers.estimate.completed };
      assert.ok(Object.values(sizes).every((n) => n > 0), `the history gives each read something to answer: ${JSON.stringify(sizes)}`);
    } finally {
      await here.close();
      await onThread.close();
      await made.cleanup();
    }
  });

  test("sees what the writer committed before each read, never what it has not committed yet", async () => {
    await withDb('thread', async (db, { store, path }) => {
      assert.deepEqual(Counted.parse((await db.aside([countJobs]))[0]), [{ n: 0 }], 'the thread is started, with nothing to see');
      await store.enqueue([job(1), job(2)]);
      assert.deepEqual(Counted.parse((await db.aside([countJobs]))[0]), [{ n: 2 }]);
      const writer = new Database(path);
      try {
        writer.exec('BEGIN IMMEDIATE');
        writer.prepare(`INSERT INTO tb_audit_log (at, actor, action) VALUES ('2026-01-01T00:00:00.000Z', 'test', 'test.write')`).run();
        // A write under way holds no reader back in WAL mode: the thread answers, from before it.
        assert.deepEqual(Counted.parse((await db.aside([countAudit]))[0]), [{ n: 0 }]);
        writer.exec('COMMIT');
      } finally {
        if (writer.inTransaction) writer.exec('ROLLBACK');
        writer.close();
      }
      assert.deepEqual(Counted.parse((await db.aside([countAudit]))[0]), [{ n: 1 }]);
    });
  });

  test('closing the store ends the thread; a read under way and any after it fail as reads of a closed store do', async () => {
    await withDb('thread', async (db, { store }) => {
      // Closed first, so its checkpointer thread cannot start while this test counts threads.
      await store.close();
      assert.equal(db.threadRunning, false, 'started by the first read, not before');
      await db.aside([countJobs]);
      assert.equal(db.threadRunning, true);
      const underWay = settle(db.aside([longRead(3_000_000)]));
      const threads = threadCount();
      db.markClosed();
      await db.closeThread();
      assert.equal(db.threadRunning, false);
      assert.equal(threadCount(), threads - 1, 'the process has one thread fewer');
      const closedMessage = /the store .* is closed/;
      const during = await underWay;
      assert.ok('error' in during && during.error instanceof StoreError && closedMessage.test(during.error.message), `under way: ${JSON.stringify(during)}`);
      await assert.rejects(db.aside([countJobs]), (error) => error instanceof StoreError && closedMessage.test(error.message));
    });
  });

  test('the store closes its thread with itself', async () => {
    const { store, cleanup } = await createSqliteTestStore();
    try {
      await store.pruneEstimate(cutoffs);
      const before = threadCount();
      await store.close();
      // The read thread, and the checkpointer's if it had started: one or two fewer.
      assert.ok(threadCount() < before, 'the process has fewer threads');
      await assert.rejects(store.pruneEstimate(cutoffs), /is closed/);
    } finally {
      await cleanup();
    }
  });
});

describe('sqlite: the read thread maps failures as the main connection does', () => {
  /** The same read on a main-thread connection and on a ReadThread, both failures mapped as the store maps them. */
  async function bothWays(path: string, sql: string, open: () => Database.Database): Promise<{ main: unknown; thread: unknown }> {
    let main: unknown = null;
    try {
      const connection = open();
      try {
        connection.prepare(sql).all();
      } finally {
        connection.close();
      }
    } catch (error) {
      main = mapSqliteError(error, path, false);
    }
    const thread = new ReadThread(path, 50);
    try {
      const settled = await settle(thread.read([{ sql, args: [] }]));
      return { main, thread: 'error' in settled ? mapSqliteError(settled.error, path, false) : null };
    } finally {
      await thread.close();
    }
  }

  function assertSame(main: unknown, thread: unknown, what: string): StoreError {
    assert.ok(main instanceof StoreError, `${what}, main thread: ${String(main)}`);
    assert.ok(thread instanceof StoreError, `${what}, read thread: ${String(thread)}`);
    assert.equal(thread.message, main.message, what);
    assert.equal(thread.code, main.code, what);
    assert.equal(thread.transient, main.transient, what);
    return thread;
  }

  test('a database another connection holds locked: "stayed locked", worth another try', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-readthread-'));
    const path = join(dir, 'locked.db');
    const holder = new Database(path);
    try {
      holder.pragma('journal_mode = WAL');
      holder.exec('CREATE TABLE t (x INTEGER)');
      // In WAL mode only an exclusive locking mode keeps readers out.
      holder.pragma('locking_mode = EXCLUSIVE');
      holder.exec('BEGIN EXCLUSIVE');
      holder.prepare('INSERT INTO t VALUES (1)').run();
      const { main, thread } = await bothWays(path, 'SELECT count(*) FROM t', () => new Database(path, { readonly: true, timeout: 50 }));
      const error = assertSame(main, thread, 'locked');
      assert.match(error.message, /stayed locked/);
      assert.equal(isLockWait(error), true);
    } finally {
      if (holder.inTransaction) holder.exec('ROLLBACK');
      holder.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a damaged file, a file that is not SQLite, a file that is gone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-readthread-'));
    try {
      const damagedPath = join(dir, 'damaged.db');
      const made = new Database(damagedPath);
      made.exec('CREATE TABLE t (x TEXT); CREATE INDEX t_x ON t (x)');
      made.prepare("WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 5000) INSERT INTO t SELECT printf('row %d', i) FROM k").run();
      made.close();
      // Overwrite the middle pages of the table and its index with noise, keeping the header and schema page.
      const file = await open(damagedPath, 'r+');
      await file.write(Buffer.alloc(4096 * 6, 0x5a), 0, 4096 * 6, 4096 * 3);
      await file.close();
      const damaged = await bothWays(damagedPath, 'SELECT count(*) FROM t WHERE x > \'\'', () => new Database(damagedPath, { readonly: true }));
      assert.match(assertSame(damaged.main, damaged.thread, 'damaged').message, /is damaged/);

      const textPath = join(dir, 'notes.db');
      await writeFile(textPath, 'these are notes, not a database\n'.repeat(200));
      const notSqlite = await bothWays(textPath, 'SELECT 1', () => new Database(textPath, { readonly: true, fileMustExist: true }));
      assert.match(assertSame(notSqlite.main, notSqlite.thread, 'not SQLite').message, /is not an SQLite database/);

      const gonePath = join(dir, 'gone.db');
      const gone = await bothWays(gonePath, 'SELECT 1', () => new Database(gonePath, { readonly: true, fileMustExist: true }));
      assert.match(assertSame(gone.main, gone.thread, 'gone').message, /cannot read or write/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('sqlite: the read thread answering in a shape it never sends', () => {
  /** A thread program that answers every message, but not as the read thread's program does. */
  const GARBLED = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (message) => parentPort.postMessage({ id: message.id, rows: 'not a list of results' }));
`;

  test('fails the reads waiting with an error naming the shape, and answers the next read the same way', async () => {
    const thread = new ReadThread(join(tmpdir(), 'opsdeck-readthread-never-opened.db'), 50, GARBLED);
    try {
      const first = await settle(thread.read([{ sql: 'SELECT 1', args: [] }]));
      assert.ok('error' in first && first.error instanceof Error, 'the read fails');
      assert.match(first.error.message, /the store's read thread answered in an unknown shape/);
      const second = await settle(thread.read([{ sql: 'SELECT 2', args: [] }]));
      assert.ok('error' in second && second.error instanceof Error, 'the next read fails too');
      assert.match(second.error.message, /unknown shape/);
      assert.equal(thread.running, true, 'the thread stays for the next read');
    } finally {
      await thread.close();
    }
  });

  test('no longer holds the process open once the reads that waited have failed: a CLI that never closes the store exits', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-readthread-'));
    // A file, not `-e`: `--input-type=module` would reach the thread's program too, which is CommonJS.
    const cli = join(dir, 'cli.mjs');
    await writeFile(
      cli,
      `import { ReadThread } from ${JSON.stringify(new URL('./readThread.ts', import.meta.url).href)};
      const thread = new ReadThread(${JSON.stringify(join(dir, 'unread.db'))}, 50, ${JSON.stringify(GARBLED)});
      await thread.read([{ sql: 'SELECT 1', args: [] }]).then(() => console.log('answered'), (error) => console.log(error.message));`,
    );
    try {
      // A process the thread held open would run until this kill: the test then fails, naming the hang.
      const printed = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, [cli], { timeout: 60_000 }, (error, stdout, stderr) => {
          if (error === null) resolve(stdout);
          else reject(new Error(error.killed ? `the process did not exit on its own; it printed: ${stdout}` : stderr || error.message));
        });
      });
      assert.match(printed, /the store's read thread answered in an unknown shape/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
