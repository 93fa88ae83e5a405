import type { JobFilter } from '../../../shared/domain.ts';
import type { PgDb, Row } from './db.ts';
import { JOB_COLUMNS } from './rows.ts';

/**
 * A searched listing of failed jobs (the Jobs page's search with only "failed" ticked, or only open dead
 * letters), newest first below a cursor.
 *
 * The trigram index finds every job whose error matches, in no order, and the planner, taking the text and
 * the status as independent, reckons a handful of failed matches where a common phrase has thousands: it
 * fetched each (at a million jobs, 45 to 70 ms for a deep page of "timeout"). Every failed job has a
 * fingerprint (constraint tb_job_run_failed_has_fingerprint), so a page of failures lies among the jobs of
 * the errored index (migration 0009), and walking that index newest first finds a page of a common phrase
 * within a few hundred rows. The walk is bounded: a phrase too rare to fill the page within WALK_ROWS errored
 * jobs is looked up below where the walk stopped by the listing's own plan (the trigram index), whose matches
 * are then few.
 */
export const WALK_ROWS = 2_000;

export function searchesFailuresOnly(filter: JobFilter): boolean {
  if (filter.search === undefined || filter.search === '' || filter.error_class !== undefined) return false;
  return filter.unresolved === true || (filter.status !== undefined && filter.status.length > 0 && filter.status.every((s) => s === 'failed'));
}

/** What the walk found, and where it stopped: jobs below `below` are not walked; null when none is left to look at. */
export interface Walked {
  rows: Row[];
  below: number | null;
}

/**
 * Up to `want` jobs matching `where` among the WALK_ROWS newest errored jobs below `after`, and where the
 * walk stopped when they did not fill the page. Where it stops is read first and the walk bounded by it, so
 * the walk and the listing below it split the ids at one number: read as two statements, a job failing for
 * the first time or pruned in between would have moved the walk's end, and a job been listed twice or not
 * at all. `OFFSET 0` keeps the walk a walk: without it the planner folds the filter into the bounded range
 * and fetches every match of the text from the trigram index.
 */
export async function walkErrored(db: PgDb, where: string, params: unknown[], after: number | null, want: number): Promise<Walked> {
  const stop = await db.read(
    `SELECT id FROM jobs.tb_job_run WHERE error_fingerprint IS NOT NULL AND ($1::bigint IS NULL OR id < $1::bigint)
     ORDER BY id DESC OFFSET $2 LIMIT 1`,
    [after, WALK_ROWS - 1],
  );
  const oldest = stop[0]?.['id'];
  const floor = oldest === undefined ? null : Number(oldest);
  const n = params.length;
  const rows = await db.read(
    `SELECT ${JOB_COLUMNS} FROM (
       SELECT ${JOB_COLUMNS} FROM jobs.tb_job_run
       WHERE error_fingerprint IS NOT NULL AND ($${n + 1}::bigint IS NULL OR id < $${n + 1}::bigint) AND ($${n + 3}::bigint IS NULL OR id >= $${n + 3}::bigint)
       ORDER BY id DESC OFFSET 0
     ) walked
     WHERE ${where}
     ORDER BY id DESC LIMIT $${n + 2}`,
    [...params, after, want, floor],
  );
  return { rows, below: rows.length >= want ? null : floor };
}
