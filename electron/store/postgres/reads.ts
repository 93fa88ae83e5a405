import { z } from 'zod';
import type { Attempt, DlqGroup, DlqSelector, Job, JobFilter, LatencyByType, QueueCount, ThroughputBucket } from '../../../shared/domain.ts';
import { DlqGroup as DlqGroupSchema, EXECUTION_TYPES, LatencyByType as LatencySchema } from '../../../shared/domain.ts';
import { fillBuckets } from '../buckets.ts';
import { clampLimit, decodeCursor, encodeCursor } from '../cursor.ts';
import type { PgDb } from './db.ts';
import { dlqParams, dlqWhereSql, jobFilterParams, jobFilterSql } from './filters.ts';
import { ATTEMPT_COLUMNS, JOB_COLUMNS, QueueCountRow, countOf, idsOf, toAttempt, toJob } from './rows.ts';
import type { Page, PageRequest } from '../store.ts';

/** Reads for the console and the engine's few reads outside the hot path. */

export async function getJob(db: PgDb, idOrIdentifier: number | string): Promise<Job | null> {
  const rows =
    typeof idOrIdentifier === 'number'
      ? Number.isSafeInteger(idOrIdentifier)
        ? await db.query(`SELECT ${JOB_COLUMNS} FROM jobs.tb_job_run WHERE id = $1`, [idOrIdentifier])
        : []
      : await db.query(`SELECT ${JOB_COLUMNS} FROM jobs.tb_job_run WHERE identifier = $1`, [idOrIdentifier]);
  return rows[0] ? toJob(rows[0]) : null;
}

/**
 * Finished attempts are rows of their own; the one in progress is the job row (see
 * migrations/postgres/0004_lean_hot_path.sql), shown here as an attempt like the others.
 */
const ATTEMPTS_SQL = `
SELECT ${ATTEMPT_COLUMNS} FROM jobs.tb_job_attempt WHERE job_id = $1
UNION ALL
SELECT attempt_id, id, attempts, lease_owner, started_at, NULL, 'running', NULL, NULL, NULL, NULL
FROM jobs.tb_job_run WHERE id = $1 AND attempt_id IS NOT NULL
ORDER BY id`;

export async function listAttempts(db: PgDb, jobId: number): Promise<Attempt[]> {
  if (!Number.isSafeInteger(jobId)) return [];
  const rows = await db.query(ATTEMPTS_SQL, [jobId]);
  return rows.map(toAttempt);
}

async function pageOfJobs(db: PgDb, where: string, params: unknown[], page: PageRequest): Promise<Page<Job>> {
  const limit = clampLimit(page.limit);
  const after = decodeCursor(page.after);
  const n = params.length;
  const rows = await db.query(
    `SELECT ${JOB_COLUMNS} FROM jobs.tb_job_run
     WHERE ${where} AND ($${n + 1}::bigint IS NULL OR id < $${n + 1}::bigint)
     ORDER BY id DESC LIMIT $${n + 2}`,
    [...params, after, limit + 1],
  );
  const items = rows.slice(0, limit).map(toJob);
  const last = items.at(-1);
  return { items, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}

export function listJobs(db: PgDb, filter: JobFilter, page: PageRequest): Promise<Page<Job>> {
  return pageOfJobs(db, jobFilterSql(0), jobFilterParams(filter), page);
}

export async function countJobs(db: PgDb, filter: JobFilter): Promise<number> {
  return countOf(await db.query(`SELECT count(*) AS n FROM jobs.tb_job_run WHERE ${jobFilterSql(0)}`, jobFilterParams(filter)));
}

export async function dlqCount(db: PgDb, selector: DlqSelector): Promise<number> {
  return countOf(await db.query(`SELECT count(*) AS n FROM jobs.tb_job_run WHERE ${dlqWhereSql(0)}`, dlqParams(selector)));
}

export function dlqList(db: PgDb, selector: DlqSelector, page: PageRequest): Promise<Page<Job>> {
  return pageOfJobs(db, dlqWhereSql(0), dlqParams(selector), page);
}

export async function dlqGroups(db: PgDb, filter: { search?: string; service?: string }): Promise<DlqGroup[]> {
  const rows = await db.query(
    `WITH open AS (
       SELECT id, service_name, execution_type, error_message, coalesce(error_fingerprint, '') AS fingerprint,
         coalesce(completed_at, updated_at) AS failed_at
       FROM jobs.tb_job_run
       WHERE ${dlqWhereSql(0)}
     )
     SELECT fingerprint, count(*) AS count, min(failed_at) AS first_seen, max(failed_at) AS last_seen,
       array_agg(DISTINCT service_name ORDER BY service_name) AS services,
       array_agg(DISTINCT execution_type ORDER BY execution_type) AS execution_types,
       (array_agg(coalesce(error_message, '') ORDER BY id DESC))[1] AS sample_error,
       max(id) AS sample_job_id
     FROM open
     GROUP BY fingerprint
     ORDER BY count(*) DESC, max(failed_at) DESC, fingerprint
     LIMIT 1000`,
    dlqParams({ search: filter.search, service: filter.service }),
  );
  return rows.map((row) => DlqGroupSchema.parse(row));
}

export async function countsByQueueAndStatus(db: PgDb): Promise<QueueCount[]> {
  const rows = await db.query('SELECT queue, status, count(*) AS count FROM jobs.tb_job_run GROUP BY queue, status ORDER BY queue, status');
  return rows.map((row) => QueueCountRow.parse(row));
}

export async function runningByService(db: PgDb): Promise<Record<string, number>> {
  const rows = await db.engineQuery(`SELECT service_name, count(*) AS n FROM jobs.tb_job_run
     WHERE id = ANY(ARRAY(SELECT unnest(job_ids) FROM jobs.tb_job_lease)) AND status = 'running' GROUP BY service_name`);
  const out: Record<string, number> = {};
  for (const row of rows) out[String(row.service_name)] = Number(row.n);
  return out;
}

/**
 * Finished jobs by finish time, found through the attempt that finished them: the settle (or the
 * watchdog) writes that attempt in the statement that finishes the job, with the same transaction
 * timestamp, and attempts are indexed by finished_at where job rows are not (so that settles stay HOT).
 */
const FINISHING_ATTEMPTS = `jobs.tb_job_attempt a JOIN jobs.tb_job_run j ON j.id = a.job_id AND j.completed_at = a.finished_at`;

const BucketRow = z.object({ bucket: z.number(), completed: z.number(), failed: z.number() });

export async function throughput(db: PgDb, since: Date, bucketSeconds: number): Promise<ThroughputBucket[]> {
  const step = Math.max(1, Math.trunc(bucketSeconds));
  const rows = await db.query(
    `SELECT (floor(extract(epoch FROM j.completed_at) / $2) * $2)::bigint AS bucket,
       count(*) FILTER (WHERE j.status = 'completed') AS completed,
       count(*) FILTER (WHERE j.status = 'failed') AS failed
     FROM ${FINISHING_ATTEMPTS}
     WHERE a.finished_at >= $1 AND j.status IN ('completed', 'failed')
     GROUP BY 1 ORDER BY 1`,
    [since.toISOString(), step],
  );
  return fillBuckets(rows.map((row) => BucketRow.parse(row)), since, new Date(), step);
}

/**
 * Nearest-rank percentiles (percentile_disc), as the SQLite store computes them, for every execution
 * type: a type without completions has count 0 and no percentiles.
 */
export async function latencyByType(db: PgDb, since: Date): Promise<LatencyByType[]> {
  const rows = await db.query(
    `SELECT t.execution_type, count(d.ms) AS count,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY d.ms) AS p50_ms,
       percentile_disc(0.95) WITHIN GROUP (ORDER BY d.ms) AS p95_ms
     FROM unnest($2::text[]) AS t(execution_type)
     LEFT JOIN (
       SELECT j.execution_type, extract(epoch FROM j.completed_at - j.started_at)::float8 * 1000 AS ms
       FROM ${FINISHING_ATTEMPTS}
       WHERE a.finished_at >= $1 AND j.status = 'completed' AND j.started_at IS NOT NULL
     ) d ON d.execution_type = t.execution_type
     GROUP BY t.execution_type`,
    [since.toISOString(), EXECUTION_TYPES],
  );
  const byType = new Map(rows.map((row) => [String(row.execution_type), row]));
  const ms = (value: unknown) => (typeof value === 'number' ? Math.max(0, Math.round(value * 10) / 10) : null);
  return EXECUTION_TYPES.map((type) => {
    const row = byType.get(type);
    return LatencySchema.parse({ execution_type: type, count: Number(row?.count ?? 0), p50_ms: ms(row?.p50_ms), p95_ms: ms(row?.p95_ms) });
  });
}

export async function oldestPendingRunAt(db: PgDb): Promise<string | null> {
  const rows = await db.query(`SELECT min(run_at) AS at FROM jobs.tb_job_ready`);
  const at = rows[0]?.at;
  return typeof at === 'string' ? at : null;
}

export async function cancelRequested(db: PgDb, workerId: string): Promise<number[]> {
  return idsOf(
    await db.engineQuery(
      `SELECT id FROM jobs.tb_job_run
       WHERE id = ANY(ARRAY(SELECT unnest(job_ids) FROM jobs.tb_job_lease WHERE worker_id = $1)) AND status = 'running' AND lease_owner = $1
         AND cancel_requested
       ORDER BY id`,
      [workerId],
    ),
  );
}
