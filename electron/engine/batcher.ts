import { Waiters } from './waiters.ts';

/** What a flush could not land, and why: tried again, ahead of what came since, after the backoff. */
export interface FlushLeft<T> {
  items: T[];
  error: unknown;
}

/**
 * Group commit: items collect while flushes are under way and go together in the next one, so under load
 * a single store round trip carries many results, and at low load an item waits at most `delayMs` (or
 * until the flush under way, if that takes longer).
 * One flush runs at a time. A failed flush (it throws, or returns what it could not land) is retried with
 * those items kept, after `retryMs`, doubled after each failure in a row up to `retryMostMs`: a store away
 * for minutes is asked a few times a minute, not twice a second.
 */
export class Batcher<T> {
  #items: T[] = [];
  #running: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  /** Failed flushes in a row: the next retry waits longer. */
  #failures = 0;
  /** Ends the wait before a failed flush is tried again. */
  #endBackoff: (() => void) | null = null;
  /** Waiting for the flush under way, or the next one, to end (retryNow). */
  readonly #flushEnded = new Waiters();
  readonly #flush: (items: T[]) => Promise<FlushLeft<T> | null>;
  readonly #maxBatch: number;
  readonly #maxWeight: number;
  readonly #weigh: (item: T) => number;
  readonly #delayMs: number;
  readonly #retryMs: number;
  readonly #retryMostMs: number;
  readonly #onError: (error: unknown, items: number) => void;

  constructor(opts: {
    flush: (items: T[]) => Promise<FlushLeft<T> | null>;
    maxBatch: number;
    /** A batch also ends before its items weigh more than this together (one item always goes). */
    maxWeight?: number;
    weigh?: (item: T) => number;
    delayMs: number;
    retryMs: number;
    /** The longest wait between retries; retryMs when absent (no backoff). */
    retryMostMs?: number;
    onError: (error: unknown, items: number) => void;
  }) {
    this.#flush = opts.flush;
    this.#maxBatch = opts.maxBatch;
    this.#maxWeight = opts.maxWeight ?? Number.POSITIVE_INFINITY;
    this.#weigh = opts.weigh ?? (() => 0);
    this.#delayMs = opts.delayMs;
    this.#retryMs = opts.retryMs;
    this.#retryMostMs = Math.max(opts.retryMs, opts.retryMostMs ?? opts.retryMs);
    this.#onError = opts.onError;
  }

  get size(): number {
    return this.#items.length;
  }

  get busy(): boolean {
    return this.#running !== null || this.#items.length > 0;
  }

  /**
   * What a failed flush left is tried now rather than after the backoff (the store answers again). Resolves
   * once that try, or the one under way, has ended, landed or not: `size` counts what it left.
   */
  retryNow(): Promise<void> {
    if (this.#failures === 0 || this.#closed) return Promise.resolve();
    const ended = this.#flushEnded.wait();
    this.#endBackoff?.();
    return ended;
  }

  add(item: T): void {
    this.#items.push(item);
    if (this.#running) return;
    if (this.#items.length >= this.#maxBatch) this.#start();
    else this.#timer ??= setTimeout(() => this.#start(), this.#delayMs);
  }

  /** Flushes everything collected, now; resolves when it has landed (or `close` gave up on it). */
  async drain(): Promise<void> {
    while (this.#running || (this.#items.length > 0 && !this.#closed)) {
      if (!this.#running) this.#start();
      await this.#running;
    }
  }

  /** Stops retrying failed flushes: the leases will expire and the watchdog takes the jobs back. */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #start(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#running || this.#items.length === 0) return;
    const items = this.#items.splice(0, this.#batchLength());
    const began = performance.now();
    this.#running = this.#run(items).finally(() => {
      this.#running = null;
      if (this.#items.length === 0 || this.#closed) return;
      // What arrived during a flush that took the delay or longer has waited long enough. After a
      // quicker flush (SQLite's are synchronous) it waits for the delay like anything else: going at once,
      // each flush would carry one wave of finished jobs (SQLite settled about 40 results at a time, not 500).
      if (this.#items.length >= this.#maxBatch || performance.now() - began >= this.#delayMs) this.#start();
      else this.#timer ??= setTimeout(() => this.#start(), this.#delayMs);
    });
  }

  /** How many of the waiting items the next batch takes: up to maxBatch, and up to maxWeight after the first. */
  #batchLength(): number {
    if (this.#maxWeight === Number.POSITIVE_INFINITY) return this.#maxBatch;
    let weight = 0;
    let n = 0;
    for (const item of this.#items) {
      if (n === this.#maxBatch) break;
      weight += this.#weigh(item);
      if (n > 0 && weight > this.#maxWeight) break;
      n++;
    }
    return n;
  }

  async #run(items: T[]): Promise<void> {
    let left: FlushLeft<T> | null;
    try {
      left = await this.#flush(items);
    } catch (error) {
      left = { items, error };
    }
    if (left === null || left.items.length === 0) {
      this.#failures = 0;
      this.#flushEnded.release();
      return;
    }
    this.#onError(left.error, left.items.length);
    // Its waiters go on once this returns to them, past the backoff's start: a retry they ask for ends it.
    this.#flushEnded.release();
    if (this.#closed) return;
    this.#items = left.items.concat(this.#items);
    const wait = Math.min(this.#retryMostMs, this.#retryMs * 2 ** Math.min(this.#failures, 20));
    this.#failures++;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.#endBackoff?.(), wait);
      this.#endBackoff = () => {
        clearTimeout(timer);
        this.#endBackoff = null;
        resolve();
      };
    });
  }
}
