import type { Job } from '../../../shared/domain.ts';
import { clampLimit, decodeCreatedCursor, encodeCreatedCursor } from '../cursor.ts';
import type { Page, PageRequest } from '../store.ts';
import type { PgDb } from './db.ts';
import { JOB_COLUMNS, toJob } from './rows.ts';

/** A creation time as the text of its exact microsecond, which reads back as the same timestamptz. */
const CREATED_KEY = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * A listing with a creation-time range, newest created first by (created_at, id) below the cursor's
 * position: a backward walk of the index on (created_at, id) (migration 0043) from the range's newer end,
 * so a range long past costs what a recent one does (newest id first, it had read every newer job before
 * the first match). The cursor carries the creation time to the microsecond, so the next page starts
 * exactly after the last job of this one.
 */
export async function pageByCreation(db: PgDb, where: string, params: unknown[], page: PageRequest): Promise<Page<Job>> {
  const limit = clampLimit(page.limit);
  const from = decodeCreatedCursor(page.after);
  const n = params.length;
  const below = from === null ? '' : `AND (created_at, id) < ($${n + 2}::timestamptz, $${n + 3}::bigint)`;
  const rows = await db.read(
    `SELECT ${JOB_COLUMNS}, ${CREATED_KEY} AS created_key FROM jobs.tb_job_run
     WHERE ${where} ${below}
     ORDER BY created_at DESC, id DESC LIMIT $${n + 1}`,
    [...params, limit + 1, ...(from === null ? [] : [from.created_at, from.id])],
  );
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  const key = last?.['created_key'];
  return {
    items: rows.slice(0, limit).map(toJob),
    next_cursor: last && typeof key === 'string' ? encodeCreatedCursor(key, Number(last['id'])) : null,
  };
}
