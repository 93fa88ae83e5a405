import { FailureGroup } from '../../../shared/views.ts';
import type { SqliteDb } from './db.ts';

interface GroupRow {
  service_name: string;
  error_class: string;
  fingerprint: string;
  failures: number;
  dead_lettered: number;
  first_seen: string;
  last_seen: string;
  sample_error: string;
  total: number;
}

/**
 * Recent failures, summed from the failure rollups (migration 0019): a row per minute and kind of
 * failure, read by the primary key's minute. Each group's sample is its latest failure's: one row per
 * minute and group, and the latest failure is in the latest minute.
 */
export class SqliteFailures {
  readonly #db: SqliteDb;
  readonly #groups;

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#groups = db.connection.prepare<[{ since: number; service: string | null; limit: number }], GroupRow>(
      // The groups are counted from the rows' counts and times alone; only the groups shown fetch a sample,
      // their latest minute's (the row with their latest failure), one seek of the primary key each.
      // Carrying every row's sample through the grouping cost most of the read in a burst.
      `WITH counted AS (
         SELECT service_name, error_class, fingerprint, sum(failures) AS failures, sum(dead_lettered) AS dead_lettered,
           min(first_at) AS first_seen, max(last_at) AS last_seen, max(minute) AS last_minute
         FROM tb_failure_rollup WHERE minute >= @since AND (@service IS NULL OR service_name = @service)
         GROUP BY service_name, error_class, fingerprint
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
    const rows = this.#db.guard(() =>
      this.#groups.all({ since: Math.floor(since.getTime() / 1000), service, limit: Math.max(1, Math.trunc(limit)) }),
    );
    const groups = rows.map((row) => FailureGroup.parse(row));
    return { groups, total: rows[0]?.total ?? 0 };
  }
}
