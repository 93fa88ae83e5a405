import type { RetryConfig } from './registry.ts';

/** "3 retries: backoff from 1s, ×2 each time, at most 300s": how long a failing job waits between attempts. */
export function retryText(retry: RetryConfig): string {
  if (retry.max_retries === 0) return 'no retry';
  const retries = retry.max_retries === 1 ? '1 retry' : `${retry.max_retries} retries`;
  return `${retries}: backoff from ${retry.initial_backoff}s, ×${retry.backoff_factor} each time, at most ${retry.max_backoff}s`;
}
