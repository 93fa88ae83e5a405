import type { WorkerPool } from './domain.ts';
import { durationText } from './durationText.ts';

/** Callers waited for a connection, every one being in use: the pool was exhausted. */
export function poolExhausted(pool: WorkerPool | null): pool is WorkerPool {
  return pool !== null && pool.peak_waiting > 0;
}

/**
 * A worker's pool between its last two heartbeats, as `opsdeck workers` and the Runners page write it: the
 * most connections in use of its size (`3/8`), and once callers had to wait, the most at once and the
 * longest wait (`2/2, up to 3 waiting, longest 1.20 s`).
 */
export function poolText(pool: WorkerPool): string {
  const used = `${pool.peak_in_use}/${pool.max}`;
  if (!poolExhausted(pool)) return used;
  return `${used}, up to ${pool.peak_waiting} waiting, longest ${durationText(pool.longest_wait_ms, '-')}`;
}
