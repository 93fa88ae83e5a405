import type BetterSqlite3 from 'better-sqlite3';
import type { Actor, ControlState, Job, JsonObject } from '../../../shared/domain.ts';
import { actorName } from '../actor.ts';
import { StoreError, StoreInputError } from '../errors.ts';
import { isLockWait, mapSqliteError } from './errors.ts';
import type { FileIdentity } from './fileIdentity.ts';
import { ReadThread } from './readThread.ts';
import type { ThreadStatement } from './readThread.ts';
import { registerTextFold } from './textFold.ts';
import { JOB_COLUMNS, toControl, toJob, toJson } from './rows.ts';
import { prepareTallyStatements } from './tally.ts';
import type { Tally, TallyStatements } from './tally.ts';
import type { ControlRow, JobRow, PausedQueueRow } from './rows.ts';

export type Connection = BetterSqlite3.Database;
export type Params = Record<string, string | number | null>;
export type Bind = Array<string | number | null>;

/**
 * How long a call waits, in all, for a lock another process holds before it fails with "stayed locked".
 * SQLite's own wait (busy_timeout, open.ts) blocks the thread, so it is kept to a slice; `patient` waits
 * out the rest between tries, with the event loop free: in Electron main, engine and console share it.
 */
export const LOCK_WAIT_MS = 5000;
export const LOCK_SLICE_MS = 20;
const MAX_PAUSE_MS = 200;

/** Timestamps as the tables hold them: ISO-8601 UTC with milliseconds, sorting as text. */
export const now = () => new Date().toISOString();

/**
 * One better-sqlite3 connection and what every concern of the store does with it: map its failures to
 * one-line StoreErrors, write in BEGIN IMMEDIATE transactions, prepare statements whose SQL depends on a
 * filter's shape once per shape, and the few statements all of them read (the control row, a job by id,
 * an audit row).
 */
export class SqliteDb {
  readonly connection: Connection;
  readonly location: string;
  #closed = false;
  readonly #controlRow: BetterSqlite3.Statement<[], ControlRow>;
  readonly #pausedQueues: BetterSqlite3.Statement<[], PausedQueueRow>;
  readonly #jobById: BetterSqlite3.Statement<[number], JobRow>;
  readonly #insertAudit: BetterSqlite3.Statement<[Params]>;
  readonly #tally: TallyStatements;
  readonly #file: FileIdentity | null;
  readonly #totalChanges: BetterSqlite3.Statement<[], number>;
  /** Null for an in-memory database, which no other connection can open: its long reads stay here. */
  readonly #thread: ReadThread | null;
  readonly #asideHere = new Map<string, BetterSqlite3.Statement<unknown[], unknown>>();

  /** `longReads`: where `aside` runs them; 'here' for an in-memory database, and for tests comparing the two. */
  constructor(connection: Connection, location: string, file: FileIdentity | null = null, longReads: 'thread' | 'here' = location === ':memory:' ? 'here' : 'thread') {
    this.connection = connection;
    this.location = location;
    this.#file = file;
    this.#thread = longReads === 'here' ? null : new ReadThread(location, LOCK_WAIT_MS);
    registerTextFold(connection);
    this.#controlRow = connection.prepare(`SELECT * FROM tb_control WHERE id = 1`);
    this.#pausedQueues = connection.prepare(`SELECT queue, paused_by, paused_at, reason FROM tb_paused_queue ORDER BY queue`);
    this.#jobById = connection.prepare(`SELECT ${JOB_COLUMNS} FROM tb_job_run WHERE id = ?`);
    this.#insertAudit = connection.prepare(
      `INSERT INTO tb_audit_log (at, actor, action, target, job_count, details)
       VALUES (@now, @actor, @action, @target, @job_count, @details)`,
    );
    this.#tally = prepareTallyStatements(connection);
    this.#totalChanges = connection.prepare<[], number>('SELECT total_changes()').pluck();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** From here on every failure reads "the store is closed"; the connection closes with closeConnection. */
  markClosed(): void {
    this.#closed = true;
  }

  /** Ends the read thread, if a read started it; reads still under way fail as the store is closed. */
  async closeThread(): Promise<void> {
    await this.#thread?.close();
  }

  /** Whether the read thread is running now (tests: closing the store ends it). */
  get threadRunning(): boolean {
    return this.#thread?.running ?? false;
  }

  closeConnection(): void {
    try {
      // Refreshes planner statistics where they drifted; cheap, and what SQLite advises before closing.
      this.connection.pragma('optimize');
    } catch {
      // Busy or read-only: statistics can wait for the next close.
    }
    this.connection.close();
  }

  /** Runs `fn` with SQLite's failures turned into StoreErrors that say what to do. */
  guard<T>(fn: () => T): T {
    const gone = this.#file?.problem();
    if (gone) throw new StoreError('unavailable', gone, 'what it wrote since is in a file no other process sees: restart it once the right file is at that path');
    try {
      return fn();
    } catch (error) {
      throw mapSqliteError(error, this.location, this.#closed);
    }
  }

  /**
   * `guard`, tried again while another process holds the lock `fn` needs, until LOCK_WAIT_MS have gone.
   * Only a call that has written nothing yet is tried again (a store call may commit more than one
   * transaction), so a retry never does anything twice.
   */
  async patient<T>(fn: () => T): Promise<T> {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let pause = 5; ; pause = Math.min(2 * pause, MAX_PAUSE_MS)) {
      const before = this.guard(() => this.#totalChanges.get());
      try {
        return this.guard(fn);
      } catch (error) {
        if (!isLockWait(error) || Date.now() + pause >= deadline || this.guard(() => this.#totalChanges.get()) !== before) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  /**
   * A read that can take long at a million jobs, run on the read thread (readThread.ts) so the event loop
   * the engine and every console share stays free: the statements in one read transaction, each one's
   * rows, in order, for the caller to parse. Its failures map as `guard`'s do. An in-memory database runs
   * them here, the same SQL in the same kind of transaction.
   */
  async aside(statements: ThreadStatement[]): Promise<unknown[][]> {
    if (this.#thread === null) return this.guard(() => this.read(() => statements.map((s) => this.#preparedHere(s.sql).all(...s.args))));
    // The checks every call makes first: a store closing, a file deleted or replaced under it.
    if (this.#closed) throw mapSqliteError(new TypeError('The database connection is not open'), this.location, true);
    this.guard(() => undefined);
    try {
      return await this.#thread.read(statements);
    } catch (error) {
      throw mapSqliteError(error, this.location, this.#closed);
    }
  }

  #preparedHere(sql: string): BetterSqlite3.Statement<unknown[], unknown> {
    let statement = this.#asideHere.get(sql);
    if (!statement) {
      statement = this.connection.prepare<unknown[], unknown>(sql);
      this.#asideHere.set(sql, statement);
    }
    return statement;
  }

  /** Runs `fn` in one BEGIN IMMEDIATE transaction, so it holds the write lock from its first read. */
  write<T>(fn: () => T): T {
    return this.connection.transaction(fn).immediate();
  }

  /**
   * Runs `fn` in one read (deferred) transaction: in WAL mode its statements all read the snapshot its
   * first one took, whatever another process commits meanwhile.
   */
  read<T>(fn: () => T): T {
    return this.connection.transaction(fn).deferred();
  }

  /** Statements whose SQL depends on a filter's shape, prepared once per shape. */
  cached<Row>(cache: Map<string, BetterSqlite3.Statement<unknown[], Row>>, key: string, sql: () => string): BetterSqlite3.Statement<unknown[], Row> {
    let statement = cache.get(key);
    if (!statement) {
      statement = this.connection.prepare<unknown[], Row>(sql());
      cache.set(key, statement);
    }
    return statement;
  }

  /** The control row is written by the migration: its absence means the file was edited by hand. */
  control(): ControlState {
    const row = this.#controlRow.get();
    if (!row) throw new StoreInputError('the control row is missing: the database was edited by hand; run the migrations again');
    return toControl(row, this.#pausedQueues.all());
  }

  /** Whether dispatch is held (emergency stop or safe mode), read inside the caller's transaction. */
  dispatchHeld(): { stopped: boolean; held: boolean } {
    const row = this.#controlRow.get();
    return { stopped: row?.emergency_stop === 1, held: !row || row.emergency_stop === 1 || row.safe_mode === 1 };
  }

  jobById(id: number): Job | null {
    const row = this.#jobById.get(id);
    return row ? toJob(row) : null;
  }

  /** Writes what a transaction did to the counts and rollups; call it inside that transaction. */
  record(tally: Tally): void {
    tally.write(this.#tally);
  }

  audit(at: string, actor: Actor | string, action: string, target: string | null, jobCount: number | null, details: JsonObject | null): void {
    this.#insertAudit.run({
      now: at,
      actor: typeof actor === 'string' ? actor : actorName(actor),
      action,
      target,
      job_count: jobCount,
      details: toJson(details),
    });
  }
}

export function reasonOrNull(reason: string | null | undefined): string | null {
  const trimmed = reason?.trim();
  return trimmed ? trimmed : null;
}
