import { FailureGroup } from '../../../shared/views.ts';
import { minuteFloor, readSplit } from '../rollupHours.ts';
import type { SqliteDb } from './db.ts';

interface GroupRow {
  service_name: string;
  error_class: string;
  fingerprint: string;
  failures: number;
  dead_lettered: number;
  first_seen: string;
  last_seen: string;
  sample_error: string | null;
  total: number;
}

/**
 * Recent failures, summed from the failure rollups (migration 0019), a row per minute and kind of failure,
 * and their whole hours (0035): the minutes up to the window's first whole hour, the summed hours up to
 * the mark, the minutes after it (rollupHours.ts), each a range of its table's key. Each group's sample is
 * its latest failure's: one row per minute and group, and the latest failure is in the latest minute.
 * An hour summed before a prune took that minute (by a version that did not sum it again) gives an empty
 * sample rather than failing the whole read.
 */
export class SqliteFailures {
  readonly #db: SqliteDb;
  readonly #mark;
  readonly #groups;

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#mark = db.connection.prepare<[], { through: number }>(`SELECT through FROM tb_rollup_hour_mark WHERE id = 1`);
    this.#groups = db.connection.prepare<[{ since: number; hoursFrom: number; hoursTo: number; service: string | null; limit: number }], GroupRow>(
      // The groups are counted from the rows' counts and times alone; only the groups shown fetch a sample,
      // their latest minute's (the row with their latest failure), one seek of the primary key each.
      // Carrying every row's sample through the grouping cost most of the read in a burst.
      `WITH w AS (
         SELECT service_name, error_class, fingerprint, failures, dead_lettered, first_at, last_at, minute AS last_minute
         FROM tb_failure_rollup WHERE minute >= @since AND minute < @hoursFrom AND (@service IS NULL OR service_name = @service)
         UNION ALL
         SELECT service_name, error_class, fingerprint, failures, dead_lettered, first_at, last_at, last_minute
         FROM tb_failure_rollup_hour WHERE hour >= @hoursFrom AND hour < @hoursTo AND (@service IS NULL OR service_name = @service)
         UNION ALL
         SELECT service_name, error_class, fingerprint, failures, dead_lettered, first_at, last_at, minute
         FROM tb_failure_rollup WHERE minute >= @hoursTo AND (@service IS NULL OR service_name = @service)
       ),
       counted AS (
         SELECT service_name, error_class, fingerprint, sum(failures) AS failures, sum(dead_lettered) AS dead_lettered,
           min(first_at) AS first_seen, max(last_at) AS last_seen, max(last_minute) AS last_minute
         FROM w GROUP BY service_name, error_class, fingerprint
       ),
       shown AS (
         SELECT *, sum(failures) OVER () AS total FROM counted
         ORDER BY failures DESC, last_seen DESC, service_name, error_class, fingerprint
         LIMIT @limit
       )
       SELECT s.*, (
           SELECT r.sample_error FROM tb_failure_rollup r
           WHERE r.minute = s.last_minute AND r.service_name = s.service_name AND r.error_class = s.error_class AND r.fingerprint = s.fingerprint
         ) AS sample_error
       FROM shown s
       ORDER BY s.failures DESC, s.last_seen DESC, s.service_name, s.error_class, s.fingerprint`,
    );
  }

  recent(since: Date, service: string | null, limit: number): { groups: FailureGroup[]; total: number } {
    // One read transaction: the mark and the ranges it splits agree.
    const rows = this.#db.guard(() =>
      this.#db.connection.transaction(() => {
        const marked = this.#mark.get()?.through;
        const split = readSplit(minuteFloor(since.getTime()), marked === undefined ? null : marked * 1000);
        const window = { since: split.since / 1000, hoursFrom: split.hoursFrom / 1000, hoursTo: split.hoursTo / 1000 };
        return this.#groups.all({ ...window, service, limit: Math.max(1, Math.trunc(limit)) });
      })(),
    );
    const groups = rows.map((row) => FailureGroup.parse(row));
    return { groups, total: rows[0]?.total ?? 0 };
  }
}
