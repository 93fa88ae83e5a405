import type { Job } from '../../../shared/domain.ts';
import { clampLimit, decodeFailedCursor, encodeFailedCursor } from '../cursor.ts';
import type { Page, PageRequest } from '../store.ts';
import type { PgDb } from './db.ts';
import { JOB_COLUMNS, toJob } from './rows.ts';

/** A failure time as the text of its exact microsecond, which reads back as the same timestamptz. */
const FAILED_KEY = `to_char(d.failed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * One dead-letter group's open dead letters, newest failure first by (failure time, id) below the cursor's
 * position: a backward walk of the group's entries in the open dead letters' index of failure times
 * (migration 0025), then each of the page's jobs by its id. The cursor carries the failure time to the
 * microsecond, so the next page starts exactly after the last job of this one.
 */
export const FAILED_PAGE_SQL = `SELECT j.*, ${FAILED_KEY} AS failed_key
  FROM (
    SELECT d.job_id, d.failed_at FROM jobs.tb_open_dead_letter d
    WHERE d.error_fingerprint = $1 AND d.failed_at <= $3::timestamptz AND (d.failed_at < $3::timestamptz OR d.job_id < $4::bigint)
    ORDER BY d.failed_at DESC, d.job_id DESC
    LIMIT $2
  ) d
  CROSS JOIN LATERAL (SELECT ${JOB_COLUMNS} FROM jobs.tb_job_run WHERE id = d.job_id AND status = 'failed' AND resolved_at IS NULL) j
  ORDER BY d.failed_at DESC, d.job_id DESC`;

/** Past every failure time and id: the first page starts below it. */
const NO_POSITION = { failed_at: 'infinity', id: Number.MAX_SAFE_INTEGER };

export async function pageByFailure(db: PgDb, fingerprint: string, page: PageRequest): Promise<Page<Job>> {
  const limit = clampLimit(page.limit);
  const from = decodeFailedCursor(page.after) ?? NO_POSITION;
  const rows = await db.read(FAILED_PAGE_SQL, [fingerprint, limit + 1, from.failed_at, from.id]);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  const key = last?.['failed_key'];
  return {
    items: rows.slice(0, limit).map(toJob),
    next_cursor: last && typeof key === 'string' ? encodeFailedCursor(key, Number(last['id'])) : null,
  };
}
