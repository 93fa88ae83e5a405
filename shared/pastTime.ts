import { parseDuration } from './duration.ts';

/**
 * A time in the past as operators type it beside an absolute one: a duration ago (`1h`, as the runbooks'
 * interval '1 hour'), or a bare date (its midnight UTC). The CLI (`--since 1h`, `--before 30d`) and the
 * REST API (`created_after=1h`) read these the same way; each reads a full ISO time as it always has.
 */
export type PastTimeReading =
  | { kind: 'time'; iso: string }
  /** Read either way it could be (a bare number: seconds or a year; `6M`: months or minutes): refused, with why. */
  | { kind: 'ambiguous'; problem: string }
  /** Neither: the caller reads it as an ISO time. */
  | { kind: 'other' };

/** The forms, one example each, for a refusal to name. */
export const PAST_TIME_FORMS = 'an ISO time like 2026-01-31T12:00:00Z, a date like 2026-01-31 (its midnight UTC), or a duration ago like 90s, 10m, 1h, 7d or 1w';

export function readPastTime(text: string, now: number): PastTimeReading {
  // Only a lower-case unit is read: 6M could be months or minutes.
  if (/^\s*\d+\s*$/.test(text) || /^\s*\d+\s*[A-Z]\s*$/.test(text)) {
    return { kind: 'ambiguous', problem: `"${text}" is ambiguous; write a duration with its unit in lower case (90s, 10m, 2h, 7d, 1w) or an ISO time` };
  }
  const seconds = /^\s*\d+\s*[smhdw]\s*$/.test(text) ? parseDuration(text) : null;
  if (seconds !== null) return { kind: 'time', iso: new Date(now - seconds * 1000).toISOString() };
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const ms = Date.parse(`${text}T00:00:00Z`);
    if (!Number.isNaN(ms)) return { kind: 'time', iso: new Date(ms).toISOString() };
  }
  return { kind: 'other' };
}
