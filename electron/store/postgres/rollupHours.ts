import { z } from 'zod';
import { HOUR_MS, hourCeil, hoursStep, minuteFloor } from '../rollupHours.ts';
import type { HoursSummed, TypeRollups } from '../store.ts';
import { rowsOf, type PgDb } from './db.ts';
import { sumCountHours, sumFailureHours } from './hourSums.ts';

/**
 * The rollups' whole hours per execution type (migration 0034), per service and type and the failures'
 * per group (0049): summed
 * by the workers' upkeep in one step, read by `rollupsByType` (and `rollupsByService`) with the minutes on
 * either side. Hours are UTC hours (hourSums.ts).
 */

const Mark = z.object({ through: z.string().nullable() });
const Oldest = z.object({ minute: z.string().nullable() });

const msOf = (iso: string | null) => (iso === null ? null : Date.parse(iso));
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One step of summing whole hours before `through`, in one transaction holding the mark's row: another
 * process's step under way means that one does the work, and this one stops (done).
 */
export async function sumRollupHours(db: PgDb, through: Date, maxHours: number): Promise<HoursSummed> {
  return db.tx(async (client) => {
    await rowsOf(client, `INSERT INTO jobs.tb_rollup_hour_mark (id, through) VALUES (true, NULL) ON CONFLICT (id) DO NOTHING`);
    const [held] = await rowsOf(client, `SELECT through FROM jobs.tb_rollup_hour_mark FOR UPDATE SKIP LOCKED`);
    if (!held) return { hours: 0, done: true };
    const mark = msOf(Mark.parse(held).through);
    const [oldest] = await rowsOf(client, `SELECT min(minute) AS minute FROM jobs.tb_job_rollup`);
    const step = hoursStep({ through: through.getTime(), mark, oldestMinute: msOf(Oldest.parse(oldest ?? { minute: null }).minute), maxHours });
    if (step.from < step.to) {
      await sumCountHours(client, iso(step.from), iso(step.to));
      await sumFailureHours(client, iso(step.from), iso(step.to));
    }
    if (step.mark !== mark) await rowsOf(client, `UPDATE jobs.tb_rollup_hour_mark SET through = $1`, [iso(step.mark)]);
    return { hours: (step.to - step.from) / HOUR_MS, done: step.done };
  });
}

const Clock = z.object({ now: z.string() });

/** The server's time, by which settles date their minutes. */
export async function serverClock(db: PgDb): Promise<Date> {
  return new Date(Clock.parse((await db.read(`SELECT now() AS now`))[0]).now);
}

/** The mark and the window's first whole hour: the ranges every read of the hours splits into (readSplit). */
const WINDOW = `w AS (
     SELECT $1::timestamptz AS since, $2::timestamptz AS hours_from,
       greatest($2::timestamptz, coalesce((SELECT through FROM jobs.tb_rollup_hour_mark), $2::timestamptz)) AS hours_to
   )`;

const windowParams = (since: Date) => {
  const sinceMinute = minuteFloor(since.getTime());
  return [iso(sinceMinute), iso(hourCeil(sinceMinute))];
};

const HourRow = z.object({ bucket: z.number(), completed: z.number(), failed: z.number() });

/**
 * Completed and failed jobs per clock hour (unix seconds at its start) from the minute holding `since` to
 * `end`, every type: the Overview's day, the summed hours read as such and the minutes on either side.
 */
export async function hourlyThroughput(db: PgDb, since: Date, end: Date): Promise<Array<z.infer<typeof HourRow>>> {
  const rows = await db.read(
    `WITH ${WINDOW}
     SELECT bucket, sum(completed) AS completed, sum(failed) AS failed FROM (
       SELECT extract(epoch FROM r.minute)::bigint / 3600 * 3600 AS bucket, r.completed, r.failed FROM jobs.tb_job_rollup r, w
       WHERE r.minute >= w.since AND r.minute < w.hours_from AND r.minute <= $3::timestamptz
       UNION ALL
       SELECT extract(epoch FROM h.hour)::bigint, h.completed, h.failed FROM jobs.tb_job_rollup_hour h, w WHERE h.hour >= w.hours_from AND h.hour < w.hours_to
       UNION ALL
       SELECT extract(epoch FROM r.minute)::bigint / 3600 * 3600, r.completed, r.failed FROM jobs.tb_job_rollup r, w
       WHERE r.minute >= w.hours_to AND r.minute <= $3::timestamptz
     ) x GROUP BY bucket`,
    [...windowParams(since), end.toISOString()],
  );
  return rows.map((row) => HourRow.parse(row));
}

const OutcomesRow = z.object({ execution_type: z.string(), completed: z.number(), failed: z.number(), retried: z.number() });
const LatencyRow = z.object({ execution_type: z.string(), bucket: z.number(), n: z.number() });

/**
 * The rollups' sums and duration buckets per type since the minute holding `since`, in one statement so
 * the mark and both halves read the same snapshot: the minutes up to the window's first whole hour, the
 * summed hours up to the mark (readSplit in rollupHours.ts), the minutes after it, every stripe of each.
 * `bucket` is null on the outcome rows, `completed` on the buckets'.
 */
export async function rollupsByType(db: PgDb, since: Date): Promise<TypeRollups> {
  const rows = await db.read(
    `WITH ${WINDOW},
     o AS (
       SELECT r.execution_type, r.completed, r.failed, r.retried FROM jobs.tb_job_rollup r, w WHERE r.minute >= w.since AND r.minute < w.hours_from
       UNION ALL
       SELECT h.execution_type, h.completed, h.failed, h.retried FROM jobs.tb_job_rollup_hour h, w WHERE h.hour >= w.hours_from AND h.hour < w.hours_to
       UNION ALL
       SELECT r.execution_type, r.completed, r.failed, r.retried FROM jobs.tb_job_rollup r, w WHERE r.minute >= w.hours_to
     ),
     l AS (
       SELECT t.execution_type, t.bucket, t.n FROM jobs.tb_job_latency t, w WHERE t.minute >= w.since AND t.minute < w.hours_from
       UNION ALL
       SELECT h.execution_type, h.bucket, h.n FROM jobs.tb_job_latency_hour h, w WHERE h.hour >= w.hours_from AND h.hour < w.hours_to
       UNION ALL
       SELECT t.execution_type, t.bucket, t.n FROM jobs.tb_job_latency t, w WHERE t.minute >= w.hours_to
     )
     SELECT execution_type, NULL::int AS bucket, sum(completed) AS completed, sum(failed) AS failed, sum(retried) AS retried, NULL::bigint AS n
     FROM o GROUP BY execution_type HAVING sum(completed) + sum(failed) + sum(retried) > 0
     UNION ALL
     SELECT execution_type, bucket, NULL, NULL, NULL, sum(n) FROM l GROUP BY execution_type, bucket
     ORDER BY 1, 2`,
    windowParams(since),
  );
  const out: TypeRollups = { outcomes: [], latency: [] };
  for (const row of rows) {
    if (row.bucket === null) out.outcomes.push(OutcomesRow.parse(row));
    else out.latency.push(LatencyRow.parse(row));
  }
  return out;
}
