import type { Connection } from './db.ts';
import type { CreatedRange } from './filters.ts';

/**
 * Whether a creation-time range holds few enough jobs to list through the creation-time index (migration
 * 0029). SQLite's planner, given a bound range it cannot see, walks the primary key newest first, which
 * reads every job newer than the range before the first match, and all of them when nothing matches.
 * Counting the range in the index up to SMALL_RANGE entries is cheap either way; a range under that is
 * listed through the index and sorted by id (exact whatever order jobs were created in); a larger one
 * has its matches near the newest end and keeps the walk.
 */
export const SMALL_RANGE = 2_000;

const FAR_PAST = '0000';
const FAR_FUTURE = '9999';

export class CreatedWindow {
  readonly #inRange;

  constructor(connection: Connection) {
    this.#inRange = connection.prepare<{ after: string; before: string; most: number }, { n: number }>(
      `SELECT count(*) AS n FROM (
         SELECT 1 FROM tb_job_run INDEXED BY idx_tb_job_run_created_at
         WHERE created_at >= @after AND created_at < @before LIMIT @most)`,
    );
  }

  isSmall(range: CreatedRange): boolean {
    const n = this.#inRange.get({ after: range.after ?? FAR_PAST, before: range.before ?? FAR_FUTURE, most: SMALL_RANGE })?.n ?? 0;
    return n < SMALL_RANGE;
  }
}
