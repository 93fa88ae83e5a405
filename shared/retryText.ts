import type { RetryConfig } from './registry.ts';

/**
 * "3 retries, each after a random wait up to 1s, ×2 each time, at most 300s": how long a failing job waits
 * between attempts (full jitter, engine/backoff.ts). A first backoff over the longest leaves only the longest.
 */
export function retryText(retry: RetryConfig): string {
  if (retry.max_retries === 0) return 'no retry';
  const retries = retry.max_retries === 1 ? '1 retry' : `${retry.max_retries} retries`;
  if (retry.initial_backoff >= retry.max_backoff) return `${retries}, each after a random wait up to ${retry.max_backoff}s`;
  return `${retries}, each after a random wait up to ${retry.initial_backoff}s, ×${retry.backoff_factor} each time, at most ${retry.max_backoff}s`;
}
