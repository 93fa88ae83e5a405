import { z } from 'zod';
import { hourCeil, minuteFloor } from '../rollupHours.ts';
import type { ServiceRollups } from '../store.ts';
import type { PgDb } from './db.ts';

const OutcomesRow = z.object({ execution_type: z.string(), service_name: z.string(), completed: z.number(), failed: z.number(), retried: z.number() });
const LatencyRow = z.object({ execution_type: z.string(), service_name: z.string(), bucket: z.number(), n: z.number() });

/**
 * Both sums in one statement, so the mark and both read the same snapshot, as `rollupsByType` reads them:
 * the minutes up to the window's first whole hour, the hours summed per service up to the mark (0049), the
 * minutes after it, every stripe of each. `%SERVICE%` narrows each range to one service or not; `bucket` is
 * null on the outcome rows.
 */
const STATEMENT = `WITH w AS (
    SELECT $1::timestamptz AS since, $2::timestamptz AS hours_from,
      greatest($2::timestamptz, coalesce((SELECT through FROM jobs.tb_rollup_hour_mark), $2::timestamptz)) AS hours_to
  ),
  o AS (
    SELECT r.execution_type, r.service_name, r.completed, r.failed, r.retried FROM jobs.tb_job_rollup r, w WHERE %SERVICE% AND r.minute >= w.since AND r.minute < w.hours_from
    UNION ALL
    SELECT h.execution_type, h.service_name, h.completed, h.failed, h.retried FROM jobs.tb_job_rollup_service_hour h, w WHERE %SERVICE% AND h.hour >= w.hours_from AND h.hour < w.hours_to
    UNION ALL
    SELECT r.execution_type, r.service_name, r.completed, r.failed, r.retried FROM jobs.tb_job_rollup r, w WHERE %SERVICE% AND r.minute >= w.hours_to
  ),
  l AS (
    SELECT t.execution_type, t.service_name, t.bucket, t.n FROM jobs.tb_job_latency t, w WHERE %SERVICE% AND t.minute >= w.since AND t.minute < w.hours_from
    UNION ALL
    SELECT h.execution_type, h.service_name, h.bucket, h.n FROM jobs.tb_job_latency_service_hour h, w WHERE %SERVICE% AND h.hour >= w.hours_from AND h.hour < w.hours_to
    UNION ALL
    SELECT t.execution_type, t.service_name, t.bucket, t.n FROM jobs.tb_job_latency t, w WHERE %SERVICE% AND t.minute >= w.hours_to
  )
  SELECT execution_type, service_name, NULL::int AS bucket, sum(completed) AS completed, sum(failed) AS failed, sum(retried) AS retried, NULL::bigint AS n
  FROM o GROUP BY execution_type, service_name HAVING sum(completed) + sum(failed) + sum(retried) > 0
  UNION ALL
  SELECT execution_type, service_name, bucket, NULL, NULL, NULL, sum(n) FROM l GROUP BY execution_type, service_name, bucket`;

// One service's minutes and hours through their indexes by service (0045, 0049); every service's through
// the minute and the hour, their keys' first columns.
const ONE = STATEMENT.replaceAll('%SERVICE%', 'service_name = $3');
const EVERY = STATEMENT.replaceAll('%SERVICE%', 'true');

/**
 * The rollups per type and service since the minute holding `since`, for figures per service: the summed
 * hours per service and the minutes on either side, of one service when it is named.
 */
export async function rollupsByService(db: PgDb, since: Date, service: string | null): Promise<ServiceRollups> {
  const sinceMinute = minuteFloor(since.getTime());
  const window = [new Date(sinceMinute).toISOString(), new Date(hourCeil(sinceMinute)).toISOString()];
  const rows = service === null ? await db.read(EVERY, window) : await db.read(ONE, [...window, service]);
  const out: ServiceRollups = { outcomes: [], latency: [] };
  for (const row of rows) {
    if (row.bucket === null) out.outcomes.push(OutcomesRow.parse(row));
    else out.latency.push(LatencyRow.parse(row));
  }
  return out;
}
