import { timeWithOffset } from '../../../../shared/localTime.ts';

/**
 * Times of a schedule as an operator reads them: in the schedule's own zone (where its cron is meant) and
 * in the viewer's, each with its UTC offset, so a fire across a DST change is never ambiguous.
 */

/** `2026-03-29 03:00:00+02:00`: the wall-clock time in `zone` with its offset (`Z` for UTC), as every other time of the console and the CLI. */
export function zonedTime(iso: string, zone: string): string {
  return timeWithOffset(iso, zone);
}

/** The viewer's own zone, as the browser knows it. */
export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
