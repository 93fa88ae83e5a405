import type { BreakerEvent } from './breakerMachine.ts';

/**
 * The most outcomes one service's breaker keeps while they cannot be written (the store does not answer):
 * a long outage costs bounded memory. Past it the oldest are folded (foldOldest).
 */
export const KEPT_MOST = 1000;

/**
 * Outcomes past `most` with the oldest folded: all but the newest half become at most two, every success
 * among them one counted success at the last of their instants, every failure one counted failure at the
 * last of theirs with its error. Each still counts toward its breaker, in the window of that instant rather
 * than its own. Ended probes among them are dropped: a probe whose end was not written times out instead.
 */
export function foldOldest(events: BreakerEvent[], most = KEPT_MOST): { events: BreakerEvent[]; folded: number } {
  if (events.length <= most) return { events, folded: 0 };
  const kept = Math.floor(most / 2);
  const old = events.slice(0, events.length - kept);
  let successes = 0;
  let failures = 0;
  let lastSuccess = new Date(0);
  let lastFailure = new Date(0);
  let error: string | undefined;
  for (const event of old) {
    if (event.type === 'success') {
      successes += event.count ?? 1;
      lastSuccess = event.at;
    } else if (event.type === 'failure') {
      failures += event.count ?? 1;
      lastFailure = event.at;
      error = event.error ?? error;
    }
  }
  const folded: BreakerEvent[] = [];
  if (successes > 0) folded.push({ type: 'success', at: lastSuccess, count: successes });
  if (failures > 0) folded.push({ type: 'failure', at: lastFailure, count: failures, ...(error === undefined ? {} : { error }) });
  folded.sort((a, b) => a.at.getTime() - b.at.getTime());
  return { events: [...folded, ...events.slice(events.length - kept)], folded: old.length };
}
