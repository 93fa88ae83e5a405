import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import type { WorkerPool } from '../../../shared/domain.ts';

/**
 * What a pool went through between two takes (a worker's heartbeats): the most connections in use at once,
 * the most callers waiting at once for one, and the longest a caller waited behind connections busy with
 * statements. A look at the pool as the heartbeat leaves misses a pool exhausted a second before. Every
 * lending updates a few numbers and reads the pool's counters, allocating nothing while the pool has a
 * connection to give: the engine's statements pass through here.
 *
 * A wait that is the pool opening connections is no exhaustion: a caller that got a connection opened for
 * it, however slowly, did not wait, and one queued while connections were still opening counts only from
 * when the last of them opened. A larger pool would have opened one more, as slowly, for it.
 */
export class PoolGauge {
  readonly #pool: pg.Pool;
  readonly #max: number;
  #peakInUse = 0;
  #peakWaiting = 0;
  #longestWaitMs = 0;
  /**
   * When each caller waiting now for a busy connection asked, oldest first: the pool serves them in that
   * order. A take counts the oldest's wait so far, so a period that ends with callers still waiting says how
   * long, not only the waits that ended in it.
   */
  readonly #waitingSince: number[] = [];
  /** When the pool last finished opening a connection (performance.now()): a wait before it was on the opening. */
  #openedAt = Number.NEGATIVE_INFINITY;

  constructor(pool: pg.Pool, max: number) {
    this.#pool = pool;
    this.#max = max;
    // Once per connection opened, not per lending.
    pool.on('connect', () => {
      this.#openedAt = performance.now();
    });
  }

  /**
   * Called with what pool.connect() answered, as soon as it answers, and when (performance.now()) the caller
   * asked: by then a caller the pool cannot serve has joined its queue. The queue also holds, for a tick,
   * callers an idle connection or one the pool still has room to open is about to serve: those wait on no
   * busy connection, and are not counted.
   */
  asked<T>(lending: T, askedAt: number): T {
    const waiting = this.#waiting();
    if (waiting > this.#peakWaiting) this.#peakWaiting = waiting;
    if (waiting > this.#waitingSince.length) this.#waitingSince.push(askedAt);
    return lending;
  }

  /** Called once a caller that asked at `askedAt` (performance.now()) got its connection or gave up waiting. */
  lent(askedAt: number): void {
    const inUse = this.#inUse();
    if (inUse > this.#peakInUse) this.#peakInUse = inUse;
    const oldest = this.#waitingSince[0];
    if (oldest === undefined) return;
    // One that asked before every caller queued behind busy connections was served by an idle connection or
    // one opened for it, and waited on no statement: its wait is not counted. The pool serves its queue in
    // order: one that asked after the oldest of them is that one, or comes after it.
    if (askedAt >= oldest) {
      this.#waitingSince.shift();
      const waited = this.#waitedSince(oldest);
      if (waited > this.#longestWaitMs) this.#longestWaitMs = waited;
    }
    // Nobody waits any more, so no entry can be a waiting caller's. Only asked() adds them, counting from the
    // pool's counters, which callers outside the gauge move too (pool.query in failure and #cancel): an entry
    // left by a miscount would otherwise have every take after it report a wait growing for ever.
    if (this.#waiting() === 0) this.#waitingSince.length = 0;
  }

  /** The figures since the last take; the next period starts from the pool as it stands. */
  take(): WorkerPool {
    const oldest = this.#waitingSince[0];
    const longest = oldest === undefined ? this.#longestWaitMs : Math.max(this.#longestWaitMs, this.#waitedSince(oldest));
    const figures = { max: this.#max, peak_in_use: this.#peakInUse, peak_waiting: this.#peakWaiting, longest_wait_ms: Math.round(longest * 10) / 10 };
    // A caller still waiting is counted again in the next period, and its whole wait when it ends.
    this.#peakInUse = this.#inUse();
    this.#peakWaiting = this.#waiting();
    this.#longestWaitMs = 0;
    return figures;
  }

  /** How long a caller queued at `queuedAt` has waited behind busy connections, leaving out the pool's opening them. */
  #waitedSince(queuedAt: number): number {
    return performance.now() - Math.max(queuedAt, this.#openedAt);
  }

  /** Lent out, or opening for a caller. */
  #inUse(): number {
    return this.#pool.totalCount - this.#pool.idleCount;
  }

  /** Queued with every connection busy: none idle, and no room to open another. */
  #waiting(): number {
    return Math.max(0, this.#pool.waitingCount - this.#pool.idleCount - (this.#max - this.#pool.totalCount));
  }
}
