import { parseDuration } from './duration.ts';

/**
 * A time in the past as operators type it beside an absolute one: a duration ago (`1h`, as the runbooks'
 * interval '1 hour'), or a bare date (its midnight UTC). The CLI (`--since 1h`, `--before 30d`) and the
 * REST API (`created_after=1h`) read these the same way, and a full time as each reads one.
 */
export type TimeReading =
  | { kind: 'time'; iso: string }
  /** Read, and refused with why: ambiguous (a bare number: seconds or a year; `6M`: months or minutes), a day no calendar has, too far back. */
  | { kind: 'refused'; problem: string }
  /** Neither a time nor one of these forms. */
  | { kind: 'other' };

/** The forms, one example each, for a refusal to name. */
export const PAST_TIME_FORMS = 'an ISO time like 2026-01-31T12:00:00Z, a date like 2026-01-31 (its midnight UTC), or a duration ago like 90s, 10m, 1h, 7d or 1w';

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Why the date a text starts with is on no calendar, or null: Date.parse rolls 2026-02-30 over into
 * 2 March, a day the operator never wrote.
 */
function calendarProblem(text: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12) return `"${text}" is not a date: there is no month ${match[2]}`;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 31);
  return day < 1 || day > days ? `"${text}" is not a date: ${match[1]}-${match[2]} has ${days} days` : null;
}

/** A time as written: a bare date (its midnight UTC) or what Date.parse reads, on the calendar. */
export function readTime(text: string): TimeReading {
  const problem = calendarProblem(text);
  if (problem !== null) return { kind: 'refused', problem };
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  return Number.isNaN(ms) ? { kind: 'other' } : { kind: 'time', iso: new Date(ms).toISOString() };
}

/** A moment of the past: from 1970 on, where every job's time is (a duration of 999999999w reaches past what a date holds). */
function since1970(ms: number, text: string): TimeReading {
  if (!Number.isFinite(ms) || ms < 0) return { kind: 'refused', problem: `"${text}" is too far back: write a time from 1970 on` };
  return { kind: 'time', iso: new Date(ms).toISOString() };
}

/** `full` reads a text of none of the short forms: the CLI takes what Date.parse does, REST an ISO time with its offset. */
export function readPastTime(text: string, now: number, full: (text: string) => TimeReading = readTime): TimeReading {
  // Only a lower-case unit is read: 6M could be months or minutes.
  if (/^\s*\d+\s*$/.test(text) || /^\s*\d+\s*[A-Z]\s*$/.test(text)) {
    return { kind: 'refused', problem: `"${text}" is ambiguous; write a duration with its unit in lower case (90s, 10m, 2h, 7d, 1w) or an ISO time` };
  }
  const seconds = /^\s*\d+\s*[smhdw]\s*$/.test(text) ? parseDuration(text) : null;
  if (seconds !== null) return since1970(now - seconds * 1000, text);
  const read = /^\d{4}-\d{2}-\d{2}$/.test(text) ? readTime(text) : full(text);
  return read.kind === 'time' ? since1970(Date.parse(read.iso), text) : read;
}
