import { countText } from '../../../shared/countText.ts';
import { durationText, secondsText } from '../../../shared/durationText.ts';
import { timeWithOffset } from '../../../shared/localTime.ts';
import type { TimesIn } from './preferences.ts';

export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : countText(value);
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: 3 });

/**
 * A count where space is short (a badge beside a link): exact up to 9,999, then three significant digits,
 * 33.5K or 1.23M. A cap such as "999+" would read 33,495 as about a thousand.
 */
export function formatCompactCount(value: number): string {
  return value < 10_000 ? countText(value) : compact.format(value);
}

export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined) return '—';
  return `${(ratio * 100).toFixed(ratio < 0.1 ? 1 : 0)}%`;
}

/** 42s, 7m 3s, 5h 12m, 3d 4h; unknown is a dash. */
export function formatSeconds(seconds: number | null | undefined): string {
  return seconds === null || seconds === undefined || !Number.isFinite(seconds) ? '—' : secondsText(seconds);
}

/** A duration as the whole console writes one (840 ms, 4.50 s, 12.3 s, 2m 5s); unknown is a dash. */
export function formatMs(ms: number | null | undefined): string {
  return durationText(ms ?? null, '—');
}

/** 512 B, 3.4 KiB, 12.0 MiB, 1.25 GiB; unknown is a dash. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

export function ageSeconds(iso: string | null | undefined, now: number): number | null {
  if (!iso) return null;
  return (now - Date.parse(iso)) / 1000;
}

export function formatAgo(iso: string | null | undefined, now: number): string {
  const age = ageSeconds(iso, now);
  if (age === null) return '—';
  // Clocks of two machines differ by a little: a moment "in 0s" is a moment ago.
  if (age <= -1) return `in ${formatSeconds(-age)}`;
  return `${formatSeconds(Math.max(0, age))} ago`;
}

/** The zone `timeWithOffset` is asked for: UTC by name, or none for the browser's own. */
function zoneOf(timesIn: TimesIn): string | undefined {
  return timesIn === 'utc' ? 'UTC' : undefined;
}

/**
 * A moment in the zone the operator chose, as 2026-12-06 13:28:48+01:00 (the browser's zone) or
 * 2026-12-06 12:28:48Z (UTC), whatever the browser's locale, and as the CLI writes it (with or without
 * `--utc`): 12/06/2026 reads as June or December depending on who reads it, a time without its zone as
 * anyone's, and an incident's timeline is read by several people, from the console and the terminal. Every
 * time the console shows goes through here (the header's "updated" too), so no two are written apart.
 */
export function formatTime(iso: string | null | undefined, timesIn: TimesIn): string {
  return iso ? timeWithOffset(iso, zoneOf(timesIn)) : '—';
}

/** 13:28, a chart's tick: the clock of `formatTime`'s time, in the same zone, so a tick and its tooltip agree. */
export function formatClock(iso: string, timesIn: TimesIn): string {
  const time = timeWithOffset(iso, zoneOf(timesIn));
  return time === iso ? iso : time.slice(11, 16);
}

/** The same moment in UTC, for the hover of a local time: 2026-12-04 22:10:05 UTC. */
export function formatUtc(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A time's hover: the other zone than the one shown, so either reading is a hover away. */
export function formatOtherZone(iso: string, timesIn: TimesIn): string {
  return timesIn === 'utc' ? timeWithOffset(iso) : formatUtc(iso);
}

/**
 * The zone the console shows times in: UTC, or the browser's with its offset now: Europe/Berlin (UTC+01:00).
 * A zone that is its offset says it once: UTC itself (Intl names its aliases, Etc/UTC among them, `UTC`),
 * and a zone Intl names by its offset alone (`+00:00` for TZ=GMT): "UTC (UTC+00:00)" reads as two zones.
 * London keeps its offset, which moves.
 */
export function displayZone(timesIn: TimesIn, now = new Date()): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (timesIn === 'utc' || zone === 'UTC') return 'UTC';
  const minutes = -now.getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  if (/^[+-]\d\d:\d\d$/.test(zone)) return minutes === 0 ? 'UTC' : `UTC${offset}`;
  return `${zone} (UTC${offset})`;
}

/**
 * What hovering a time shows, for a table's note: `your local time` under UTC, `UTC` under local time; none
 * when the browser's own zone is UTC, where the hover is the moment shown again.
 */
export function hoverShows(timesIn: TimesIn, now = new Date()): string | null {
  if (displayZone('local', now) === 'UTC') return null;
  return timesIn === 'utc' ? 'your local time' : 'UTC';
}
