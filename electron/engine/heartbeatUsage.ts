import type { WorkerPool } from '../../shared/domain.ts';
import type { Store } from '../store/store.ts';
import type { WorkerUsage } from '../store/workerStore.ts';
import { CpuMeter } from './cpuMeter.ts';
import { memoryNow } from './memoryNow.ts';

/**
 * What each heartbeat says of the worker process (WorkerUsage): its memory now, its CPU since the heartbeat
 * before, and its store's pool since the last heartbeat the store took. A heartbeat that failed is most
 * likely one that waited out an exhausted pool: what it carried is kept for the next, not lost with it.
 */
export class HeartbeatUsage {
  // Made with the engine, so its first heartbeat measures from the worker's start.
  readonly #cpu = new CpuMeter();
  #unsentPool: WorkerPool | null = null;

  take(store: Pick<Store, 'takePoolPeaks'>): WorkerUsage {
    const taken = store.takePoolPeaks();
    this.#unsentPool = taken === null || this.#unsentPool === null ? taken : worstOf(this.#unsentPool, taken);
    return { memory: memoryNow(), cpu_percent: this.#cpu.sample(), pool: this.#unsentPool };
  }

  /**
   * The store took the heartbeat that carried `usage`: the next one's pool figures start from here, unless
   * a heartbeat made since (on a control change, beside the periodic one) took them with its own and is
   * still on its way: should it fail, its figures are kept for the next.
   */
  sent(usage: WorkerUsage): void {
    if (this.#unsentPool === usage.pool) this.#unsentPool = null;
  }
}

function worstOf(a: WorkerPool, b: WorkerPool): WorkerPool {
  return {
    max: b.max,
    peak_in_use: Math.max(a.peak_in_use, b.peak_in_use),
    peak_waiting: Math.max(a.peak_waiting, b.peak_waiting),
    longest_wait_ms: Math.max(a.longest_wait_ms, b.longest_wait_ms),
  };
}
