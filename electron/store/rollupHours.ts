/**
 * Whole hours of the per-minute rollups, summed per execution type (SQLite 0021, PostgreSQL 0034), so a
 * month's `metrics.byType` adds up some 720 rows a type instead of a row per minute, service and queue.
 * The hours before a mark are summed; the minutes stay (the Overview, the alerts and the hours' edges read
 * them). Pure arithmetic here; each dialect does the SQL.
 */

export const HOUR_MS = 3_600_000;

/**
 * Each step sums again the hours just before the mark: a settle whose minute an hour held but whose commit
 * came after that hour was summed (a long transaction, a worker's clock behind the others') is then
 * counted within a round.
 */
export const RESUM_HOURS = 2;

export function hourFloor(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

export function hourCeil(ms: number): number {
  return Math.ceil(ms / HOUR_MS) * HOUR_MS;
}

/** The hours [from, to) one step sums, where the mark goes, and whether that reaches `through`. */
export interface HoursStep {
  from: number;
  to: number;
  mark: number;
  done: boolean;
}

/**
 * One step of summing hours: the whole hours before `through` not summed yet (from the oldest minute kept
 * when nothing is, or when pruning went past the mark), `maxHours` of them at most, and the RESUM_HOURS
 * before the mark again. Times in milliseconds; `mark` and `oldestMinute` null when there is none.
 */
export function hoursStep(opts: { through: number; mark: number | null; oldestMinute: number | null; maxHours: number }): HoursStep {
  const end = hourFloor(opts.through);
  const oldest = opts.oldestMinute === null ? end : hourFloor(opts.oldestMinute);
  const from = Math.min(end, opts.mark === null ? oldest : Math.max(oldest, opts.mark - RESUM_HOURS * HOUR_MS));
  // maxHours past the mark: the hours summed again do not hold it back.
  const to = Math.min(end, Math.max(from, opts.mark ?? from) + Math.max(1, Math.trunc(opts.maxHours)) * HOUR_MS);
  return { from, to, mark: Math.max(opts.mark ?? to, to), done: to >= end };
}

/**
 * How a read from `since` splits: the minutes [since, hoursFrom), the summed hours [hoursFrom, hoursTo),
 * the minutes from hoursTo on. With nothing summed from `since`'s next whole hour on, it is all minutes.
 */
export function readSplit(since: number, mark: number | null): { since: number; hoursFrom: number; hoursTo: number } {
  const hoursFrom = hourCeil(since);
  return { since, hoursFrom, hoursTo: Math.max(hoursFrom, mark ?? hoursFrom) };
}
