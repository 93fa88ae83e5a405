import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Copies the write-ahead log back into the database file on a thread of its own. SQLite's automatic
 * checkpoint runs inside whichever commit crosses the threshold, on the thread that committed: copying a
 * few megabytes and an fsync, in the middle of a claim or an enqueue, on the thread that also serves the
 * console. SQLite's WAL documentation names the way out: move the automatic checkpoint out of the way and
 * run checkpoints in a separate thread. PASSIVE checkpoints never wait for or block a writer or a reader.
 */

/** How often the thread looks for committed frames to copy; one look without any costs no I/O. */
const INTERVAL_MS = 100;
/**
 * The automatic checkpoint stays as a ceiling, far above what the thread lets the log reach, for the
 * moment the thread is not there (starting, stopped, or gone); SQLite's own 1000 pages once it is gone.
 * In bytes, since a database keeps the page size it was made with.
 */
const CEILING_BYTES = 64 * 1024 * 1024;
const SQLITE_DEFAULT_PAGES = 1000;

/**
 * The thread's whole program, plain CommonJS evaluated by worker_threads: the main process is one bundled
 * file, and a worker script would be a second build output to find beside it, from source and packaged.
 * The driver is the path the main thread resolved, so both load the same better-sqlite3.
 */
const PROGRAM = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true, timeout: 0 });
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    if (error.code !== 'SQLITE_BUSY' && error.code !== 'SQLITE_LOCKED') throw error;
  }
}, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Stops the thread (or its start) and waits until its connection is closed. */
  stop(): Promise<void>;
}

/** Sets the main connection's automatic checkpoint; the checkpointer calls it as the thread comes and goes. */
export type SetAutoCheckpoint = (pages: number) => void;

/**
 * A store that lives for a moment (one CLI command) never starts the thread: it would cost more than the
 * checkpoint SQLite runs at close. One that stays open (a worker, the console) gets it after a second.
 */
const START_DELAY_MS = 1000;

export function startCheckpointer(path: string, pageSize: number, setAutoCheckpoint: SetAutoCheckpoint): Checkpointer {
  setAutoCheckpoint(Math.ceil(CEILING_BYTES / pageSize));
  let worker: Worker | null = null;
  let exited: Promise<void> = Promise.resolve();
  const start = setTimeout(() => {
    const thread = new Worker(PROGRAM, { eval: true, workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3'), path, intervalMs: INTERVAL_MS } });
    thread.unref();
    exited = new Promise((resolve) => thread.once('exit', () => resolve()));
    // A thread that fails leaves the log to SQLite's own checkpoint, as if it had never started.
    thread.once('error', () => setAutoCheckpoint(SQLITE_DEFAULT_PAGES));
    worker = thread;
  }, START_DELAY_MS);
  start.unref();
  return {
    async stop() {
      clearTimeout(start);
      if (worker) {
        // Held open while it closes: a process that awaits close() must not exit before the thread has.
        worker.ref();
        worker.postMessage('stop');
        worker = null;
      }
      await exited;
    },
  };
}
