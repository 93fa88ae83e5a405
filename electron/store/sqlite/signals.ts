import type BetterSqlite3 from 'better-sqlite3';
import type { StoreSignal } from '../store.ts';
import type { SqliteDb } from './db.ts';

/** Polling for other processes' commits: PRAGMA data_version is one page read, cheap at this rate. */
const POLL_MS = 250;

/**
 * Tells listeners when control, breakers, jobs or workers changed: at once for this connection's own
 * writes, and within POLL_MS for another process's commits (PRAGMA data_version moves only when another
 * connection commits, so our own writes never echo). Signals are coalesced per tick, not counted.
 */
export class SqliteSignals {
  readonly #db: SqliteDb;
  readonly #dataVersion: BetterSqlite3.Statement<[], { data_version: number }>;
  readonly #signature: BetterSqlite3.Statement<[], { control: string; breakers: string }>;
  readonly #listeners = new Set<(signal: StoreSignal) => void>();
  readonly #queued = new Set<StoreSignal>();
  #flushing = false;
  #poll: NodeJS.Timeout | null = null;
  #seen = { dataVersion: 0, control: '', breakers: '' };

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#dataVersion = db.connection.prepare(`PRAGMA data_version`);
    this.#signature = db.connection.prepare(
      `SELECT (SELECT version FROM tb_control WHERE id = 1)
                || '/' || (SELECT count(*) || ':' || coalesce(max(set_at), '') FROM tb_service_pause) AS control,
              (SELECT count(*) || ':' || coalesce(sum(version), 0) FROM tb_breaker)
                || '/' || (SELECT count(*) || ':' || coalesce(max(set_at), '') FROM tb_breaker_tuning)
                || '/' || (SELECT count(*) || ':' || coalesce(max(set_at), '') FROM tb_rate_limit_tuning) AS breakers`,
    );
  }

  subscribe(listener: (signal: StoreSignal) => void): () => void {
    this.#listeners.add(listener);
    this.#startPolling();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stopPolling();
    };
  }

  /** Our own control write: the poll must not announce it again as another process's. */
  noteControlVersion(): void {
    if (!this.#db.closed) this.#seen.control = this.#readSignature().control;
  }

  /** Jobs changed; `ready` when some may have become claimable (StoreSignal says which changes do). */
  jobsChanged(ready: boolean): void {
    this.emit('jobs');
    if (ready) this.emit('ready');
  }

  emit(signal: StoreSignal): void {
    if (this.#listeners.size === 0) return;
    this.#queued.add(signal);
    if (this.#flushing) return;
    this.#flushing = true;
    // Coalesced: a burst of claims and settles in one tick is one 'jobs' signal.
    setImmediate(() => {
      this.#flushing = false;
      const signals = [...this.#queued];
      this.#queued.clear();
      for (const s of signals) {
        for (const listener of [...this.#listeners]) {
          try {
            listener(s);
          } catch {
            // A listener's failure is its own; the others still hear the signal.
          }
        }
      }
    });
  }

  close(): void {
    this.#stopPolling();
    this.#listeners.clear();
  }

  #startPolling(): void {
    if (this.#poll || this.#db.closed) return;
    this.#seen = { dataVersion: this.#readDataVersion(), ...this.#readSignature() };
    this.#poll = setInterval(() => this.#pollOnce(), POLL_MS);
    this.#poll.unref();
  }

  #stopPolling(): void {
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = null;
  }

  #pollOnce(): void {
    if (this.#db.closed) return;
    try {
      const dataVersion = this.#readDataVersion();
      if (dataVersion === this.#seen.dataVersion) return;
      const signature = this.#readSignature();
      if (signature.control !== this.#seen.control) this.emit('control');
      if (signature.breakers !== this.#seen.breakers) this.emit('breakers');
      this.#seen = { dataVersion, ...signature };
      // Another process's change could be any: its jobs may be claimable.
      this.emit('jobs');
      this.emit('ready');
      this.emit('workers');
    } catch {
      // Busy or closing: the next tick tries again.
    }
  }

  #readDataVersion(): number {
    return this.#dataVersion.get()?.data_version ?? 0;
  }

  #readSignature(): { control: string; breakers: string } {
    return this.#signature.get() ?? { control: '', breakers: '' };
  }
}
