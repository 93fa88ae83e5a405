import { useMemo } from 'react';
import { withTimes } from '../../../shared/timesInText.ts';
import { displayZone, formatClock, formatOtherZone, formatTime, hoverShows } from './format.ts';
import type { TimesIn } from './preferences.ts';
import { useUi } from './uiState.ts';

/** The console's time formatters, bound to the zone the operator chose. */
export interface Times {
  timesIn: TimesIn;
  /** `2026-12-06 13:28:48+01:00` or `2026-12-06 12:28:48Z`; a dash for no time. Also `withTimes`'s formatter. */
  time(iso: string | null | undefined): string;
  /** Text the store kept (a job's error) with each ISO time in it written as `time` writes it, as the CLI does. */
  inText(text: string): string;
  /** A chart tick's `13:28`. */
  clock(iso: string): string;
  /** The hover of a time: the same moment in the other zone. */
  other(iso: string): string;
  /** `UTC`, or `Europe/Berlin (UTC+01:00)`. */
  zone(): string;
  /** What a time's hover shows (`UTC`, `your local time`), or null when it is the moment shown again. */
  hoverShows(): string | null;
}

/**
 * Every component that writes a time takes its formatters from here, so a change on the Settings page
 * re-renders each of them at once (each subscribes to the choice), memoised rows and charts included.
 */
export function useTimes(): Times {
  const timesIn = useUi((s) => s.timesIn);
  return useMemo(
    () => ({
      timesIn,
      time: (iso) => formatTime(iso, timesIn),
      inText: (text) => withTimes(text, (iso) => formatTime(iso, timesIn)),
      clock: (iso) => formatClock(iso, timesIn),
      other: (iso) => formatOtherZone(iso, timesIn),
      zone: () => displayZone(timesIn),
      hoverShows: () => hoverShows(timesIn),
    }),
    [timesIn],
  );
}
