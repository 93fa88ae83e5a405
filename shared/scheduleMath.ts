import { Cron } from 'croner';
import { cronRefusal } from './cronWords.ts';

/**
 * The arithmetic of schedules, pure so it is tested without a store or a clock: when a cron expression
 * fires in its time zone, which due fires a tick enqueues and which it records skipped, and the key that
 * makes each fire one job however many workers race for it. Cron parsing is croner's, not ours.
 *
 * The daylight-saving rule (croner's, for fixed-time expressions: seconds, minutes and hours without `*`
 * or a step, e.g. `30 2 * * *` or `0 2,14 * * *`):
 * - a wall-clock time that does not exist (spring forward) fires once, when the clock has jumped, on the
 *   same day: a daily 02:30 fires at 03:00;
 * - a wall-clock time that happens twice (fall back) fires once, at its first occurrence.
 * Interval expressions (`*\/15 * * * *`, `0 * * * *`) follow elapsed time instead: they skip times in the
 * gap and fire on both passes of a repeated hour, so an hourly job still runs once an hour.
 */

/** A fire older than this when a tick sees it was missed (the workers were down): it follows the policy. */
export const MISSED_AFTER_MS = 60_000;

/** Fires are counted at most this far when recording a long downtime's skipped fires. */
const COUNT_LIMIT = 10_000;

export interface CronSpec {
  cron: string;
  timezone: string;
}

function cronOf(spec: CronSpec): Cron {
  return new Cron(spec.cron, {
    timezone: spec.timezone,
    paused: true,
    mode: '5-or-6-parts',
    // Lists and ranges of fixed times (`30 2,14 * * *`) keep to the wall clock across DST too.
    fixedTimeRule: 'no-wildcard',
    // Day of month and day of week: either matches, as in Vixie cron.
    domAndDow: false,
  });
}

/**
 * Why a cron expression is refused, or null when croner accepts it (5 or 6 fields, @daily and friends).
 * croner decides; the words are ours (cronWords.ts), croner's own only for what those do not explain.
 */
export function cronProblem(text: string): string | null {
  try {
    const cron = cronOf({ cron: text, timezone: 'UTC' });
    if (cron.nextRun(new Date(0)) === null) return `cron '${text}' never fires: no date has every field it names`;
    return null;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return cronRefusal(text) ?? `cron '${text}' is not valid: ${message.replace(/^CronPattern:\s*/, '')}`;
  }
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The first fire strictly after `after`, or null when the expression never fires again. */
export function nextFire(spec: CronSpec, after: Date): Date | null {
  return cronOf(spec).nextRun(after);
}

/** The next `n` fires strictly after `after`. */
export function nextFires(spec: CronSpec, after: Date, n: number): Date[] {
  return cronOf(spec).nextRuns(n, after);
}

/** The job identifier of a cron fire: one schedule, one instant, one job, across every worker. */
export function fireKey(schedule: string, fireAt: Date): string {
  return `schedule:${schedule}:${fireAt.toISOString()}`;
}

/** The job identifier of an operator's run-now, kept apart from the cron fires. */
export function runNowKey(schedule: string, at: Date): string {
  return `schedule:${schedule}:run-now:${at.toISOString()}`;
}

export interface MissedSpec extends CronSpec {
  missed: 'skip' | 'run_once' | 'catch_up';
  max_catch_up: number;
}

export interface DuePlan {
  /** Fires to enqueue now, oldest first. */
  fire: Date[];
  /** Missed fires the policy does not run: how many (at least), and the latest of them. */
  skipped: { count: number; last: Date } | null;
  /** The first fire after `now`: the schedule's next cursor (null: it never fires again). */
  next: Date | null;
}

/**
 * What a tick at `now` does for a schedule whose next unhandled fire is `cursor`. Fires within
 * MISSED_AFTER_MS of now are on time and all fire. Older ones were missed and follow the policy:
 * `skip` records them skipped, `run_once` fires the latest one, `catch_up` fires the latest
 * `max_catch_up`; whatever is not fired is recorded skipped.
 */
export function planDue(spec: MissedSpec, cursor: Date, now: Date): DuePlan {
  const cron = cronOf(spec);
  const missedBefore = now.getTime() - MISSED_AFTER_MS;
  const runs = spec.missed === 'skip' ? 0 : spec.missed === 'run_once' ? 1 : Math.max(1, spec.max_catch_up);
  const onTime: Date[] = [];
  // The latest missed fires, one more than the policy runs: the one before those run is the latest skipped.
  let late: Date[] = [];
  let lateCount = 0;
  let t: Date | null = cursor;
  while (t !== null && t.getTime() <= now.getTime()) {
    if (t.getTime() >= missedBefore) {
      onTime.push(t);
    } else if (lateCount >= COUNT_LIMIT) {
      // A very long downtime: count no further; what the policy runs are the last fires before the window.
      const tail = cron.previousRuns(runs + 1, new Date(missedBefore)).reverse();
      lateCount += tail.filter((d) => d.getTime() > (t?.getTime() ?? 0)).length;
      late = tail;
      t = tail[tail.length - 1] ?? t;
    } else {
      lateCount++;
      late.push(t);
      if (late.length > runs + 1) late.shift();
    }
    t = cron.nextRun(t);
  }
  const runLate = runs === 0 ? [] : late.slice(-Math.min(runs, lateCount));
  const skippedCount = lateCount - runLate.length;
  const lastSkipped = late[late.length - runLate.length - 1];
  return {
    fire: [...runLate, ...onTime],
    skipped: skippedCount > 0 && lastSkipped ? { count: skippedCount, last: lastSkipped } : null,
    next: t,
  };
}
