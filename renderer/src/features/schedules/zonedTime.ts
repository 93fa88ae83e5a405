import { timeWithOffset } from '../../../../shared/localTime.ts';
import type { TimesIn } from '../../lib/preferences.ts';

/**
 * Times of a schedule as an operator reads them: in the schedule's own zone (where its cron is meant) and
 * in the viewer's, each with its UTC offset, so a fire across a DST change is never ambiguous.
 */

/** `2026-03-29 03:00:00+02:00`: the wall-clock time in `zone` with its offset (`Z` for UTC), as every other time of the console and the CLI. */
export function zonedTime(iso: string, zone: string): string {
  return timeWithOffset(iso, zone);
}

/** The browser's own zone: where the operator's wall clock is, and so a new schedule's first guess. */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * The zone the viewer reads the console's times in: UTC when chosen in Settings, else the browser's. A
 * schedule's own zone is never replaced by it: that zone is what the cron means (02:30 on the spring-forward
 * night in Berlin is not an hour UTC has), so it always comes first and the viewer's reading sits beside it.
 */
export function viewerZone(timesIn: TimesIn): string {
  return timesIn === 'utc' ? 'UTC' : browserZone();
}
