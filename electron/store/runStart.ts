import { StoreInputError } from './errors.ts';
import type { Settlement } from './store.ts';

/** The longest run a settlement may say: far past any timeout, so a runaway number cannot date a start before the epoch. */
const RUN_MS_MOST = 366 * 86_400_000;

/**
 * How long a settlement says its attempt ran, in whole ms, checked as both dialects take it; null when it
 * does not say, and the run's start stays the claim's (Settlement.run_ms).
 */
export function runMsOf(s: Settlement): number | null {
  const ms = s.run_ms;
  if (ms === undefined) return null;
  if (!Number.isFinite(ms) || ms < 0 || ms > RUN_MS_MOST) {
    throw new StoreInputError(`run_ms ${String(ms)} of job ${s.jobId} is not how long an attempt ran: milliseconds from 0 to ${RUN_MS_MOST}`);
  }
  return Math.round(ms);
}
