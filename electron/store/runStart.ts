import type { Settlement } from './store.ts';

/**
 * The longest run a settlement may say, in ms: PostgreSQL's int, about 24.8 days, far past the longest
 * timeout (a day).
 */
const RUN_MS_MOST = 2_147_483_647;

/**
 * How long a settlement says its attempt ran, in whole ms; null when it does not say, or says what no run
 * can have (negative, not a number, past RUN_MS_MOST), and the run's start stays the claim's
 * (Settlement.run_ms). Never refused: a result is worth more than the start it dates, and refusing it
 * would dead-letter a job that completed.
 */
export function runMsOf(s: Settlement): number | null {
  const ms = s.run_ms;
  if (ms === undefined || !Number.isFinite(ms) || ms < 0 || ms > RUN_MS_MOST) return null;
  return Math.round(ms);
}
