import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { FOLD } from './textFold.ts';

/** One statement the thread runs: SQL text and the arguments `.all()` is given, plain values only. */
export interface ThreadStatement {
  sql: string;
  args: ThreadArg[];
}
export type ThreadArg = string | number | null | Record<string, string | number | null>;

/**
 * The thread's whole program, plain CommonJS evaluated by worker_threads as checkpointer.ts's and
 * integrity.ts's are: the main process is one bundled file, and the driver is the path the main thread
 * resolved. One read-only connection (WAL lets it read beside the writer); each message is one read
 * transaction over its statements, so they see one snapshot and every commit made before it was sent.
 * Messages queue on the thread's port and run one at a time. SQLite's own lock wait may block here as
 * long as the main thread would retry (`timeout`): nothing else runs on this thread.
 */
const PROGRAM = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db = null;
const prepared = new Map();
function statement(sql) {
  let found = prepared.get(sql);
  if (!found) {
    // A cache by SQL text, kept small: the shapes of a filter are few, but nothing else bounds them.
    if (prepared.size >= workerData.cacheMost) prepared.clear();
    found = db.prepare(sql);
    prepared.set(sql, found);
  }
  return found;
}
parentPort.on('message', (message) => {
  try {
    if (db === null) {
      db = new Database(workerData.path, { readonly: true, fileMustExist: true, timeout: workerData.timeoutMs });
      // The same lowering as textFold.ts registers on the main connection: searches fold letters alike.
      db.function(workerData.fold, { deterministic: true }, (text) => (typeof text === 'string' ? text.toLowerCase() : text));
    }
    const results = db.transaction(() => message.statements.map((s) => statement(s.sql).all(...s.args)))();
    parentPort.postMessage({ id: message.id, results });
  } catch (thrown) {
    const code = typeof thrown.code === 'string' ? thrown.code : '';
    parentPort.postMessage({ id: message.id, error: { code, message: String(thrown.message), sqlite: thrown instanceof Database.SqliteError } });
  }
});
`;

const Answer = z.union([
  z.object({ id: z.number(), results: z.array(z.array(z.unknown())) }),
  z.object({ id: z.number(), error: z.object({ code: z.string(), message: z.string(), sqlite: z.boolean() }) }),
]);

/** Statements the thread keeps prepared at most. */
const CACHE_MOST = 64;

interface Pending {
  resolve: (results: unknown[][]) => void;
  reject: (error: unknown) => void;
}

/**
 * A thread with a read-only connection of its own, for the reads that can take long at a million jobs:
 * better-sqlite3 is synchronous, and on the main thread such a read holds the event loop that also
 * extends the engine's leases, settles results and answers every console. Started at its first read,
 * kept for the next ones (a thread and a connection cost tens of milliseconds to start), ended by `close`.
 * A failure comes back as the SqliteError the main thread would have met, for the caller to map.
 */
export class ReadThread {
  readonly #path: string;
  readonly #timeoutMs: number;
  readonly #program: string;
  #worker: Worker | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #closed = false;

  /**
   * `program` is the thread's program, PROGRAM unless a test gives one that answers as PROGRAM never
   * does (in another shape), to prove what a wrong answer does to the reads waiting and to the process.
   */
  constructor(path: string, timeoutMs: number, program: string = PROGRAM) {
    this.#path = path;
    this.#timeoutMs = timeoutMs;
    this.#program = program;
  }

  /** Runs the statements in one read transaction on the thread; each one's rows, in order. */
  read(statements: ThreadStatement[]): Promise<unknown[][]> {
    if (this.#closed) return Promise.reject(new TypeError('The database connection is not open'));
    const worker = this.#started();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // Held open while a read is under way: a process awaiting it must not exit before it answers.
      worker.ref();
      worker.postMessage({ id, statements });
    });
  }

  /** Ends the thread; reads still under way fail as reads of a closed store do. */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = null;
    this.#failAll(new TypeError('The database connection is not open'));
    if (worker) await worker.terminate();
  }

  /** Whether the thread is running now: started by a read, ended by close. */
  get running(): boolean {
    return this.#worker !== null;
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(this.#program, {
      eval: true,
      workerData: { driver, path: this.#path, timeoutMs: this.#timeoutMs, fold: FOLD, cacheMost: CACHE_MOST },
    });
    worker.unref();
    worker.on('message', (message: unknown) => this.#answer(message));
    // A thread that dies (its driver failed to load, out of memory) fails what it held; the next read starts another.
    const gone = (error: unknown) => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      this.#failAll(error);
    };
    worker.once('error', gone);
    worker.once('exit', (code) => gone(new Error(`the store's read thread ended (exit code ${code})`)));
    this.#worker = worker;
    return worker;
  }

  #answer(message: unknown): void {
    const parsed = Answer.safeParse(message);
    // Only a bug in the program above could send another shape: what waits fails with it, nothing crashes.
    if (!parsed.success) return this.#failAll(new Error(`the store's read thread answered in an unknown shape: ${parsed.error.message}`));
    const answer = parsed.data;
    const pending = this.#pending.get(answer.id);
    if (!pending) return;
    this.#pending.delete(answer.id);
    if (this.#pending.size === 0) this.#worker?.unref();
    if ('results' in answer) pending.resolve(answer.results);
    else if (answer.error.sqlite) pending.reject(new Database.SqliteError(answer.error.message, answer.error.code));
    // Not SQLite's: a bug, passed on as one.
    else pending.reject(new Error(answer.error.message));
  }

  /** Fails every read waiting; with none left, the thread no longer holds the process open (a CLI exits). */
  #failAll(error: unknown): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    this.#worker?.unref();
    for (const p of pending) p.reject(error);
  }
}
