import { effectiveState } from './breakerRecord.ts';
import type { BreakerMode, BreakerState } from './domain.ts';

/**
 * What an open breaker shows where a closed one shows its window. Opening starts the window afresh, so
 * right after it the counts read "0/3 (0 calls)", which says nothing failed. An open breaker instead
 * says since when it is open (or forced open, and by whom), and when it next lets a probe through: the
 * CLI and the console both show this, beside its last error.
 */
export interface OpenBreaker {
  forced: boolean;
  /** When it opened, or was forced open. */
  since: string | null;
  /** Seconds until probes go through, 0 once they may; null while forced open: none until it is set back to auto. */
  probeInS: number | null;
}

interface Breaker {
  mode: BreakerMode;
  state: BreakerState;
  opened_at: string | null;
  mode_set_at: string | null;
  half_open_in_s: number | null;
}

/** Null unless dispatch holds the service's jobs because of it (open, by itself or forced). */
export function openBreaker(b: Breaker): OpenBreaker | null {
  if (effectiveState(b) !== 'open') return null;
  if (b.mode === 'force_open') return { forced: true, since: b.mode_set_at, probeInS: null };
  return { forced: false, since: b.opened_at, probeInS: b.half_open_in_s };
}

/**
 * The next probe in words: "in 9m 40s" (as `span` writes seconds), "now", or none while forced open.
 * `elapsedS` counts down from when the breaker was read, for a console that keeps it on screen.
 */
export function nextProbeText(open: OpenBreaker, span: (seconds: number) => string, elapsedS = 0): string {
  if (open.probeInS === null) return 'none while forced open (auto lets them through)';
  // A clock read a moment before the breaker was fetched would count up.
  const left = open.probeInS - Math.max(0, elapsedS);
  return left > 0 ? `in ${span(left)}` : 'now';
}
