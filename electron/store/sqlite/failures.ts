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
 * failure, read by the primary key's minute. Each group's sample is its latest failure's.
 */
export class SqliteFailures {
  readonly #db: SqliteDb;
  readonly #groups;

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#groups = db.connection.prepare<[{ since: number; service: string | null; limit: number }], GroupRow>(
      // A bare column beside a lone max() is taken from the row holding that max (SQLite's documented rule):
      // each group's sample is its latest minute's.
      `WITH w AS (
         SELECT * FROM tb_failure_rollup WHERE minute >= @since AND (@service IS NULL OR service_name = @service)
       ),
       counted AS (
         SELECT service_name, error_class, fingerprint, sum(failures) AS failures, sum(dead_lettered) AS dead_lettered,
           min(first_at) AS first_seen
         FROM w GROUP BY service_name, error_class, fingerprint
       ),
       latest AS (
         SELECT service_name, error_class, fingerprint, max(last_at) AS last_seen, sample_error
         FROM w GROUP BY service_name, error_class, fingerprint
       )
       SELECT c.*, l.last_seen, l.sample_error, sum(c.failures) OVER () AS total
       FROM counted c JOIN latest l USING (service_name, error_class, fingerprint)
       ORDER BY c.failures DESC, l.last_seen DESC, c.service_name, c.error_class, c.fingerprint
       LIMIT @limit`,
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
