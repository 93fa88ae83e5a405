import type { WorkerPool } from './domain.ts';
import { durationText } from './durationText.ts';

/**
 * How long a caller must have waited for a connection for a pool to count as exhausted. Every two seconds a
 * worker's periodic reads ask for connections all at once, and at any pool size some queue for a
 * millisecond or two behind the others: a wait of a tenth of a second is connections held long enough to
 * slow its claims and settles, on the way to the 5 s after which a caller gives up.
 */
export const EXHAUSTED_AFTER_MS = 100;

/**
 * A caller queued behind connections busy with statements (not behind ones the pool was still opening)
 * waited EXHAUSTED_AFTER_MS or more: the pool was exhausted.
 */
export function poolExhausted(pool: WorkerPool | null): pool is WorkerPool {
  return pool !== null && pool.peak_waiting > 0 && pool.longest_wait_ms >= EXHAUSTED_AFTER_MS;
}

/**
 * A worker's pool between its last two heartbeats, as `opsdeck workers` and the Runners page write it: the
 * most connections in use of its size (`3/8`), and once callers had to wait, the most at once and the
 * longest wait (`2/2, up to 3 waiting, longest 1.20 s`).
 */
export function poolText(pool: WorkerPool): string {
  const used = `${pool.peak_in_use}/${pool.max}`;
  if (pool.peak_waiting === 0) return used;
  return `${used}, up to ${pool.peak_waiting} waiting, longest ${durationText(pool.longest_wait_ms, '-')}`;
}
