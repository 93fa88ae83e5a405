/**
 * Whole hours of the per-minute rollups, summed per execution type (SQLite 0021, PostgreSQL 0034), so a
 * month's `metrics.byType` adds up some 720 rows a type instead of a row per minute, service and queue.
 * The hours before a mark are summed; the minutes stay (the Overview, the alerts and the hours' edges read
 * them). Pure arithmetic here; each dialect does the SQL.
 */

export const HOUR_MS = 3_600_000;

/**
 * A step that sums new hours sums the hours just before the mark again: a settle whose minute an hour held
 * but whose commit came after that hour was summed (a transaction minutes long) is counted by the next
 * hour's step. A round with no new hour writes nothing, so the workers' rounds cost a read once caught up.
 */
export const RESUM_HOURS = 2;

/** The start of the minute holding `ms`: the rollups count by the minute. */
export function minuteFloor(ms: number): number {
  return Math.floor(ms / 60_000) * 60_000;
}

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
 * before the mark again; nothing at all when no hour is new. Times in milliseconds; `mark` and
 * `oldestMinute` null when there is none.
 */
export function hoursStep(opts: { through: number; mark: number | null; oldestMinute: number | null; maxHours: number }): HoursStep {
  const end = hourFloor(opts.through);
  if (opts.mark !== null && opts.mark >= end) return { from: end, to: end, mark: opts.mark, done: true };
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

/**
 * Where one call of a prune stops removing a family of minute tables (those one summed hour is made of):
 * at `cut`, or short of it where a table holds more than a call's rows before it (`bounds`, each table's
 * minute a call's rows in, null when fewer are left); a minute holding more than that goes whole. Short of
 * the cut it stops on an hour's start where that still removes something, so the calls of a backlog leave
 * no hour part pruned and none has to be summed again. `oldest` is the oldest minute before the cut of any
 * table of the family; null, or nothing before the cut: nothing to remove (null). Milliseconds.
 */
export function pruneStop(cut: number, oldest: number | null, bounds: ReadonlyArray<number | null>): number | null {
  if (oldest === null || oldest >= cut) return null;
  const bound = Math.min(cut, ...bounds.filter((b) => b !== null));
  const stop = bound > oldest ? bound : Math.min(cut, minuteFloor(oldest) + 60_000);
  const hour = hourFloor(stop);
  return hour > oldest ? hour : stop;
}

/**
 * The hour a prune of the minutes before `cut` must sum again: the summed hour holding the cut, which lost its
 * minutes before it. None when the cut is on the hour (that hour holds only minutes kept) or the hour is
 * not summed yet (the summing step will sum it from what is left). Milliseconds; null for none.
 */
export function hourCutInto(cut: number, mark: number | null): number | null {
  const hour = hourFloor(cut);
  return mark !== null && hour < cut && hour < mark ? hour : null;
}
