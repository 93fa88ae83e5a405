import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import type { WorkerPool } from '../../../shared/domain.ts';

/**
 * What a pool went through between two takes (a worker's heartbeats): the most connections in use at once,
 * the most callers waiting at once for one, and the longest a caller waited. A look at the pool as the
 * heartbeat leaves misses a pool exhausted a second before. Every lending updates three numbers and reads
 * the pool's counters, allocating nothing: the engine's statements pass through here.
 */
export class PoolGauge {
  readonly #pool: pg.Pool;
  readonly #max: number;
  #peakInUse = 0;
  #peakWaiting = 0;
  #longestWaitMs = 0;

  constructor(pool: pg.Pool, max: number) {
    this.#pool = pool;
    this.#max = max;
  }

  /**
   * Called with what pool.connect() answered, as soon as it answers: by then a caller the pool cannot serve
   * has joined its queue. The queue also holds, for a tick, callers an idle connection or one the pool still
   * has room to open is about to serve: those wait on no busy connection, and are not counted.
   */
  asked<T>(lending: T): T {
    const waiting = this.#waiting();
    if (waiting > this.#peakWaiting) this.#peakWaiting = waiting;
    return lending;
  }

  /** Called once a caller that asked at `askedAt` (performance.now()) got its connection or gave up waiting. */
  lent(askedAt: number): void {
    const waited = performance.now() - askedAt;
    if (waited > this.#longestWaitMs) this.#longestWaitMs = waited;
    const inUse = this.#inUse();
    if (inUse > this.#peakInUse) this.#peakInUse = inUse;
  }

  /** The figures since the last take; the next period starts from the pool as it stands. */
  take(): WorkerPool {
    const figures = { max: this.#max, peak_in_use: this.#peakInUse, peak_waiting: this.#peakWaiting, longest_wait_ms: Math.round(this.#longestWaitMs * 10) / 10 };
    // A caller still waiting is counted again in the next period, and its wait when it ends.
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
