import type { RetryConfig } from '../../shared/registry.ts';

/** A number in [0, 1), like Math.random; injectable so tests can pin the jitter. */
export type RandomSource = () => number;

/**
 * The ceiling of the wait before retry `attempt` (1-based: the attempt that just failed), in ms:
 * initial_backoff * backoff_factor^(attempt-1), capped at max_backoff.
 */
export function backoffCeilingMs(config: RetryConfig, attempt: number): number {
  const exponent = Math.max(0, attempt - 1);
  const seconds = Math.min(config.max_backoff, config.initial_backoff * config.backoff_factor ** exponent);
  return seconds * 1000;
}

/**
 * Full jitter (a random wait between zero and the ceiling) spreads the retries of many jobs that failed
 * together, so a recovering dependency is not hit by one synchronized wave. A server's Retry-After wins:
 * it knows better than our guess when it can take the request again.
 */
export function backoffDelayMs(
  config: RetryConfig,
  attempt: number,
  retryAfterMs?: number,
  random: RandomSource = Math.random,
): number {
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
    return Math.ceil(retryAfterMs);
  }
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * backoffCeilingMs(config, attempt));
}
