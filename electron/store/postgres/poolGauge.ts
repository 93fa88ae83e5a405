import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import type { WorkerPool } from '../../../shared/domain.ts';

/**
 * What a pool went through between two takes (a worker's heartbeats): the most connections in use at once,
 * the most callers waiting at once for one, and the longest a caller waited. A look at the pool as the
 * heartbeat leaves misses a pool exhausted a second before. Every lending updates a few numbers and reads
 * the pool's counters, allocating nothing while the pool has a connection to give: the engine's statements
 * pass through here.
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

  constructor(pool: pg.Pool, max: number) {
    this.#pool = pool;
    this.#max = max;
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
    const waited = performance.now() - askedAt;
    if (waited > this.#longestWaitMs) this.#longestWaitMs = waited;
    const inUse = this.#inUse();
    if (inUse > this.#peakInUse) this.#peakInUse = inUse;
    if (this.#waitingSince.length === 0) return;
    // Nobody waits any more: whatever a caller outside the gauge left here goes too.
    if (this.#waiting() === 0) this.#waitingSince.length = 0;
    else if (askedAt >= (this.#waitingSince[0] ?? Number.POSITIVE_INFINITY)) this.#waitingSince.shift();
  }

  /** The figures since the last take; the next period starts from the pool as it stands. */
  take(): WorkerPool {
    const oldest = this.#waitingSince[0];
    const longest = oldest === undefined ? this.#longestWaitMs : Math.max(this.#longestWaitMs, performance.now() - oldest);
    const figures = { max: this.#max, peak_in_use: this.#peakInUse, peak_waiting: this.#peakWaiting, longest_wait_ms: Math.round(longest * 10) / 10 };
    // A caller still waiting is counted again in the next period, and its whole wait when it ends.
    this.#peakInUse = this.#inUse();
    this.#peakWaiting = this.#waiting();
    this.#longestWaitMs = 0;
    return figures;
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
